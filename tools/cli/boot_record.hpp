// How a guest's boot went, whichever emulator ran it (hm386 in-process, or
// QEMU through run-qemu.sh): the data `hm386 test` judges.
#pragma once
#include <string>
#include <vector>

#include "core/types.hpp"

namespace hm {

// How a boot ended, in hm386 run's terms (docs/cli.md, exit statuses).
enum class BootEnd {
    Exited,         // the guest wrote to the debug-exit port: guest_status
    Shutdown,       // triple fault or shutdown (run's 122)
    Reset,          // the guest asked for a reset (run's 122)
    Hang,           // halted with nothing that can wake it (123)
    Timeout,        // host wall-clock limit (124)
    CycleLimit,     // guest cycle limit (125)
    InternalError,  // the emulator failed (70)
};
const char* boot_end_name(BootEnd e);

struct BootRecord {
    BootEnd end = BootEnd::InternalError;
    int guest_status = 0;          // Exited: the debug-exit value (low 8 bits)
    std::string message;           // hm386's account of the end, or warnings
    std::string console;           // COM1 output
    std::string debugcon;          // port 0xE9 output
    u64 cycles = 0, instructions = 0;
    double host_seconds = 0;
    u64 stale_reports = 0;         // the TLB coherence checker's count
    bool tlb_checked = false;
    std::vector<std::string> stale_events;  // the first few reports, readable
};

}  // namespace hm
