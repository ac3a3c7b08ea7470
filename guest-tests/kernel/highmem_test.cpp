// kmap and the persistent kmap window: lowmem pages never mapped, page_address
// and kmap_to_page, the pkmap_count states (0 / 1 / n), the wrap-around flush
// (exactly one global flush per wrap, at exactly LAST_PKMAP new slots), sleeping
// when every slot is in use and the re-check after the wake-up, the kmapinfo
// counters. kmap_local/kmap_atomic: kmap_local_test.cpp; misuse:
// highmem_misuse_test.cpp; every page's data: highmem_integrity_test.cpp.
#include <kernel/jiffies.hpp>

#include "highmem_fixture.hpp"

using hm_test::in_pkmap;
using hm_test::mapped;

struct pkmap : kmap_pages {};

KTEST(highmem, lowmem_pages_are_never_mapped) {
    page* p = alloc_page(GFP_KERNEL);
    ASSERT_NOT_NULL(p);
    kmapinfo before = get_kmapinfo();
    void* direct = page_address(p);
    EXPECT_EQ(direct, lowmem_page_address(p));
    EXPECT_EQ(kmap_to_page(direct), p);  // a direct-map address
    EXPECT_EQ(kmap(p), direct);
    kunmap(p);
    void* local = kmap_local_page(p);
    EXPECT_EQ(local, direct);
    kunmap_local(local);
    void* atomic = kmap_atomic(p);
    EXPECT_EQ(atomic, direct);
    kunmap_atomic(atomic);
    kmapinfo after = get_kmapinfo();
    EXPECT_EQ(after.kmap_calls, before.kmap_calls);
    EXPECT_EQ(after.local_maps, before.local_maps);
    EXPECT_EQ(after.atomic_maps, before.atomic_maps);
    EXPECT_EQ(after.invlpgs, before.invlpgs);
    __free_page(p);
}

// A highmem page has no kernel address until kmap gives it one; kmap_to_page
// and page_address translate both ways while it lasts.
KTEST_F(pkmap, page_address_is_null_until_kmap) {
    ASSERT_GE(n, 1u);
    // A page freed while its slot was unused may still have that address:
    // take one that has none.
    page* p = nullptr;
    for (unsigned i = 0; i < n && !p; ++i)
        if (!page_address(pages[i])) p = pages[i];
    ASSERT_NOT_NULL(p);
    void* a = kmap(p);
    EXPECT_TRUE(in_pkmap(a));
    EXPECT_EQ(page_address(p), a);
    EXPECT_EQ(kmap_to_page(a), p);
    EXPECT_EQ(kmap_to_page(static_cast<char*>(a) + 123), p);
    phys_addr_t phys = 0;
    EXPECT_TRUE(kernel_virt_to_phys(reinterpret_cast<unsigned long>(a), &phys, nullptr));
    EXPECT_EQ(phys, page_to_phys(p));
    kunmap(p);
}

// pkmap_count: n > 1 while kmapped (n - 1 users), 1 once unused (still mapped
// and known to page_address: kunmap neither clears nor flushes), 0 after the
// next wrap-around flush (free, unmapped, forgotten).
KTEST_F_TIMEOUT(pkmap, slot_states_0_1_n, 30000) {
    ASSERT_GT(n, LAST_PKMAP());
    page* p = pages[0];
    void* a = kmap(p);
    EXPECT_EQ(pkmap_count_at(a), 2);
    EXPECT_EQ(kmap(p), a);  // the same page: the same slot, one more user
    EXPECT_EQ(pkmap_count_at(a), 3);
    kunmap(p);
    EXPECT_EQ(pkmap_count_at(a), 2);
    kunmap(p);
    EXPECT_EQ(pkmap_count_at(a), 1);
    EXPECT_EQ(page_address(p), a);
    EXPECT_TRUE(mapped(a));
    EXPECT_EQ(kmap(p), a);  // mapped again: found in the hash, no new slot
    EXPECT_EQ(pkmap_count_at(a), 2);
    kunmap(p);
    // New pages until the search wraps around: the flush frees the slot.
    unsigned long wraps = highmem_stats.pkmap_wraps;
    for (unsigned i = 1; i < n && highmem_stats.pkmap_wraps == wraps; ++i) {
        kmap(pages[i]);
        kunmap(pages[i]);
    }
    ASSERT_EQ(highmem_stats.pkmap_wraps, wraps + 1);
    if (reinterpret_cast<unsigned long>(a) != PKMAP_ADDR(0)) {  // slot 0 is taken again by the wrapping kmap
        EXPECT_EQ(pkmap_count_at(a), 0);
        EXPECT_FALSE(mapped(a));
    }
    EXPECT_NULL(page_address(p));
}

