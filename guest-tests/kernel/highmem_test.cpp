// kmap, kmap_local and kmap_atomic on highmem pages: addresses, the pkmap
// slot states (0 / 1 / n), the wrap-around flush, sleeping when the window is
// full, per-thread fixmap slots across context switches, LIFO and nesting
// limits, use from interrupt context, __GFP_ZERO through kmap_local.
#include <asm/highmem.hpp>
#include <asm/layout.hpp>
#include <kernel/highmem.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/slab.hpp>
#include <kernel/timer.hpp>

#include "ktest.hpp"

namespace {

bool mapped(unsigned long va) { return kernel_virt_to_phys(va, nullptr, nullptr); }

bool in_pkmap(const void* p) {
    auto a = reinterpret_cast<unsigned long>(p);
    return a >= PKMAP_BASE() && a < PKMAP_ADDR(LAST_PKMAP());
}

// A fixture holding n highmem pages.
struct kmap_pages : ktest::Test {
    static constexpr unsigned MAX = 1100;  // more than LAST_PKMAP in either mode
    page** pages = nullptr;
    unsigned n = 0;
    void SetUp() override {
        if (!totalhigh_pages()) {
            ktest::skip("no highmem in this configuration");
            return;
        }
        pages = static_cast<page**>(kcalloc(MAX, sizeof(page*), GFP_KERNEL));
        ASSERT_NOT_NULL(pages);
        for (n = 0; n < MAX; ++n) {
            pages[n] = alloc_page(GFP_HIGHUSER | __GFP_NOWARN);
            if (!pages[n] || !PageHighMem(pages[n])) break;
        }
        if (n < MAX && pages[n]) __free_page(pages[n]);  // a fallback to lowmem: not wanted
    }
    void TearDown() override {
        for (unsigned i = 0; i < n; ++i) __free_page(pages[i]);
        kfree(pages);
    }
};

}  // namespace

KTEST(highmem, lowmem_pages_are_never_mapped) {
    page* p = alloc_page(GFP_KERNEL);
    ASSERT_NOT_NULL(p);
    unsigned long maps = highmem_stats.kmap_local_maps, calls = highmem_stats.kmap_high_calls;
    void* direct = page_address(p);
    EXPECT_EQ(kmap(p), direct);
    kunmap(p);
    void* local = kmap_local_page(p);
    EXPECT_EQ(local, direct);
    kunmap_local(local);
    void* atomic = kmap_atomic(p);
    EXPECT_EQ(atomic, direct);
    kunmap_atomic(atomic);
    EXPECT_EQ(highmem_stats.kmap_local_maps, maps);
    EXPECT_EQ(highmem_stats.kmap_high_calls, calls);
    __free_page(p);
}

KTEST_F(kmap_pages, kmap_uses_the_pkmap_window_and_counts_users) {
    ASSERT_GE(n, 2u);
    page* p = pages[0];
    // A page freed while its slot was unused may still have that address.
    void* before = page_address(p);
    void* a = kmap(p);
    EXPECT_TRUE(in_pkmap(a));
    if (before) EXPECT_EQ(a, before);
    EXPECT_EQ(page_address(p), a);
    EXPECT_EQ(kmap_to_page(a), p);
    phys_addr_t phys = 0;
    EXPECT_TRUE(kernel_virt_to_phys(reinterpret_cast<unsigned long>(a), &phys, nullptr));
    EXPECT_EQ(phys, page_to_phys(p));
    void* again = kmap(p);  // the same page: the same slot, one more user
    EXPECT_EQ(again, a);
    unsigned f, unused, used;
    pkmap_slot_counts(&f, &unused, &used);
    EXPECT_GE(used, 1u);
    kunmap(p);
    kunmap(p);
    // Unused (count 1): still mapped, still known to page_address, until the
    // wrap-around flush.
    EXPECT_EQ(page_address(p), a);
    EXPECT_TRUE(mapped(reinterpret_cast<unsigned long>(a)));
    void* b = kmap(pages[1]);
    EXPECT_NE(b, a);
    kunmap(pages[1]);
}

KTEST_F(kmap_pages, data_written_through_kmap_is_in_the_page) {
    ASSERT_GE(n, 1u);
    auto* k = static_cast<u32*>(kmap(pages[0]));
    for (unsigned i = 0; i < PAGE_SIZE / 4; ++i) k[i] = 0xC0DE0000u + i;
    kunmap(pages[0]);
    auto* l = static_cast<u32*>(kmap_local_page(pages[0]));
    unsigned long wrong = 0;
    for (unsigned i = 0; i < PAGE_SIZE / 4; ++i) wrong += l[i] != 0xC0DE0000u + i;
    kunmap_local(l);
    EXPECT_EQ(wrong, 0u);
}

