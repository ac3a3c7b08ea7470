// SMP (docs/kernel.md, "SMP"): every CPU the firmware lists comes up, each
// CPU's kmap_local slots are its own, kmap_local needs no IPI while the pkmap
// wrap flush reaches every CPU's TLB, and spinlocks exclude across CPUs. The
// APs run the work of these cases in their call-function IPI handlers. With
// one CPU online the cross-CPU cases skip; all_cpus_come_up runs everywhere.
#include <asm/apic.hpp>
#include <asm/highmem.hpp>
#include <asm/layout.hpp>
#include <asm/smp.hpp>
#include <asm/tlbflush.hpp>
#include <devices/diag_protocol.hpp>
#include <kernel/gfp.hpp>
#include <kernel/highmem.hpp>
#include <kernel/mm.hpp>
#include <kernel/spinlock.hpp>

#include "ktest.hpp"

namespace {

constexpr u32 kMarker = 0x5A000000;

struct cpu_counts {
    u32 ipis_sent, ipis_received, remote_tlb_flushes, tlb_shootdowns;
};
void snapshot(cpu_counts (&out)[NR_CPUS]) {
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        const cpu_data& d = per_cpu_data(c);
        out[c] = {d.ipis_sent, d.ipis_received, d.remote_tlb_flushes, d.tlb_shootdowns};
    }
}

struct who_am_i {
    unsigned cpu[NR_CPUS];
    u32 apic_id[NR_CPUS];
};
void record_identity(void* info) {
    auto* w = static_cast<who_am_i*>(info);
    unsigned me = smp_processor_id();
    w->cpu[me] = me + 1;
    // On the 8259 path the local APIC is not mapped (and the BSP is alone).
    w->apic_id[me] = apic_mode ? apic_read(APIC_ID) >> 24 : 0;
}

}  // namespace

KTEST(smp, all_cpus_come_up) {
    unsigned expected = 1;
    if (apic_mode && !smp_disabled) {
        expected = smp_firmware_cpu_count();
        if (expected > smp_max_cpus) expected = smp_max_cpus;
        if (expected > NR_CPUS) expected = NR_CPUS;
    }
    EXPECT_EQ(num_online_cpus(), expected);
    // Each online CPU runs a call on request, reports its own number, and has
    // its own local APIC.
    who_am_i w{};
    on_each_cpu(record_identity, &w);
    unsigned answered = 0;
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        if (!cpu_online(c)) continue;
        ++answered;
        EXPECT_EQ(w.cpu[c], c + 1);
        EXPECT_EQ(w.apic_id[c], per_cpu_data(c).apic_id);
        for (unsigned o = 0; o < c; ++o)
            if (cpu_online(o)) EXPECT_NE(w.apic_id[c], w.apic_id[o]);
    }
    EXPECT_EQ(answered, num_online_cpus());
}

namespace {
struct local_blocks {
    page* pages[NR_CPUS];
    unsigned long vaddr[NR_CPUS];
};
void map_in_own_block(void* info) {
    auto* b = static_cast<local_blocks*>(info);
    unsigned me = smp_processor_id();
    void* v = kmap_local_page(b->pages[me]);
    b->vaddr[me] = reinterpret_cast<unsigned long>(v);
    *static_cast<volatile u32*>(v) = kMarker + me;
    kunmap_local(v);
}
}  // namespace

// Linux's layout: CPU n's first kmap_local slot is FIX_KMAP_BEGIN +
// KM_SLOTS_PER_CPU * n; blocks never overlap, so CPUs mapping at the same time
// never share an address, and each page got the write made through its CPU's
// mapping.
KTEST(smp, per_cpu_kmap_local_blocks_are_disjoint) {
    KTEST_REQUIRE(num_online_cpus() > 1, "one CPU online");
    local_blocks b{};
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (cpu_online(c)) ASSERT_NOT_NULL(b.pages[c] = alloc_page(GFP_HIGHUSER));
    on_each_cpu(map_in_own_block, &b);
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        if (!cpu_online(c)) continue;
        EXPECT_EQ(b.vaddr[c], fix_to_virt(FIX_KMAP_BEGIN + kmap_local_shift + KM_SLOTS_PER_CPU * c));
        for (unsigned o = 0; o < c; ++o)
            if (cpu_online(o)) EXPECT_NE(b.vaddr[c], b.vaddr[o]);
        void* v = kmap_local_page(b.pages[c]);
        EXPECT_EQ(*static_cast<u32*>(v), kMarker + c);
        kunmap_local(v);
        __free_page(b.pages[c]);
    }
}

