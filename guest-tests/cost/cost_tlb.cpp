// What the TLB itself costs: a miss and its walk, one INVLPG against a global
// flush (and the refills that follow each), and context switches of a thread
// that holds kmap_local mappings. docs/highmem-costs.md explains the figures.
#include <asm/tlbflush.hpp>
#include <kernel/highmem.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>

#include <asm/smp.hpp>

#include "cost_cases.hpp"
#include "cost_probe.hpp"

namespace cost {

namespace {

constexpr unsigned N = 64;
constexpr unsigned WORKING_SET_ORDER = 5;  // 32 pages: fits the 64-entry data TLB
constexpr unsigned WORKING_SET = 1u << WORKING_SET_ORDER;

void touch_all(char* base, unsigned pages) {
    for (unsigned i = 0; i < pages; ++i) touch(base + i * PAGE_SIZE);
}

struct PingPong {
    volatile bool stop;
};

int partner(void* arg) {
    auto* pp = static_cast<PingPong*>(arg);
    while (!pp->stop) yield();
    return 0;
}

}  // namespace

void measure_walks(Probe& probe) {
    page* p = alloc_page(GFP_KERNEL);
    if (!p) return report_problem("tlb_miss", "no lowmem page");
    char* v = static_cast<char*>(page_address(p));  // a 4 KiB PTE of the direct map
    touch(v);

    probe.start();
    for (unsigned i = 0; i < N; ++i) touch(v);
    report("tlb_hit", "access", N, probe.stop());

    probe.start();
    for (unsigned i = 0; i < N; ++i) __flush_tlb_one(reinterpret_cast<unsigned long>(v + PAGE_SIZE * 0));
    report("invlpg_only", "invlpg", N, probe.stop());

    probe.start();
    for (unsigned i = 0; i < N; ++i) {
        __flush_tlb_one(reinterpret_cast<unsigned long>(v));
        touch(v);
    }
    report("tlb_miss", "access", N, probe.stop());
    __free_page(p);
}

void measure_flushes(Probe& probe) {
    page* block = alloc_pages(GFP_KERNEL, WORKING_SET_ORDER);
    if (!block) return report_problem("refill", "no lowmem block");
    char* ws = static_cast<char*>(page_address(block));

    touch_all(ws, WORKING_SET);
    probe.start();
    touch_all(ws, WORKING_SET);
    report("working_set_warm", "working_set", 1, probe.stop());

    // The second of two identical passes: the first brings this code into
    // the ITLB (its far side may lie on a code page nothing ran before, as
    // the SMP kernel's layout put it: a cold ITLB miss is not the INVLPG's).
    Counters refill{};
    for (int pass = 0; pass < 2; ++pass) {
        touch_all(ws, WORKING_SET);
        probe.start();
        __flush_tlb_one(reinterpret_cast<unsigned long>(ws));
        touch_all(ws, WORKING_SET);
        refill = probe.stop();
    }
    report("refill_after_invlpg", "working_set", 1, refill);

    touch_all(ws, WORKING_SET);
    probe.start();
    __flush_tlb_all();
    touch_all(ws, WORKING_SET);
    report("refill_after_global_flush", "working_set", 1, probe.stop());

    // The flush alone: what follows it is only the probe's own reads, whose
    // code and stack then miss too (counted: they are part of any flush's bill).
    touch_all(ws, WORKING_SET);
    probe.start();
    __flush_tlb_all();
    report("global_flush_alone", "flush", 1, probe.stop());
    __free_pages(block, WORKING_SET_ORDER);
}

void measure_switches(Probe& probe) {
    constexpr unsigned ROUNDS = 32;
    // Up to 15: the most kmap_local mappings that nest (KM_MAX_IDX 16).
    static const unsigned slot_counts[] = {0, 1, 2, 4, 8, 15};
    static const char* const names[] = {"switch_slots_0", "switch_slots_1", "switch_slots_2",
                                        "switch_slots_4", "switch_slots_8", "switch_slots_15"};
    page* pages[KM_MAX_IDX];
    unsigned got = 0;
    while (got < KM_MAX_IDX && (pages[got] = alloc_page(GFP_HIGHUSER))) ++got;
    if (got < KM_MAX_IDX) {
        report_problem("switch_slots", "not enough highmem pages");
    } else {
        for (unsigned s = 0; s < sizeof slot_counts / sizeof slot_counts[0]; ++s) {
            const unsigned k = slot_counts[s];
            PingPong pp{false};
            // On this CPU: threads run on every CPU, and a partner alone on
            // another would never be switched to by these yields.
            task_struct* other = kthread_create(partner, &pp, "cost-partner");
            if (other) {
                kthread_bind(other, smp_processor_id());
                wake_up_process(other);
            }
            if (!other) {
                report_problem(names[s], "cannot create the partner thread");
                break;
            }
            void* maps[KM_MAX_IDX];
            for (unsigned i = 0; i < k; ++i) touch(maps[i] = kmap_local_page(pages[i]));
            yield();  // the partner runs once: both threads warm
            probe.start();
            for (unsigned r = 0; r < ROUNDS; ++r) {
                for (unsigned i = 0; i < k; ++i) touch(maps[i]);
                yield();
            }
            Counters c = probe.stop();
            for (unsigned i = k; i-- > 0;) kunmap_local(maps[i]);
            pp.stop = true;
            kthread_join(other);
            report(names[s], "round_trip", ROUNDS, c);
        }
    }
    for (unsigned i = 0; i < got; ++i) __free_page(pages[i]);
}

}  // namespace cost