// The wrap: the map that brings the search back to slot 0 runs
// flush_all_zero_pkmaps(), which frees every unused slot with one global TLB
// flush. From then on the next LAST_PKMAP - 1 new pages take slots 1, 2, ...
// without any flush, and the one after wraps again: LAST_PKMAP (1024 2-level,
// 512 PAE) new slots per global flush.
KTEST_F_TIMEOUT(pkmap, a_wrap_costs_exactly_one_global_flush, 30000) {
    ASSERT_GE(n, 2 * LAST_PKMAP() + 1);
    const unsigned last = LAST_PKMAP();
    unsigned long wraps = highmem_stats.pkmap_wraps, flushes = highmem_stats.pkmap_flushes;
    unsigned i = 0;
    while (highmem_stats.pkmap_wraps == wraps && i <= last) {
        kmap(pages[i]);
        kunmap(pages[i]);
        ++i;
    }
    ASSERT_EQ(highmem_stats.pkmap_wraps, wraps + 1);
    EXPECT_EQ(highmem_stats.pkmap_flushes, flushes + 1);
    EXPECT_EQ(reinterpret_cast<unsigned long>(page_address(pages[i - 1])), PKMAP_ADDR(0));
    if (i > 1) EXPECT_NULL(page_address(pages[0]));  // unused at the flush: forgotten
    unsigned f, unused, used;
    pkmap_slot_counts(&f, &unused, &used);
    EXPECT_EQ(used, 0u);
    EXPECT_EQ(unused, 1u);  // only slot 0, just used
    EXPECT_EQ(f, last - 1);
    unsigned long wrong_slot = 0;
    for (unsigned k = 1; k < last; ++k, ++i) {
        void* a = kmap(pages[i]);
        wrong_slot += reinterpret_cast<unsigned long>(a) != PKMAP_ADDR(k);
        kunmap(pages[i]);
    }
    EXPECT_EQ(wrong_slot, 0u);
    EXPECT_EQ(highmem_stats.pkmap_wraps, wraps + 1);
    EXPECT_EQ(highmem_stats.pkmap_flushes, flushes + 1);
    unsigned long slots_flushed = highmem_stats.pkmap_slots_flushed;
    void* a = kmap(pages[i]);
    kunmap(pages[i]);
    EXPECT_EQ(reinterpret_cast<unsigned long>(a), PKMAP_ADDR(0));
    EXPECT_EQ(highmem_stats.pkmap_wraps, wraps + 2);
    EXPECT_EQ(highmem_stats.pkmap_flushes, flushes + 2);
    EXPECT_EQ(highmem_stats.pkmap_slots_flushed - slots_flushed, last);  // every slot was unused
}