namespace {
struct local_loop {
    page* page;
    unsigned rounds;
};
void kmap_local_rounds(void* info) {
    auto* l = static_cast<local_loop*>(info);
    for (unsigned i = 0; i < l->rounds; ++i) {
        void* v = kmap_local_page(l->page);
        *static_cast<volatile u32*>(v) = i;
        kunmap_local(v);
    }
}
}  // namespace

// kmap_local flushes only the local TLB: 1000 map + unmap pairs on every CPU
// at once cost no IPI beyond the one that asked each AP to run them, and no
// CPU flushes for another.
KTEST(smp, kmap_local_issues_zero_ipis) {
    KTEST_REQUIRE(num_online_cpus() > 1, "one CPU online");
    ktest::PinCpu on_the_bsp(0);  // this CPU's counters are compared: it must stay the same
    page* p = alloc_page(GFP_HIGHUSER);
    ASSERT_NOT_NULL(p);
    cpu_counts before[NR_CPUS], after[NR_CPUS];
    snapshot(before);
    local_loop l{p, 1000};
    on_each_cpu(kmap_local_rounds, &l);
    snapshot(after);
    const unsigned me = smp_processor_id();
    EXPECT_EQ(after[me].ipis_sent - before[me].ipis_sent, num_online_cpus() - 1);
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        if (!cpu_online(c)) continue;
        EXPECT_EQ(after[c].ipis_received - before[c].ipis_received, c == me ? 0u : 1u);
        EXPECT_EQ(after[c].remote_tlb_flushes, before[c].remote_tlb_flushes);
        EXPECT_EQ(after[c].tlb_shootdowns, before[c].tlb_shootdowns);
        if (c != me) EXPECT_EQ(after[c].ipis_sent, before[c].ipis_sent);
    }
    __free_page(p);
}

namespace {
struct remote_read {
    unsigned long vaddr;
    u32 value[NR_CPUS];
};
void read_through(void* info) {
    auto* r = static_cast<remote_read*>(info);
    r->value[smp_processor_id()] = *reinterpret_cast<volatile u32*>(r->vaddr);
}
void read_on_every_other_cpu(remote_read* r) {
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (cpu_online(c) && c != smp_processor_id()) smp_call_function_single(c, read_through, r);
}
unsigned order_of(unsigned pages) {
    unsigned order = 0;
    while ((1u << order) < pages) ++order;
    return order;
}
}  // namespace

// The pkmap window is global: a page kmapped on the BSP is read on every AP
// through the same address, so each AP's TLB caches that translation. After
// the kunmap, new kmaps wrap the window around; the wrap's flush_all_zero_pkmaps
// frees the slot and must flush it from *every* CPU (a shootdown by IPI), since
// the slot is then given to another page. Each AP then reads the new page.
// With no_shootdown_ipi the APs read the old page through their stale entries:
// this case fails, and hm386's --tlb-check reports the stale use on each AP.
KTEST(smp, pkmap_wrap_flush_reaches_every_cpu) {
    KTEST_REQUIRE(num_online_cpus() > 1, "one CPU online");
    ktest::PinCpu on_the_bsp(0);  // the BSP maps, the APs read
    const unsigned n = LAST_PKMAP();
    page* block = alloc_pages(GFP_HIGHUSER, order_of(n));
    ASSERT_NOT_NULL(block);
    ASSERT_TRUE(PageHighMem(block));
    for (unsigned i = 0; i < n; ++i) {
        void* v = kmap_local_page(block + i);
        *static_cast<u32*>(v) = kMarker + i;
        kunmap_local(v);
    }
    remote_read first{};
    first.vaddr = reinterpret_cast<unsigned long>(kmap(block));
    read_on_every_other_cpu(&first);
    kunmap(block);
    for (unsigned c = 1; c < NR_CPUS; ++c)
        if (cpu_online(c)) EXPECT_EQ(first.value[c], kMarker);

    cpu_counts before[NR_CPUS], after[NR_CPUS];
    snapshot(before);
    const unsigned long flushes = highmem_stats.pkmap_flushes;
    unsigned reused = 0;
    for (unsigned k = 0; k < 2 * n && !reused; ++k) {
        unsigned i = 1 + k % (n - 1);
        void* v = kmap(block + i);
        if (reinterpret_cast<unsigned long>(v) == first.vaddr && highmem_stats.pkmap_flushes > flushes) {
            reused = i;
            break;
        }
        kunmap(block + i);
    }
    ASSERT_NE(reused, 0u);  // the wrap gave the slot to another page
    snapshot(after);
    remote_read again{};
    again.vaddr = first.vaddr;
    read_on_every_other_cpu(&again);
    const unsigned me = smp_processor_id();
    EXPECT_GE(after[me].tlb_shootdowns - before[me].tlb_shootdowns, 1u);
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        if (!cpu_online(c) || c == me) continue;
        EXPECT_EQ(again.value[c], kMarker + reused);  // not kMarker: a stale translation
        EXPECT_GE(after[c].remote_tlb_flushes - before[c].remote_tlb_flushes, 1u);
    }
    kunmap(block + reused);
    kmap_flush_unused();
    __free_pages(block, order_of(n));
}

