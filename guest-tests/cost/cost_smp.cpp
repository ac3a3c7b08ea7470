// The cross-CPU costs, measured only when more than one CPU is online (so a
// one-CPU run prints exactly what it always did): the pkmap flush a wrap does
// (flush_tlb_pkmaps: a global flush here, one call-function IPI per other CPU
// and a global flush in each target's IPI handler), with cycles on the
// initiator and on each target; and kmap, kmap_atomic and kmap_local_page
// while every CPU maps at once.
//
// Every cycle figure here is one CPU's own counter, read by that CPU through
// the diagnostic device's CPU_CYCLES ports (hm386_cpu_cycles, through the
// kernel's ipi_handler_clock(), which the IPI handler uses too): the CYCLES
// command reads CPU 0's counter whichever CPU asks, and RDTSC under hm386
// -smp N never returns less than a value any CPU read before (the TSC floor,
// docs/devices.md), so on a CPU whose turn comes late in a round it stays
// flat and a difference comes out short or zero. Where the ports are missing
// (a device older than version 2) the figures fall back to RDTSC, and the
// "cost: smp" line says clock=rdtsc. Each figure is less one read of the
// clock (measured here, with nothing in between), as the Probe does.
//
// The BSP's local APIC timer is stopped while these run, and each measured
// loop starts right after a synchronous call to another CPU, i.e. at the start
// of one of hm386's rounds (align_to_round): the figures then depend much less
// on how many cycles the boot took (docs/highmem-costs.md has the counts).
//
// Threads may run on every CPU (docs/kernel.md, "SMP"), but one per CPU would
// start whenever the scheduler picks it and could be preempted by a tick, so
// "every CPU at once" is on_each_cpu(): the BSP posts a call-function IPI to each AP and runs the
// same loop itself, all with interrupts off. The loops run in IPI context,
// where kmap()'s might_sleep() and kunmap()'s in_interrupt() check forbid the
// wrappers: the kmap loop calls their pkmap path, kmap_high/kunmap_high, on a
// page the BSP holds mapped (a hit: no new slot, so no wrap and no shootdown,
// which could not be answered by CPUs that have interrupts off), which is the
// kmap_lock round trip every kmap of a highmem page pays.
//
// Lines: "cost: smp cpus=N clock=cpu_cycles|rdtsc clock_read=CYCLES", then
// "cost: smp name=NAME unit=UNIT n=N cycles=C ipis=I" (host: cost_table.cpp).
#include <asm/apic.hpp>
#include <asm/highmem.hpp>
#include <asm/hm386_diag.hpp>
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

// Every CPU's own clock (the header comment): the kernel's ipi_handler_clock(),
// the very code the IPI handler times itself with, on the clock
// ipi_clock_cpu_cycles selects; and what one read of it costs.
struct cpu_clock {
    bool cpu_cycles = false;
    u64 overhead = 0;

    cpu_clock() : cpu_cycles(hm386_cpu_cycles_present()) {
        ipi_clock_cpu_cycles = cpu_cycles;
        // Twice, the second kept: the first may take TLB misses on the code.
        for (int i = 0; i < 2; ++i) {
            const u64 a = read();
            overhead = read() - a;
        }
    }
    ~cpu_clock() { ipi_clock_cpu_cycles = false; }  // the kernel's RDTSC again
    const char* name() const { return cpu_cycles ? "cpu_cycles" : "rdtsc"; }
    u64 read() const { return ipi_handler_clock(cpu_cycles); }
    // The cycles since start, less the read that ends them.
    u64 since(u64 start) const { return read() - start - overhead; }
};
constinit cpu_clock* the_clock = nullptr;  // during measure_smp

u32 ipis_sent_by_all() {
    u32 sum = 0;
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (cpu_online(c)) sum += per_cpu_data(c).ipis_sent;
    return sum;
}

void nothing(void*) {}

// Under hm386 -smp N this CPU sees another CPU's answer only at the start of its
// own next turn (CPUs take turns in rounds of --smp-quantum cycles), so after a
// synchronous call to another CPU it stands a few cycles after the start of a
// round, wherever it stood before. Each cross-CPU measurement starts so, to
// follow the same interleaving whatever came before it at boot (the image's
// path on the command line moved them by a few percent). It leaves a few
// cycles of jitter: where in its wait loop this CPU's previous turn ended.
void align_to_round() {
    const unsigned me = smp_processor_id();
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (c != me && cpu_online(c)) {
            smp_call_function_single(c, nothing, nullptr);
            return;
        }
}