// Mapping more distinct pages than the window has slots wraps the search to
// slot 0, which flushes every unused slot: their PTEs are cleared, their pages
// forget their addresses, and the TLB is flushed once for all of them.
KTEST_F_TIMEOUT(kmap_pages, wrap_around_flushes_unused_slots, 30000) {
    ASSERT_GT(n, LAST_PKMAP());
    unsigned long flushes = highmem_stats.pkmap_flushes;
    void* first = kmap(pages[0]);
    kunmap(pages[0]);
    for (unsigned i = 1; i <= LAST_PKMAP(); ++i) {
        void* a = kmap(pages[i]);
        kunmap(pages[i]);
        (void)a;
    }
    EXPECT_GE(highmem_stats.pkmap_flushes, flushes + 1);
    // pages[0]'s slot was unused at the flush: it lost its address, and the
    // slot was handed out again to a later page.
    EXPECT_NE(page_address(pages[0]), first);
    unsigned f, unused, used;
    pkmap_slot_counts(&f, &unused, &used);
    EXPECT_EQ(used, 0u);
    EXPECT_EQ(f + unused, LAST_PKMAP() - 0 * used);
}

namespace {
struct Blocked {
    page* page;
    void* addr = nullptr;
    volatile bool done = false;
};
int kmap_one(void* arg) {
    auto* b = static_cast<Blocked*>(arg);
    b->addr = kmap(b->page);
    b->done = true;
    kunmap(b->page);
    return 0;
}
}  // namespace

// With every slot in use, kmap() sleeps on pkmap_map_wait until a kunmap()
// makes a slot unused; the wrap-around flush then frees it.
KTEST_F_TIMEOUT(kmap_pages, kmap_sleeps_while_every_slot_is_in_use, 30000) {
    ASSERT_GT(n, LAST_PKMAP());
    unsigned long waits = highmem_stats.kmap_high_waits;
    for (unsigned i = 0; i < LAST_PKMAP(); ++i) kmap(pages[i]);
    unsigned f, unused, used;
    pkmap_slot_counts(&f, &unused, &used);
    EXPECT_EQ(used, LAST_PKMAP());
    Blocked b{pages[LAST_PKMAP()]};
    task_struct* t = kthread_run(kmap_one, &b, "ktest-kmap");
    ASSERT_NOT_NULL(t);
    msleep(50);
    EXPECT_FALSE(b.done);
    EXPECT_EQ(t->state, TASK_UNINTERRUPTIBLE);
    EXPECT_EQ(highmem_stats.kmap_high_waits, waits + 1);
    kunmap(pages[7]);  // one slot becomes unused: the sleeper is woken
    EXPECT_EQ(kthread_join(t), 0);
    put_task_struct(t);
    EXPECT_TRUE(b.done);
    EXPECT_TRUE(in_pkmap(b.addr));
    for (unsigned i = 0; i < LAST_PKMAP(); ++i)
        if (i != 7) kunmap(pages[i]);
}

KTEST_F(kmap_pages, kmap_local_nests_in_fixmap_slots_lifo) {
    ASSERT_GE(n, 3u);
    unsigned depth = current->kmap_ctrl.idx;
    void* a = kmap_local_page(pages[0]);
    void* b = kmap_local_page(pages[1]);
    void* c = kmap_local_page(pages[2]);
    EXPECT_EQ(reinterpret_cast<unsigned long>(a), fix_to_virt(FIX_KMAP_BEGIN + depth));
    EXPECT_EQ(reinterpret_cast<unsigned long>(b), reinterpret_cast<unsigned long>(a) - PAGE_SIZE);
    EXPECT_EQ(reinterpret_cast<unsigned long>(c), reinterpret_cast<unsigned long>(b) - PAGE_SIZE);
    EXPECT_EQ(current->kmap_ctrl.idx, depth + 3);
    EXPECT_EQ(kmap_to_page(b), pages[1]);
    EXPECT_NE(page_address(pages[1]), b);  // kmap_local addresses are not recorded
    kunmap_local(c);
    EXPECT_FALSE(mapped(reinterpret_cast<unsigned long>(c)));  // PTE cleared at once
    kunmap_local(b);
    kunmap_local(a);
    EXPECT_EQ(current->kmap_ctrl.idx, depth);
    EXPECT_FALSE(mapped(reinterpret_cast<unsigned long>(a)));
}

namespace {
struct SlotUser {
    page* page;
    u32 pattern;
    void* addr = nullptr;
    unsigned long mismatches = 0;
};
// Maps its page, then yields many times; each time it runs again its slot
// must show its own page, though another thread uses the same address.
int use_slot(void* arg) {
    auto* s = static_cast<SlotUser*>(arg);
    auto* v = static_cast<volatile u32*>(kmap_local_page(s->page));
    s->addr = const_cast<u32*>(v);
    for (unsigned round = 0; round < 200; ++round) {
        v[round] = s->pattern + round;
        yield();
        if (v[round] != s->pattern + round) ++s->mismatches;
    }
    kunmap_local(const_cast<u32*>(v));
    return 0;
}
}  // namespace