namespace {
struct lock_stress {
    spinlock_t lock;
    volatile u32 counter;
    unsigned rounds;
};
void add_under_lock(void* info) {
    auto* s = static_cast<lock_stress*>(info);
    for (unsigned i = 0; i < s->rounds; ++i) {
        spin_lock(&s->lock);
        u32 v = s->counter;  // a plain read-modify-write: only the lock makes it exclusive
        asm volatile("pause" ::: "memory");
        s->counter = v + 1;
        spin_unlock(&s->lock);
    }
}
}  // namespace

// Every CPU adds 20000 to one counter under one spinlock, all at once: no
// increment is lost.
KTEST(smp, spinlock_counter_stress) {
    KTEST_REQUIRE(num_online_cpus() > 1, "one CPU online");
    lock_stress s{};
    spin_lock_init(&s.lock, "smp_stress");
    s.rounds = 20000;
    on_each_cpu(add_under_lock, &s);
    EXPECT_EQ(s.counter, s.rounds * num_online_cpus());
    EXPECT_FALSE(spin_is_locked(&s.lock));
}

// Figures for the record (hm386 only: its diagnostic device reads the BSP's
// cycle counter), printed as a TAP comment at each CPU count: what a kernel
// TLB flush costs its initiator with the shootdown (local INVLPG or CR4.PGE
// toggle, one IPI per other CPU, the wait until all have flushed) against a
// kmap_local_page + kunmap_local pair, which stays local. Under hm386 the
// wait is bounded by the CPUs' turns (--smp-quantum, 1000 cycles by default):
// the figure is hm386's interleaving as much as the IPI. The counts are
// asserted: one IPI per other CPU per shootdown (none with no_shootdown_ipi),
// none for kmap_local.
KTEST(smp, shootdown_costs_in_cycles) {
    KTEST_REQUIRE_DIAG();
    KTEST_REQUIRE(totalhigh_pages() > 0, "no highmem in this configuration");
    auto cycles = [] { return ktest::diag_command(HM386_DIAG_CMD_CYCLES, 0); };
    page* p = alloc_page(GFP_HIGHUSER);
    ASSERT_NOT_NULL(p);
    constexpr unsigned N = 16;
    const unsigned me = smp_processor_id(), others = num_online_cpus() - 1;
    const unsigned ipis = no_shootdown_ipi ? 0 : others;  // per flush
    const u32 sent0 = per_cpu_data(me).ipis_sent;
    u64 t0 = cycles();
    for (unsigned i = 0; i < N; ++i) kunmap_local(kmap_local_page(p));
    u64 t1 = cycles();
    EXPECT_EQ(per_cpu_data(me).ipis_sent, sent0);
    const unsigned long va = VMALLOC_START() + 64 * PAGE_SIZE;  // nothing mapped there: the flush alone
    for (unsigned i = 0; i < N; ++i) flush_tlb_kernel_range(va, va + PAGE_SIZE);
    u64 t2 = cycles();
    EXPECT_EQ(per_cpu_data(me).ipis_sent - sent0, N * ipis);
    // A pkmap flush: one unused slot freed, the window flushed everywhere.
    u64 pkmap = 0;
    for (unsigned i = 0; i < N; ++i) {
        kmap(p);
        kunmap(p);
        u64 a = cycles();
        kmap_flush_unused();
        pkmap += cycles() - a;
    }
    EXPECT_EQ(per_cpu_data(me).ipis_sent - sent0, 2 * N * ipis);
    printk("# cost: %u CPU(s): kmap_local+kunmap_local %llu, flush_tlb_kernel_range (1 page) %llu, "
           "kmap_flush_unused (1 slot, pkmap flush) %llu cycles on the initiator; %u IPI(s) per flush\n",
           others + 1, (t1 - t0) / N, (t2 - t1) / N, pkmap / N, (per_cpu_data(me).ipis_sent - sent0) / (2 * N));
    __free_page(p);
}
