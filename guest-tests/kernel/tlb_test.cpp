// What the kernel's TLB maintenance leaves in the TLBs and what it costs, asked
// of hm386's diagnostic device (TLB probes, TLB statistics, the cycle counter).
// These cases need hm386: on QEMU and real hardware they are skipped.
#include <asm/cpufeature.hpp>
#include <asm/layout.hpp>
#include <asm/pgtable.hpp>
#include <devices/diag_protocol.hpp>
#include <kernel/highmem.hpp>
#include <kernel/mm.hpp>
#include <kernel/printk.hpp>
#include <kernel/slab.hpp>

#include "ktest.hpp"

namespace {
u64 probe(unsigned long va) { return ktest::diag_command(HM386_DIAG_CMD_TLB_PROBE, va); }
}  // namespace

// Kernel mappings carry the global bit when the CPU has PGE, so the TLB entry
// a kernel access creates is global (it would survive a CR3 switch).
KTEST(tlb, kernel_mappings_are_global) {
    KTEST_REQUIRE_DIAG();
    KTEST_REQUIRE(boot_cpu_data.has_pge, "this CPU has no PGE");
    static volatile u32 target;
    u32 value = target;  // a data access through the direct map
    (void)value;
    u64 bits = probe(reinterpret_cast<unsigned long>(&target));
    EXPECT_TRUE(bits & HM386_DIAG_PROBE_DTLB);
    EXPECT_TRUE(bits & HM386_DIAG_PROBE_GLOBAL);
}

// clear_kernel_pte() invalidates the page with invlpg: no stale translation
// of the old mapping may remain.
KTEST(tlb, clear_kernel_pte_leaves_no_stale_entry) {
    KTEST_REQUIRE_DIAG();
    unsigned long va = VMALLOC_START() + 32 * PAGE_SIZE;
    page* p = alloc_page(GFP_KERNEL);
    ASSERT_NOT_NULL(p);
    set_kernel_pte(va, page_to_pfn(p), PAGE_KERNEL());
    (void)*reinterpret_cast<volatile u32*>(va);
    EXPECT_TRUE(probe(va) & HM386_DIAG_PROBE_DTLB);
    clear_kernel_pte(va);
    EXPECT_EQ(probe(va) & (HM386_DIAG_PROBE_DTLB | HM386_DIAG_PROBE_ITLB), 0u);
    __free_page(p);
}

namespace {
u64 dtlb_stat(u32 counter) { return ktest::diag_command(HM386_DIAG_CMD_TLB_STAT, HM386_DIAG_TLB_DTLB | counter); }
u64 cycles() { return ktest::diag_command(HM386_DIAG_CMD_CYCLES, 0); }
}  // namespace

// kmap_local's whole TLB cost is one invlpg per unmap (none to map: the slot
// was not present, so nothing can be cached for it).
KTEST(tlb, kunmap_local_costs_exactly_one_invlpg) {
    KTEST_REQUIRE_DIAG();
    KTEST_REQUIRE(totalhigh_pages() > 0, "no highmem in this configuration");
    page* p = alloc_page(GFP_HIGHUSER);
    ASSERT_NOT_NULL(p);
    constexpr unsigned N = 32;
    preempt_disable();  // no context switch (and its slot teardown) in between
    u64 before = dtlb_stat(HM386_DIAG_STAT_FLUSH_INVLPG);
    for (unsigned i = 0; i < N; ++i) {
        auto* v = static_cast<volatile u32*>(kmap_local_page(p));
        v[0] = i;
        kunmap_local(const_cast<u32*>(v));
    }
    u64 after = dtlb_stat(HM386_DIAG_STAT_FLUSH_INVLPG);
    preempt_enable();
    EXPECT_EQ(after - before, N);
    __free_page(p);
}

// kunmap_local removes its translation from the TLB at once (the access
// before it put one there).
KTEST(tlb, kunmap_local_removes_its_translation) {
    KTEST_REQUIRE_DIAG();
    KTEST_REQUIRE(totalhigh_pages() > 0, "no highmem in this configuration");
    page* p = alloc_page(GFP_HIGHUSER);
    ASSERT_NOT_NULL(p);
    preempt_disable();  // a context switch would tear the slot down itself
    auto* v = static_cast<volatile u32*>(kmap_local_page(p));
    v[0] = 7;
    bool cached = probe(reinterpret_cast<unsigned long>(v)) & HM386_DIAG_PROBE_DTLB;
    kunmap_local(const_cast<u32*>(v));
    u64 after = probe(reinterpret_cast<unsigned long>(v));
    preempt_enable();
    EXPECT_TRUE(cached);
    EXPECT_EQ(after & (HM386_DIAG_PROBE_DTLB | HM386_DIAG_PROBE_ITLB), 0u);
    __free_page(p);
}