KTEST_F(kmap_pages, kmap_local_slots_follow_their_thread_across_switches) {
    ASSERT_GE(n, 2u);
    unsigned long outs = highmem_stats.kmap_local_sched_out;
    SlotUser a{pages[0], 0xA0000000u}, b{pages[1], 0xB0000000u};
    task_struct* ta = kthread_run(use_slot, &a, "ktest-slot-a");
    task_struct* tb = kthread_run(use_slot, &b, "ktest-slot-b");
    ASSERT_NOT_NULL(ta);
    ASSERT_NOT_NULL(tb);
    kthread_join(ta);
    kthread_join(tb);
    put_task_struct(ta);
    put_task_struct(tb);
    EXPECT_EQ(a.addr, b.addr);  // both were the first mapping of their thread
    EXPECT_EQ(a.mismatches, 0u);
    EXPECT_EQ(b.mismatches, 0u);
    EXPECT_GT(highmem_stats.kmap_local_sched_out, outs);
    // Each page holds only its own thread's writes.
    auto* va = static_cast<u32*>(kmap_local_page(pages[0]));
    auto* vb = static_cast<u32*>(kmap_local_page(pages[1]));
    EXPECT_EQ(va[199], 0xA0000000u + 199);
    EXPECT_EQ(vb[199], 0xB0000000u + 199);
    kunmap_local(vb);
    kunmap_local(va);
}

KTEST_F(kmap_pages, kmap_atomic_disables_preemption_and_page_faults) {
    ASSERT_GE(n, 1u);
    u32 pc = preempt_count();
    void* a = kmap_atomic(pages[0]);
    EXPECT_EQ(preempt_count(), pc + 1);
    EXPECT_TRUE(pagefault_disabled());
    EXPECT_EQ(kmap_to_page(a), pages[0]);
    kunmap_atomic(a);
    EXPECT_EQ(preempt_count(), pc);
    EXPECT_FALSE(pagefault_disabled());
}

namespace {
struct IrqMap {
    timer_list timer;
    page* page;
    volatile u32 seen = 0;
    volatile bool ran = false;
    volatile unsigned depth_in_irq = 0;
};
void map_in_irq(timer_list* t) {
    auto* m = container_of(t, IrqMap, timer);
    auto* v = static_cast<u32*>(kmap_local_page(m->page));
    m->depth_in_irq = current->kmap_ctrl.idx;
    m->seen = v[0];
    kunmap_local(v);
    m->ran = true;
}
}  // namespace

// An interrupt handler nests its mapping above the interrupted thread's.
KTEST_F(kmap_pages, kmap_local_from_interrupt_context) {
    ASSERT_GE(n, 2u);
    auto* mine = static_cast<volatile u32*>(kmap_local_page(pages[0]));
    mine[0] = 0x1111;
    memcpy_to_page(pages[1], 0, "\x22\x22\x00\x00", 4);
    IrqMap m;
    m.page = pages[1];
    timer_setup(&m.timer, map_in_irq);
    mod_timer(&m.timer, get_jiffies_64() + 2);
    u64 end = get_jiffies_64() + 20;
    while (!m.ran && get_jiffies_64() < end) mine[1] = mine[0];  // busy, mapping held
    EXPECT_TRUE(m.ran);
    EXPECT_EQ(m.seen, 0x2222u);
    EXPECT_GE(m.depth_in_irq, 2u);
    EXPECT_EQ(mine[0], 0x1111u);  // our slot untouched
    kunmap_local(const_cast<u32*>(mine));
}

namespace {
int nest_too_deep(void* arg) {
    auto** pages = static_cast<page**>(arg);
    for (unsigned i = 0; i <= KM_MAX_IDX; ++i) kmap_local_page(pages[i]);  // one too many
    return 0;
}
int unmap_out_of_order(void* arg) {
    auto** pages = static_cast<page**>(arg);
    void* a = kmap_local_page(pages[0]);
    kmap_local_page(pages[1]);
    kunmap_local(a);  // not the last one
    return 0;
}
int kmap_in_atomic_context(void* arg) {
    preempt_disable();
    kmap(static_cast<page**>(arg)[0]);
    return 0;
}
}  // namespace

KTEST_F(kmap_pages, nesting_beyond_km_max_idx_is_a_bug) {
    ASSERT_GT(n, KM_MAX_IDX);
    EXPECT_TRUE(ktest::expect_oops_in_thread(nest_too_deep, pages, "ktest-nest"));
    // The dead thread's slots were torn down.
    EXPECT_FALSE(mapped(fix_to_virt(FIX_KMAP_BEGIN)));
}

KTEST_F(kmap_pages, unmapping_out_of_order_is_a_bug) {
    ASSERT_GE(n, 2u);
    EXPECT_TRUE(ktest::expect_oops_in_thread(unmap_out_of_order, pages, "ktest-lifo"));
    EXPECT_FALSE(mapped(fix_to_virt(FIX_KMAP_BEGIN)));
    EXPECT_FALSE(mapped(fix_to_virt(FIX_KMAP_BEGIN + 1)));
}

KTEST_F(kmap_pages, kmap_may_sleep_so_not_in_atomic_context) {
    ASSERT_GE(n, 1u);
    EXPECT_TRUE(ktest::expect_oops_in_thread(kmap_in_atomic_context, pages, "ktest-kmapatomic"));
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
