#include "cost_probe.hpp"

#include <asm/io.hpp>
#include <devices/diag_protocol.hpp>
#include <kernel/printk.hpp>

namespace cost {

namespace {

u64 diag(u32 command, u64 arg) {
    outl(static_cast<u32>(arg), HM386_DIAG_PORT_ARG_LO);
    outl(static_cast<u32>(arg >> 32), HM386_DIAG_PORT_ARG_HI);
    outl(command, HM386_DIAG_PORT_COMMAND);
    u64 lo = inl(HM386_DIAG_PORT_ARG_LO);
    u64 hi = inl(HM386_DIAG_PORT_ARG_HI);
    return (hi << 32) | lo;
}

u64 stat(u32 tlb, u32 counter) { return diag(HM386_DIAG_CMD_TLB_STAT, tlb | counter); }

}  // namespace

Counters operator-(const Counters& a, const Counters& b) {
    Counters d;
    d.cycles = a.cycles - b.cycles;
    d.instructions = a.instructions - b.instructions;
    d.dtlb_misses = a.dtlb_misses - b.dtlb_misses;
    d.itlb_misses = a.itlb_misses - b.itlb_misses;
    d.walks = a.walks - b.walks;
    d.walk_reads = a.walk_reads - b.walk_reads;
    d.invlpg = a.invlpg - b.invlpg;
    d.cr3_flushes = a.cr3_flushes - b.cr3_flushes;
    d.global_flushes = a.global_flushes - b.global_flushes;
    d.invalidated = a.invalidated - b.invalidated;
    return d;
}

bool diag_present() { return inl(HM386_DIAG_PORT_SIGNATURE) == HM386_DIAG_SIGNATURE; }

Counters read_counters() {
    constexpr u32 I = HM386_DIAG_TLB_ITLB, D = HM386_DIAG_TLB_DTLB;
    Counters c;
    c.instructions = diag(HM386_DIAG_CMD_INSTRUCTIONS, 0);
    c.dtlb_misses = stat(D, HM386_DIAG_STAT_MISSES);
    c.itlb_misses = stat(I, HM386_DIAG_STAT_MISSES);
    c.walks = stat(D, HM386_DIAG_STAT_WALKS) + stat(I, HM386_DIAG_STAT_WALKS);
    c.walk_reads = stat(D, HM386_DIAG_STAT_WALK_MEM_ACCESSES) + stat(I, HM386_DIAG_STAT_WALK_MEM_ACCESSES);
    c.invlpg = stat(D, HM386_DIAG_STAT_FLUSH_INVLPG);
    c.cr3_flushes = stat(D, HM386_DIAG_STAT_FLUSH_CR3);
    c.global_flushes = stat(D, HM386_DIAG_STAT_FLUSH_CR4_CR0);
    c.invalidated = stat(D, HM386_DIAG_STAT_ENTRIES_INVALIDATED) + stat(I, HM386_DIAG_STAT_ENTRIES_INVALIDATED);
    c.cycles = diag(HM386_DIAG_CMD_CYCLES, 0);
    return c;
}

Probe::Probe() {
    // Twice: the first pass may fill TLB entries for the probe's own code and
    // data; the second is what every measurement pays.
    for (int i = 0; i < 2; ++i) {
        start();
        overhead_ = read_counters() - before_;
    }
}

Counters Probe::stop() const { return read_counters() - before_ - overhead_; }

void report(const char* name, const char* unit, unsigned n, const Counters& c) {
    printk("cost: name=%s unit=%s n=%u cycles=%llu instructions=%llu dtlb_misses=%llu itlb_misses=%llu walks=%llu "
           "walk_reads=%llu invlpg=%llu cr3_flushes=%llu global_flushes=%llu invalidated=%llu\n",
           name, unit, n, c.cycles, c.instructions, c.dtlb_misses, c.itlb_misses, c.walks, c.walk_reads, c.invlpg,
           c.cr3_flushes, c.global_flushes, c.invalidated);
}

namespace {
constinit unsigned problems = 0;
}  // namespace

void report_problem(const char* name, const char* what) {
    ++problems;
    printk("cost: problem name=%s %s\n", name, what);
}

unsigned problem_count() { return problems; }

}  // namespace cost
