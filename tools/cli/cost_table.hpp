// The highmem cost report's data: the "cost:" lines cost.elf prints
// (guest-tests/cost/cost_probe.hpp), the table and CSV made of them, and the
// structural facts they must show whatever the timings (docs/highmem-costs.md).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.hpp"

namespace hm {

struct CostRow {
    std::string name, unit;
    u64 n = 0;
    std::map<std::string, u64> values;  // cycles, instructions, dtlb_misses, walks, invlpg, ...
    u64 value(const std::string& key) const;  // 0 when absent
    double per_unit(const std::string& key) const;
};

// A cross-CPU figure of cost-smp.elf ("cost: smp name=..."), only with 2+ CPUs:
// cycles on one CPU (the initiator, a target, or all CPUs' loops summed) and
// the call-function IPIs sent (or, for a target, handled) meanwhile.
struct CostSmpRow {
    std::string name, unit;
    u64 n = 0, cycles = 0, ipis = 0;
    double per_unit() const { return n ? static_cast<double>(cycles) / static_cast<double>(n) : 0; }
};

struct CostRun {
    std::string mode;  // "2level" or "pae"
    unsigned last_pkmap = 0;
    std::optional<unsigned> wraps_in_1024;
    std::vector<CostRow> rows;
    unsigned smp_cpus = 0;            // "cost: smp cpus=N clock=C" (cost-smp.elf with 2+ CPUs)
    std::string smp_clock;            // C: cpu_cycles (the diag device's per-CPU ports) or rdtsc
    std::vector<CostSmpRow> smp_rows;
    std::vector<std::string> problems;  // "cost: problem" lines and malformed lines
    bool done = false;                  // the "cost: done" line was seen
    const CostRow* find(const std::string& name) const;
    const CostSmpRow* find_smp(const std::string& name) const;
};

// Reads every "cost:" line of a console log; other lines are ignored.
CostRun parse_cost_lines(std::string_view console);

// The counters, in CSV column order.
const std::vector<std::string>& cost_counter_names();

// The table for both paging modes side by side, then derived figures.
std::string cost_table_text(const CostRun& two_level, const CostRun& pae);
// mode,measurement,unit,n,<counters...>,cycles_per_unit
std::string cost_csv(const std::vector<CostRun>& runs);

// The facts that must hold in a run (no timings): one line per violation.
std::vector<std::string> cost_structural_violations(const CostRun& run);

}  // namespace hm