namespace {

// Two threads share the window: A holds half of it, B the other half and then
// asks for one more page.
struct Sharers {
    page** pages;
    unsigned half;
    volatile bool a_ready = false, b_full = false, release_one = false, released = false, b_done = false,
                  release_all = false;
    void* a_first = nullptr;   // A's first slot, which it gives back first
    void* b_extra = nullptr;   // what B's last kmap returned
};

void wait_for(const volatile bool& flag) {
    while (!flag) msleep(1);
}

int holder_a(void* arg) {
    auto* s = static_cast<Sharers*>(arg);
    for (unsigned i = 0; i < s->half; ++i) {
        void* a = kmap(s->pages[i]);
        if (i == 0) s->a_first = a;
    }
    s->a_ready = true;
    wait_for(s->release_one);
    kunmap(s->pages[0]);
    s->released = true;
    wait_for(s->release_all);
    for (unsigned i = 1; i < s->half; ++i) kunmap(s->pages[i]);
    return 0;
}

int holder_b(void* arg) {
    auto* s = static_cast<Sharers*>(arg);
    for (unsigned i = s->half; i < 2 * s->half; ++i) kmap(s->pages[i]);
    s->b_full = true;
    s->b_extra = kmap(s->pages[2 * s->half]);  // every slot in use: sleeps
    s->b_done = true;
    wait_for(s->release_all);
    for (unsigned i = s->half; i <= 2 * s->half; ++i) kunmap(s->pages[i]);
    return 0;
}

}  // namespace

// Two threads exhaust the window between them; the next kmap sleeps
// (uninterruptibly) on pkmap_map_wait until the other thread's kunmap brings a
// slot down to count 1, and then gets exactly that slot (after the flush).
KTEST_F_TIMEOUT(pkmap, kmap_sleeps_until_another_thread_kunmaps, 30000) {
    ASSERT_GT(n, LAST_PKMAP());
    Sharers s{pages, LAST_PKMAP() / 2};
    unsigned long waits = highmem_stats.kmap_high_waits;
    task_struct* a = kthread_run(holder_a, &s, "ktest-pkmap-a");
    ASSERT_NOT_NULL(a);
    wait_for(s.a_ready);
    task_struct* b = kthread_run(holder_b, &s, "ktest-pkmap-b");
    ASSERT_NOT_NULL(b);
    wait_for(s.b_full);
    for (unsigned t = 0; t < 1000 && highmem_stats.kmap_high_waits == waits; ++t) msleep(1);
    msleep(20);
    EXPECT_EQ(highmem_stats.kmap_high_waits, waits + 1);
    EXPECT_EQ(b->state, TASK_UNINTERRUPTIBLE);
    EXPECT_FALSE(s.b_done);
    unsigned f, unused, used;
    pkmap_slot_counts(&f, &unused, &used);
    EXPECT_EQ(used, LAST_PKMAP());
    s.release_one = true;
    wait_for(s.released);
    wait_for(s.b_done);
    EXPECT_EQ(s.b_extra, s.a_first);  // the only slot the flush could free
    EXPECT_EQ(highmem_stats.kmap_high_waits, waits + 1);
    s.release_all = true;
    EXPECT_EQ(kthread_join(a), 0);
    EXPECT_EQ(kthread_join(b), 0);
    put_task_struct(a);
    put_task_struct(b);
}

namespace {
struct Waiter {
    page* page;
    void* addr = nullptr;
    int count = 0;
    volatile bool done = false;
};
int kmap_and_report(void* arg) {
    auto* w = static_cast<Waiter*>(arg);
    w->addr = kmap(w->page);
    w->count = pkmap_count_at(w->addr);
    w->done = true;
    kunmap(w->page);
    return 0;
}
}  // namespace