// The pkmap wrap's flush is one CR4.PGE toggle (hm386 counts each of its two
// CR4 writes as a flush), and the LAST_PKMAP - 1 new slots after it cost no
// TLB work at all: no flush, no invlpg.
KTEST_TIMEOUT(tlb, a_pkmap_wrap_is_one_pge_toggle_and_nothing_else, 30000) {
    KTEST_REQUIRE_DIAG();
    KTEST_REQUIRE(boot_cpu_data.has_pge, "this CPU has no PGE (a wrap is then a CR3 reload)");
    const unsigned last = LAST_PKMAP();
    KTEST_REQUIRE(totalhigh_pages() > 2 * last + 64, "needs more highmem pages than twice the pkmap slots");
    unsigned n = 2 * last + 1;
    auto** pages = static_cast<page**>(kcalloc(n, sizeof(page*), GFP_KERNEL));
    ASSERT_NOT_NULL(pages);
    unsigned got = 0;
    while (got < n && (pages[got] = alloc_page(GFP_HIGHUSER))) ++got;
    ASSERT_EQ(got, n);
    // Up to and including the first wrap: from then on the window is clean.
    unsigned long wraps = highmem_stats.pkmap_wraps;
    unsigned i = 0;
    for (; i < n && highmem_stats.pkmap_wraps == wraps; ++i) {
        kmap(pages[i]);
        kunmap(pages[i]);
    }
    preempt_disable();  // no context switch (CR3 reloads, kmap_local teardown) in the counts
    u64 cr4 = dtlb_stat(HM386_DIAG_STAT_FLUSH_CR4_CR0), invlpg = dtlb_stat(HM386_DIAG_STAT_FLUSH_INVLPG);
    preempt_enable();
    for (unsigned k = 1; k < last; ++k, ++i) {
        kmap(pages[i]);
        kunmap(pages[i]);
    }
    preempt_disable();
    u64 cr4_between = dtlb_stat(HM386_DIAG_STAT_FLUSH_CR4_CR0) - cr4, invlpg_between = dtlb_stat(HM386_DIAG_STAT_FLUSH_INVLPG) - invlpg;
    preempt_enable();
    kmap(pages[i]);  // the next wrap
    kunmap(pages[i]);
    u64 cr4_wrap = dtlb_stat(HM386_DIAG_STAT_FLUSH_CR4_CR0) - cr4 - cr4_between;
    EXPECT_EQ(highmem_stats.pkmap_wraps, wraps + 2);
    EXPECT_EQ(cr4_between, 0u);
    EXPECT_EQ(invlpg_between, 0u);
    EXPECT_EQ(cr4_wrap, 2u);  // PGE off, PGE on: one global flush
    for (unsigned k = 0; k < got; ++k) __free_page(pages[k]);
    kfree(pages);
}

// kunmap() leaves the pkmap translation in place (and possibly in the TLB)
// until the wrap-around flush, which drops it.
KTEST(tlb, kunmap_leaves_the_pkmap_translation_until_the_flush) {
    KTEST_REQUIRE_DIAG();
    KTEST_REQUIRE(totalhigh_pages() > LAST_PKMAP(), "needs more highmem pages than pkmap slots");
    page* p = alloc_page(GFP_HIGHUSER);
    ASSERT_NOT_NULL(p);
    auto* v = static_cast<volatile u32*>(kmap(p));
    v[0] = 1;
    kunmap(p);
    EXPECT_TRUE(probe(reinterpret_cast<unsigned long>(v)) & HM386_DIAG_PROBE_DTLB);
    // Map more distinct pages than there are slots (held, so that each one is
    // a new page): the search wraps around and flushes.
    unsigned n = LAST_PKMAP() + 1;
    auto** others = static_cast<page**>(kcalloc(n, sizeof(page*), GFP_KERNEL));
    ASSERT_NOT_NULL(others);
    unsigned long flushes = highmem_stats.pkmap_flushes;
    unsigned got = 0;
    for (; got < n && highmem_stats.pkmap_flushes == flushes; ++got) {
        others[got] = alloc_page(GFP_HIGHUSER);
        if (!others[got]) break;
        kmap(others[got]);
        kunmap(others[got]);
    }
    EXPECT_GT(highmem_stats.pkmap_flushes, flushes);
    EXPECT_EQ(probe(reinterpret_cast<unsigned long>(v)) & HM386_DIAG_PROBE_DTLB, 0u);
    for (unsigned i = 0; i < got; ++i)
        if (others[i]) __free_page(others[i]);
    kfree(others);
    __free_page(p);
}

// Figures, not checks: the cost of each mapping API in cycles, printed as
// TAP comments for the record (docs/kernel.md explains what they show).
// Prints the cycles per map + unmap; the figures themselves are asserted on the
// host, exactly, against guest-tests/golden/figures.txt (CTest figures.golden),
// since runs are deterministic and the guest cannot know the expected numbers.
KTEST(tlb, mapping_costs_in_cycles) {
    KTEST_REQUIRE_DIAG();
    KTEST_REQUIRE(totalhigh_pages() > 0, "no highmem in this configuration");
    page* p = alloc_page(GFP_HIGHUSER);
    ASSERT_NOT_NULL(p);
    constexpr unsigned N = 64;
    u64 t0 = cycles();
    for (unsigned i = 0; i < N; ++i) kunmap_local(kmap_local_page(p));
    u64 t1 = cycles();
    for (unsigned i = 0; i < N; ++i) kunmap_atomic(kmap_atomic(p));
    u64 t2 = cycles();
    for (unsigned i = 0; i < N; ++i) {
        kmap(p);
        kunmap(p);
    }
    u64 t3 = cycles();
    printk("# cost: kmap_local+kunmap_local %llu, kmap_atomic+kunmap_atomic %llu, kmap+kunmap (same page) %llu "
           "cycles per pair\n",
           (t1 - t0) / N, (t2 - t1) / N, (t3 - t2) / N);
    EXPECT_GT(t3, t0);
    __free_page(p);
}
