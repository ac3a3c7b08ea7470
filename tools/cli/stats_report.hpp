// `--stats` (a table on stderr) and `--stats-json FILE`: instructions, cycles,
// MIPS, TLB figures, page faults, exceptions and interrupts by vector, device
// and bus counters, and how the run ended. Everything except the host time and
// MIPS is deterministic: two runs of the same image and flags agree exactly.
#pragma once
#include <string>

#include "machine.hpp"

namespace hm {

struct RunSummary {
    std::string outcome;  // "debug-exit", "shutdown", "reset", "hang", "cycle-limit", "timeout", "internal-error"
    int status = 0;       // hm386's exit status
};

std::string stats_table(const MachineStats& s, const RunSummary& run);
std::string stats_json(const MachineStats& s, const RunSummary& run);

}  // namespace hm