// A kmap woken from pkmap_map_wait must look the page up again: meanwhile
// another thread may have mapped that very page, and the two must share its
// slot (Linux's "Somebody else might have mapped it while we slept").
KTEST_F_TIMEOUT(pkmap, a_woken_kmap_rechecks_the_page_address, 30000) {
    ASSERT_GT(n, LAST_PKMAP());
    const unsigned last = LAST_PKMAP();
    for (unsigned i = 0; i < last; ++i) kmap(pages[i]);
    unsigned long waits = highmem_stats.kmap_high_waits;
    Waiter w{pages[last]};
    task_struct* t = kthread_run(kmap_and_report, &w, "ktest-pkmap-wait");
    ASSERT_NOT_NULL(t);
    for (unsigned i = 0; i < 1000 && highmem_stats.kmap_high_waits == waits; ++i) msleep(1);
    ASSERT_EQ(highmem_stats.kmap_high_waits, waits + 1);
    unsigned long new_slots = highmem_stats.kmap_high_new;
    // With preemption off the woken thread cannot run before we map its page.
    preempt_disable();
    kunmap(pages[0]);                    // count 1: wakes the sleeper
    void* mine = kmap_high(pages[last]); // wraps, flushes, takes the freed slot
    preempt_enable();                    // now the sleeper runs and re-checks
    EXPECT_EQ(kthread_join(t), 0);
    put_task_struct(t);
    EXPECT_TRUE(w.done);
    EXPECT_EQ(w.addr, mine);
    EXPECT_EQ(w.count, 3);  // two users: us and the woken thread
    EXPECT_EQ(highmem_stats.kmap_high_new, new_slots + 1);  // only our kmap made a slot
    kunmap(pages[last]);
    for (unsigned i = 1; i < last; ++i) kunmap(pages[i]);
}

// kmapinfo counts exactly what each API did, and the report prints it.
KTEST_F(pkmap, kmapinfo_counts_each_api) {
    ASSERT_GE(n, 2u);
    page* p = pages[0];
    for (unsigned i = 0; i < n && page_address(p); ++i) p = pages[i];
    ASSERT_NULL(page_address(p));
    kmapinfo k0 = get_kmapinfo();
    void* a = kmap(p);
    kmapinfo k1 = get_kmapinfo();
    EXPECT_EQ(k1.kmap_calls, k0.kmap_calls + 1);
    EXPECT_EQ(k1.pkmap_in_use, k0.pkmap_in_use + 1);
    kunmap(p);
    kmapinfo k2 = get_kmapinfo();
    EXPECT_EQ(k2.pkmap_in_use, k0.pkmap_in_use);
    EXPECT_EQ(k2.pkmap_unused_mapped, k1.pkmap_unused_mapped + 1);
    EXPECT_EQ(k2.invlpgs, k0.invlpgs);  // kunmap flushes nothing
    preempt_disable();  // no context switch (and its own invlpgs) in between
    kunmap_local(kmap_local_page(pages[1]));
    kunmap_atomic(kmap_atomic(pages[1]));
    kmapinfo k3 = get_kmapinfo();
    preempt_enable();
    EXPECT_EQ(k3.local_maps, k0.local_maps + 1);
    EXPECT_EQ(k3.atomic_maps, k0.atomic_maps + 1);
    EXPECT_EQ(k3.invlpgs, k0.invlpgs + 2);
    EXPECT_EQ(k3.kmap_calls, k0.kmap_calls + 1);
    (void)a;

    ktest::ConsoleCapture capture;
    kmapinfo k = get_kmapinfo();
    show_kmapinfo();
    char line[96];
    snprintf(line, sizeof line, "  kmap calls:          %8lu", k.kmap_calls);
    EXPECT_OUTPUT(capture, line);
    snprintf(line, sizeof line, "  pkmap slots in use:  %8u  of %u (%u unused but still mapped, %u free)", k.pkmap_in_use,
             LAST_PKMAP(), k.pkmap_unused_mapped, k.pkmap_free);
    EXPECT_OUTPUT(capture, line);
    snprintf(line, sizeof line, "  pkmap wraps:         %8lu", k.pkmap_wraps);
    EXPECT_OUTPUT(capture, line);
    snprintf(line, sizeof line, "  global TLB flushes:  %8lu", k.global_flushes);
    EXPECT_OUTPUT(capture, line);
    snprintf(line, sizeof line, "  kmap waits:          %8lu", k.kmap_waits);
    EXPECT_OUTPUT(capture, line);
    snprintf(line, sizeof line, "  kmap_local maps:     %8lu", k.local_maps);
    EXPECT_OUTPUT(capture, line);
    snprintf(line, sizeof line, "  kmap_atomic maps:    %8lu", k.atomic_maps);
    EXPECT_OUTPUT(capture, line);
    snprintf(line, sizeof line, "  INVLPGs issued:      %8lu", k.invlpgs);
    EXPECT_OUTPUT(capture, line);
}

