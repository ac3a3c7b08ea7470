// The cross-CPU costs, measured only when more than one CPU is online (so a
// one-CPU run prints exactly what it always did): the pkmap flush a wrap does
// (flush_tlb_pkmaps: a global flush here, one call-function IPI per other CPU
// and a global flush in each target's IPI handler), with cycles on the
// initiator and on each target; and kmap, kmap_atomic and kmap_local_page
// while every CPU maps at once.
//
// Threads stay on the BSP (docs/kernel.md, "SMP"), so "every CPU at once" is
// on_each_cpu(): the BSP posts a call-function IPI to each AP and runs the
// same loop itself, all with interrupts off. Each CPU times its own loop with
// RDTSC (its own cycle counter); the diagnostic device reads the BSP's
// counters only. The loops run in IPI context, where kmap()'s might_sleep()
// and kunmap()'s in_interrupt() check forbid the wrappers: the kmap loop calls
// their pkmap path, kmap_high/kunmap_high, on a page the BSP holds mapped (a
// hit: no new slot, so no wrap and no shootdown, which could not be answered
// by CPUs that have interrupts off), which is the kmap_lock round trip every
// kmap of a highmem page pays.
//
// Lines: "cost: smp name=NAME unit=UNIT n=N cycles=C ipis=I" (host: cost_table.cpp).
#include <asm/highmem.hpp>
#include <asm/percpu.hpp>
#include <asm/processor.hpp>
#include <asm/smp.hpp>
#include <kernel/highmem.hpp>
#include <kernel/printk.hpp>

#include "cost_cases.hpp"
#include "cost_probe.hpp"

namespace cost {

namespace {

constexpr unsigned FLUSHES = 16;  // pkmap flushes measured
constexpr unsigned MAPS = 256;    // mappings per CPU in each concurrent loop

void report_smp(const char* name, const char* unit, unsigned n, u64 cycles, u64 ipis) {
    printk("cost: smp name=%s unit=%s n=%u cycles=%llu ipis=%llu\n", name, unit, n, cycles, ipis);
}

u32 ipis_sent_by_all() {
    u32 sum = 0;
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (cpu_online(c)) sum += per_cpu_data(c).ipis_sent;
    return sum;
}

void measure_pkmap_flush(Probe& probe) {
    const unsigned me = smp_processor_id();
    u32 handled[NR_CPUS], received[NR_CPUS];
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        handled[c] = per_cpu_data(c).ipi_handler_cycles;
        received[c] = per_cpu_data(c).ipis_received;
    }
    const u32 sent = per_cpu_data(me).ipis_sent;
    probe.start();
    for (unsigned i = 0; i < FLUSHES; ++i) flush_tlb_pkmaps();
    const Counters c = probe.stop();
    report_smp("pkmap_flush_initiator", "flush", FLUSHES, c.cycles, per_cpu_data(me).ipis_sent - sent);
    for (unsigned cpu = 0; cpu < NR_CPUS; ++cpu) {
        if (!cpu_online(cpu) || cpu == me) continue;
        char name[32];
        snprintf(name, sizeof name, "pkmap_flush_on_cpu%u", cpu);
        report_smp(name, "flush", FLUSHES, per_cpu_data(cpu).ipi_handler_cycles - handled[cpu],
                   per_cpu_data(cpu).ipis_received - received[cpu]);
    }
}

enum class api { kmap, kmap_atomic, kmap_local };

struct concurrent_run {
    api which;
    page* pages[NR_CPUS];  // one highmem page per CPU
    u64 cycles[NR_CPUS];   // each CPU's own loop, by its RDTSC
};

void map_loop(void* info) {
    auto* r = static_cast<concurrent_run*>(info);
    const unsigned cpu = smp_processor_id();
    page* p = r->pages[cpu];
    const u64 start = rdtsc();
    for (unsigned i = 0; i < MAPS; ++i) {
        switch (r->which) {
            case api::kmap:
                touch(kmap_high(p));
                kunmap_high(p);
                break;
            case api::kmap_atomic: {
                void* v = kmap_atomic(p);
                touch(v);
                kunmap_atomic(v);
                break;
            }
            case api::kmap_local: {
                void* v = kmap_local_page(p);
                touch(v);
                kunmap_local(v);
                break;
            }
        }
    }
    r->cycles[cpu] = rdtsc() - start;
}

void measure_concurrent(Probe& probe, api which, const char* name, const char* elapsed_name, page** pages) {
    concurrent_run r{};
    r.which = which;
    for (unsigned c = 0; c < NR_CPUS; ++c) r.pages[c] = pages[c];
    const unsigned cpus = num_online_cpus();
    // Twice, the second measured: the first brings the loop into every TLB.
    u32 ipis = 0;
    Counters elapsed{};
    for (int pass = 0; pass < 2; ++pass) {
        const u32 sent = ipis_sent_by_all();
        probe.start();
        on_each_cpu(map_loop, &r);
        elapsed = probe.stop();
        ipis = ipis_sent_by_all() - sent - (cpus - 1);  // less on_each_cpu's own one per AP
    }
    u64 total = 0;
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (cpu_online(c)) total += r.cycles[c];
    report_smp(name, "page", MAPS * cpus, total, ipis);
    report_smp(elapsed_name, "page", MAPS * cpus, elapsed.cycles, ipis);
}

}  // namespace

void measure_smp(Probe& probe) {
    if (num_online_cpus() < 2) return;
    printk("cost: smp cpus=%u\n", num_online_cpus());
    measure_pkmap_flush(probe);

    page* pages[NR_CPUS]{};
    bool ok = true;
    for (unsigned c = 0; c < NR_CPUS && ok; ++c) {
        if (!cpu_online(c)) continue;
        pages[c] = alloc_page(GFP_HIGHUSER);
        ok = pages[c] && PageHighMem(pages[c]);
    }
    if (!ok) {
        report_problem("kmap_concurrent", "no highmem page for every CPU");
    } else {
        for (unsigned c = 0; c < NR_CPUS; ++c)
            if (pages[c]) touch(kmap(pages[c]));  // held: every kmap below is a hit
        measure_concurrent(probe, api::kmap, "kmap_concurrent", "kmap_concurrent_elapsed", pages);
        for (unsigned c = 0; c < NR_CPUS; ++c)
            if (pages[c]) kunmap(pages[c]);
        measure_concurrent(probe, api::kmap_atomic, "kmap_atomic_concurrent", "kmap_atomic_concurrent_elapsed", pages);
        measure_concurrent(probe, api::kmap_local, "kmap_local_concurrent", "kmap_local_concurrent_elapsed", pages);
    }
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (pages[c]) __free_page(pages[c]);
}

}  // namespace cost
