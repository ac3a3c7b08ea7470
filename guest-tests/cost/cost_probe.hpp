// Measuring a piece of kernel code with hm386's diagnostic device: guest
// cycles, instructions and TLB events (misses, walks and their memory reads,
// INVLPGs, CR3 and CR4/CR0 flushes, entries dropped) before and after.
//
// Reading the counters is itself code that runs (port I/O, a few hundred
// cycles); a Probe measures that once, with nothing in between, and subtracts
// it, so a figure is the cost of the measured code alone. Everything is
// deterministic: the same image and command line give the same figures.
//
// Each figure is printed as one machine-readable line for `hm386 cost-report`:
//   cost: name=NAME unit=UNIT n=N cycles=C instructions=I dtlb_misses=...
// The totals are for N units (pages touched, switches...); the host divides.
#pragma once
#include <kernel/types.hpp>

namespace cost {

struct Counters {
    u64 cycles = 0, instructions = 0;
    u64 dtlb_misses = 0, itlb_misses = 0;
    u64 walks = 0, walk_reads = 0;  // both TLBs
    u64 invlpg = 0;                 // INVLPG instructions (as the data TLB saw them)
    u64 cr3_flushes = 0;            // CR3 writes (non-global entries dropped)
    u64 global_flushes = 0;         // CR4/CR0 writes that dropped everything
    u64 invalidated = 0;            // TLB entries dropped by any flush, both TLBs
};
Counters operator-(const Counters& a, const Counters& b);

bool diag_present();
Counters read_counters();

// start() ... stop(): the counters' change minus the probe's own cost.
class Probe {
public:
    Probe();
    void start() { before_ = read_counters(); }
    Counters stop() const;

private:
    Counters before_;
    Counters overhead_;
};

// Prints one "cost:" line.
void report(const char* name, const char* unit, unsigned n, const Counters& c);
// Prints a line the host shows as a failed precondition (the figure is void).
void report_problem(const char* name, const char* what);
unsigned problem_count();

// Reads *p so the compiler keeps the access: a page "touched".
inline void touch(const void* p) { (void)*static_cast<const volatile u32*>(p); }

}  // namespace cost
