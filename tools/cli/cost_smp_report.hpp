// `hm386 cost-report --smp LIST`: cost-smp.elf's figures at several CPU counts
// (guest-tests/cost/cost_smp.cpp), as one table per CPU count and mode, a CSV,
// the cross-CPU facts that must hold (IPI counts, no timings) and an SVG plot
// of cycles per mapping against the CPU count. docs/highmem-costs.md shows them.
#pragma once
#include <string>
#include <vector>

#include "cost_table.hpp"

namespace hm {

struct CostSmpPoint {
    unsigned cpus = 1;
    CostRun run;  // one paging mode
};

// The single-CPU measurements shown at every CPU count: one CPU maps while
// the others idle (their lines of the plot), and the pkmap wrap.
const std::vector<std::string>& cost_smp_plain_rows();

// cpus,mode,measurement,unit,n,cycles,ipis,cycles_per_unit (ipis empty for the
// single-CPU rows, which do not count them).
std::string cost_smp_csv(const std::vector<CostSmpPoint>& points);
// One line per measurement, one column per CPU count: "2-level / PAE" cycles
// per unit, and the IPIs of the cross-CPU rows.
std::string cost_smp_table_text(const std::vector<CostSmpPoint>& points);
// The IPI counts the cross-CPU rows must show: one per other CPU per pkmap
// flush, one handled per flush on each target, none while mapping concurrently
// (kmap hits, kmap_atomic, kmap_local); the rows exist exactly when cpus > 1;
// the per-CPU cycles come from each CPU's own counter (clock=cpu_cycles), and
// every target spent more than 0 cycles in the handlers of the IPIs it handled.
std::vector<std::string> cost_smp_violations(const CostSmpPoint& point);
// Cycles per mapping against the CPU count (the 2-level runs): kmap (hit),
// kmap_atomic, kmap_local_page and vmap_16 with one CPU mapping (solid), and
// kmap, kmap_atomic, kmap_local on every CPU at once, per CPU (dashed).
std::string cost_smp_svg(const std::vector<CostSmpPoint>& points);

}  // namespace hm