// __GFP_ZERO on highmem zeroes through kmap_local.
KTEST(highmem, gfp_zero_clears_highmem_pages) {
    KTEST_REQUIRE(totalhigh_pages() > 0, "no highmem in this configuration");
    constexpr unsigned N = 64;
    page* dirty[N];
    for (unsigned i = 0; i < N; ++i) {
        dirty[i] = alloc_page(GFP_HIGHUSER);
        ASSERT_NOT_NULL(dirty[i]);
        void* v = kmap_local_page(dirty[i]);
        memset(v, 0xAA, PAGE_SIZE);
        kunmap_local(v);
    }
    for (unsigned i = 0; i < N; ++i) __free_page(dirty[i]);
    unsigned reused = 0;
    unsigned long nonzero = 0;
    page* clean[N];
    for (unsigned i = 0; i < N; ++i) {
        clean[i] = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
        ASSERT_NOT_NULL(clean[i]);
        for (unsigned j = 0; j < N; ++j) reused += clean[i] == dirty[j];
        auto* v = static_cast<const u8*>(kmap_local_page(clean[i]));
        for (unsigned b = 0; b < PAGE_SIZE; ++b) nonzero += v[b] != 0;
        kunmap_local(v);
    }
    for (unsigned i = 0; i < N; ++i) __free_page(clean[i]);
    EXPECT_GT(reused, 0u);  // some dirtied pages came back: the test means something
    EXPECT_EQ(nonzero, 0u);
}

KTEST(highmem, copy_highpage_copies) {
    page* a = alloc_page(GFP_HIGHUSER);
    page* b = alloc_page(GFP_HIGHUSER);
    ASSERT_NOT_NULL(a);
    ASSERT_NOT_NULL(b);
    memcpy_to_page(a, 100, "highmem386", 10);
    copy_highpage(b, a);
    char buf[11] = {};
    memcpy_from_page(buf, b, 100, 10);
    EXPECT_STREQ(buf, "highmem386");
    __free_page(a);
    __free_page(b);
}

// Linux's kmap_flush_unused(): the unused slots a wrap would free, now. A slot
// that kunmap left at count 1 (page address still recorded) goes to 0 with
// its address forgotten, in one global flush; with no unused slot, no flush.
KTEST_F(pkmap, kmap_flush_unused_frees_unused_slots) {
    ASSERT_GE(n, 1u);
    kmap_flush_unused();  // start from no unused slot
    void* a = kmap(pages[0]);
    kunmap(pages[0]);
    EXPECT_EQ(page_address(pages[0]), a);
    EXPECT_EQ(pkmap_count_at(a), 1);
    unsigned long wraps = highmem_stats.pkmap_wraps, flushes = highmem_stats.pkmap_flushes,
                  freed = highmem_stats.pkmap_slots_flushed;
    kmap_flush_unused();
    EXPECT_NULL(page_address(pages[0]));
    EXPECT_EQ(pkmap_count_at(a), 0);
    EXPECT_FALSE(hm_test::mapped(a));
    EXPECT_EQ(highmem_stats.pkmap_flushes, flushes + 1);
    EXPECT_GE(highmem_stats.pkmap_slots_flushed, freed + 1);
    EXPECT_EQ(highmem_stats.pkmap_wraps, wraps);  // not a wrap
    kmap_flush_unused();
    EXPECT_EQ(highmem_stats.pkmap_flushes, flushes + 1);
}