void measure_pkmap_flush() {
    const unsigned me = smp_processor_id();
    align_to_round();
    u32 handled[NR_CPUS], received[NR_CPUS];
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        handled[c] = per_cpu_data(c).ipi_handler_cycles;
        received[c] = per_cpu_data(c).ipis_received;
    }
    const u32 sent = per_cpu_data(me).ipis_sent;
    const u64 start = the_clock->read();
    for (unsigned i = 0; i < FLUSHES; ++i) flush_tlb_pkmaps();
    const u64 cycles = the_clock->since(start);
    if (smp_processor_id() != me) return report_problem("pkmap_flush_initiator", "the thread changed CPU");
    report_smp("pkmap_flush_initiator", "flush", FLUSHES, cycles, per_cpu_data(me).ipis_sent - sent);
    for (unsigned cpu = 0; cpu < NR_CPUS; ++cpu) {
        if (!cpu_online(cpu) || cpu == me) continue;
        char name[32];
        snprintf(name, sizeof name, "pkmap_flush_on_cpu%u", cpu);
        // The handler adds its two reads' difference per IPI: less one read each.
        const u32 ipis = per_cpu_data(cpu).ipis_received - received[cpu];
        const u64 cycles_in_handler = per_cpu_data(cpu).ipi_handler_cycles - handled[cpu];
        report_smp(name, "flush", FLUSHES, cycles_in_handler - ipis * the_clock->overhead, ipis);
    }
}

enum class api { kmap, kmap_atomic, kmap_local };

struct concurrent_run {
    api which;
    page* pages[NR_CPUS];  // one highmem page per CPU
    u64 cycles[NR_CPUS];   // each CPU's own loop, by its own clock
};

void map_loop(void* info) {
    auto* r = static_cast<concurrent_run*>(info);
    const unsigned cpu = smp_processor_id();
    page* p = r->pages[cpu];
    const u64 start = the_clock->read();
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
    r->cycles[cpu] = the_clock->since(start);
}

void measure_concurrent(api which, const char* name, const char* elapsed_name, page** pages) {
    concurrent_run r{};
    r.which = which;
    for (unsigned c = 0; c < NR_CPUS; ++c) r.pages[c] = pages[c];
    const unsigned cpus = num_online_cpus();
    // Twice, the second measured: the first brings the loop into every TLB.
    const unsigned me = smp_processor_id();
    u32 ipis = 0;
    u64 elapsed = 0;
    for (int pass = 0; pass < 2; ++pass) {
        align_to_round();
        const u32 sent = ipis_sent_by_all();
        const u64 start = the_clock->read();
        on_each_cpu(map_loop, &r);
        elapsed = the_clock->since(start);
        ipis = ipis_sent_by_all() - sent - (cpus - 1);  // less on_each_cpu's own one per AP
    }
    if (smp_processor_id() != me) return report_problem(elapsed_name, "the thread changed CPU");
    u64 total = 0;
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (cpu_online(c)) total += r.cycles[c];
    report_smp(name, "page", MAPS * cpus, total, ipis);
    report_smp(elapsed_name, "page", MAPS * cpus, elapsed, ipis);
}

}  // namespace

void measure_smp() {
    if (num_online_cpus() < 2) return;
    cpu_clock own;
    the_clock = &own;
    // No tick while measuring, as the one-CPU figures mask IRQ 0: a local APIC
    // timer event also ends a round early, which moves every later round.
    apic_write(APIC_TMICT, 0);
    printk("cost: smp cpus=%u clock=%s clock_read=%llu\n", num_online_cpus(), own.name(), own.overhead);
    measure_pkmap_flush();

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
        measure_concurrent(api::kmap, "kmap_concurrent", "kmap_concurrent_elapsed", pages);
        for (unsigned c = 0; c < NR_CPUS; ++c)
            if (pages[c]) kunmap(pages[c]);
        measure_concurrent(api::kmap_atomic, "kmap_atomic_concurrent", "kmap_atomic_concurrent_elapsed", pages);
        measure_concurrent(api::kmap_local, "kmap_local_concurrent", "kmap_local_concurrent_elapsed", pages);
    }
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (pages[c]) __free_page(pages[c]);
    the_clock = nullptr;
    apic_write(APIC_TMICT, lapic_timer_counts_per_tick);  // the tick again (periodic, as set up)
}

}  // namespace cost
