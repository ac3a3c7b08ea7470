// kmap_local_page, kmap_local_folio and kmap_atomic: per-thread fixmap slots,
// nesting and LIFO, one invlpg per unmap (kunmap, by contrast, leaves its
// translation), preemption left on (kmap_atomic: off, with page faults), the
// slots following their thread across voluntary and involuntary context
// switches, and use from interrupt context.
#include <kernel/jiffies.hpp>
#include <kernel/timer.hpp>

#include "highmem_fixture.hpp"

using hm_test::local_slot_addr;
using hm_test::mapped;

struct kmap_local : kmap_pages {};

KTEST_F(kmap_local, nests_in_fixmap_slots_lifo_with_preemption_on) {
    ASSERT_GE(n, 3u);
    unsigned depth = current->kmap_ctrl.idx;
    u32 pc = preempt_count();
    void* a = kmap_local_page(pages[0]);
    void* b = kmap_local_page(pages[1]);
    void* c = kmap_local_page(pages[2]);
    EXPECT_EQ(reinterpret_cast<unsigned long>(a), local_slot_addr(depth));
    EXPECT_EQ(reinterpret_cast<unsigned long>(b), reinterpret_cast<unsigned long>(a) - KM_INCR() * PAGE_SIZE);
    EXPECT_EQ(reinterpret_cast<unsigned long>(c), reinterpret_cast<unsigned long>(b) - KM_INCR() * PAGE_SIZE);
    EXPECT_EQ(current->kmap_ctrl.idx, depth + 3);
    EXPECT_EQ(preempt_count(), pc);  // unlike kmap_atomic
    EXPECT_TRUE(preemptible());
    EXPECT_EQ(kmap_to_page(b), pages[1]);
    EXPECT_NE(page_address(pages[1]), b);  // kmap_local addresses are not recorded
    kunmap_local(c);
    EXPECT_FALSE(mapped(c));  // PTE cleared at once
    kunmap_local(b);
    kunmap_local(a);
    EXPECT_EQ(current->kmap_ctrl.idx, depth);
    EXPECT_FALSE(mapped(a));
}

// The contrast the two APIs are about: kunmap leaves the pkmap translation in
// place (no flush, no invlpg), kunmap_local removes its translation with
// exactly one invlpg.
KTEST_F(kmap_local, kunmap_leaves_its_mapping_kunmap_local_removes_it) {
    ASSERT_GE(n, 2u);
    auto* k = static_cast<volatile u32*>(kmap(pages[0]));
    k[0] = 0x4B4D4150;  // "KMAP"
    unsigned long invlpgs = highmem_stats.kmap_local_invlpgs, flushes = highmem_stats.pkmap_flushes;
    kunmap(pages[0]);
    EXPECT_TRUE(mapped(const_cast<u32*>(k)));
    EXPECT_EQ(k[0], 0x4B4D4150u);  // still readable through the stale-but-valid slot
    EXPECT_EQ(highmem_stats.kmap_local_invlpgs, invlpgs);
    EXPECT_EQ(highmem_stats.pkmap_flushes, flushes);
    preempt_disable();  // no context switch in between (it would invlpg too)
    auto* l = static_cast<volatile u32*>(kmap_local_page(pages[1]));
    l[0] = 0x4C4F4341;  // "LOCA"
    kunmap_local(const_cast<u32*>(l));
    unsigned long after = highmem_stats.kmap_local_invlpgs;
    preempt_enable();
    EXPECT_FALSE(mapped(const_cast<u32*>(l)));
    EXPECT_EQ(after, invlpgs + 1);
}

namespace {
struct SlotUser {
    page* page;
    u32 pattern;
    bool preempt_only;        // never yield: wait to be preempted
    void* addr = nullptr;
    unsigned long mismatches = 0;
    unsigned long rounds = 0;
};

// Maps its page and keeps checking that the slot shows its own page while
// other threads run (and map their own pages at the same address).
int use_slot(void* arg) {
    auto* s = static_cast<SlotUser*>(arg);
    auto* v = static_cast<volatile u32*>(kmap_local_page(s->page));
    s->addr = const_cast<u32*>(v);
    if (!s->preempt_only) {
        for (unsigned round = 0; round < 200; ++round) {
            v[round] = s->pattern + round;
            yield();
            if (v[round] != s->pattern + round) ++s->mismatches;
        }
    } else {
        // Spin until preempted several times, checking all along.
        u64 end = get_jiffies_64() + 2 * HZ;
        v[0] = s->pattern;
        while (current->nivcsw < 4 && get_jiffies_64() < end) {
            ++s->rounds;
            v[1 + s->rounds % 1000] = s->pattern + static_cast<u32>(s->rounds);
            if (v[0] != s->pattern || v[1 + s->rounds % 1000] != s->pattern + static_cast<u32>(s->rounds))
                ++s->mismatches;
        }
    }
    kunmap_local(const_cast<u32*>(v));
    return 0;
}

void run_two(kmap_pages* f, bool preempt_only, SlotUser* a, SlotUser* b, task_struct** ta, task_struct** tb) {
    *a = SlotUser{f->pages[0], 0xA0000000u, preempt_only};
    *b = SlotUser{f->pages[1], 0xB0000000u, preempt_only};
    // One CPU for both: they take turns in that CPU's slot (on two CPUs they
    // would use two blocks and never switch; sched_smp covers that).
    const unsigned cpu = smp_processor_id();
    *ta = ktest::kthread_run_on(use_slot, a, "ktest-slot-a", cpu);
    *tb = ktest::kthread_run_on(use_slot, b, "ktest-slot-b", cpu);
}
}  // namespace

KTEST_F(kmap_local, slots_follow_their_thread_across_yields) {
    ASSERT_GE(n, 2u);
    unsigned long outs = highmem_stats.kmap_local_sched_out, ins = highmem_stats.kmap_local_sched_in;
    SlotUser a{nullptr, 0, false}, b{nullptr, 0, false};
    task_struct *ta, *tb;
    run_two(this, false, &a, &b, &ta, &tb);
    ASSERT_NOT_NULL(ta);
    ASSERT_NOT_NULL(tb);
    kthread_join(ta);
    kthread_join(tb);
    put_task_struct(ta);
    put_task_struct(tb);
    EXPECT_EQ(a.addr, b.addr);  // both were the first mapping of their thread
    EXPECT_EQ(a.mismatches, 0u);
    EXPECT_EQ(b.mismatches, 0u);
    EXPECT_GE(highmem_stats.kmap_local_sched_out - outs, 200u);
    EXPECT_GE(highmem_stats.kmap_local_sched_in - ins, 200u);
    // Each page holds only its own thread's writes.
    auto* va = static_cast<u32*>(kmap_local_page(pages[0]));
    auto* vb = static_cast<u32*>(kmap_local_page(pages[1]));
    EXPECT_EQ(va[199], 0xA0000000u + 199);
    EXPECT_EQ(vb[199], 0xB0000000u + 199);
    kunmap_local(vb);
    kunmap_local(va);
}

// The same with preemption by the timer: neither thread ever gives up the
// CPU, each is switched out in the middle of using its slot.
KTEST_F(kmap_local, mappings_survive_preemption_by_a_thread_using_the_same_slot) {
    ASSERT_GE(n, 2u);
    unsigned long outs = highmem_stats.kmap_local_sched_out;
    SlotUser a{nullptr, 0, true}, b{nullptr, 0, true};
    task_struct *ta, *tb;
    run_two(this, true, &a, &b, &ta, &tb);
    ASSERT_NOT_NULL(ta);
    ASSERT_NOT_NULL(tb);
    kthread_join(ta);
    kthread_join(tb);
    EXPECT_GE(ta->nivcsw, 4u);  // really preempted, more than once
    EXPECT_GE(tb->nivcsw, 4u);
    put_task_struct(ta);
    put_task_struct(tb);
    EXPECT_EQ(a.addr, b.addr);
    EXPECT_EQ(a.mismatches, 0u);
    EXPECT_EQ(b.mismatches, 0u);
    EXPECT_GT(a.rounds, 0u);
    EXPECT_GE(highmem_stats.kmap_local_sched_out - outs, 4u);
    auto* va = static_cast<u32*>(kmap_local_page(pages[0]));
    auto* vb = static_cast<u32*>(kmap_local_page(pages[1]));
    EXPECT_EQ(va[0], 0xA0000000u);
    EXPECT_EQ(vb[0], 0xB0000000u);
    kunmap_local(vb);
    kunmap_local(va);
}

KTEST_F(kmap_local, kmap_atomic_disables_preemption_and_page_faults) {
    ASSERT_GE(n, 1u);
    u32 pc = preempt_count();
    void* a = kmap_atomic(pages[0]);
    EXPECT_EQ(preempt_count(), pc + 1);
    EXPECT_TRUE(pagefault_disabled());
    EXPECT_FALSE(preemptible());
    EXPECT_EQ(reinterpret_cast<unsigned long>(a), local_slot_addr(current->kmap_ctrl.idx - 1));
    EXPECT_EQ(kmap_to_page(a), pages[0]);
    kunmap_atomic(a);
    EXPECT_EQ(preempt_count(), pc);
    EXPECT_FALSE(pagefault_disabled());
}

// A folio of four highmem pages: kmap_local_folio maps the page holding the
// offset and points at the byte.
KTEST(kmap_local_folio, maps_the_page_holding_the_offset) {
    KTEST_REQUIRE(totalhigh_pages() > 0, "no highmem in this configuration");
    page* head = alloc_pages(GFP_HIGHUSER, 2);
    ASSERT_NOT_NULL(head);
    folio* f = page_folio(head);
    constexpr size_t OFFSET = 2 * PAGE_SIZE + 100;
    auto* p = static_cast<char*>(kmap_local_folio(f, OFFSET));
    EXPECT_EQ(reinterpret_cast<unsigned long>(p) & ~PAGE_MASK, 100u);
    EXPECT_EQ(kmap_to_page(p), folio_page(f, 2));
    memcpy(p, "folio", 6);
    kunmap_local(p);  // any address inside the mapping
    char buf[6] = {};
    memcpy_from_page(buf, head + 2, 100, 6);
    EXPECT_STREQ(buf, "folio");
    __free_pages(head, 2);
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
KTEST_F(kmap_local, from_interrupt_context) {
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

// What debug_kmap_local's guard slots are for: a write running one byte off the
// end of the second mapping reaches the page above it. Without the option that
// is the first mapping's page (slots grow down), silently corrupted; with it,
// an unmapped guard slot, and the writer dies of a page fault.
namespace {
struct overrun_args {
    page* a;
    page* b;
};
int overrun_second_mapping(void* arg) {
    auto* p = static_cast<overrun_args*>(arg);
    auto* a = static_cast<volatile u8*>(kmap_local_page(p->a));
    auto* b = static_cast<volatile u8*>(kmap_local_page(p->b));
    a[0] = 0;
    b[PAGE_SIZE] = 0xA5;  // one past the end of b
    u8 seen = a[0];
    kunmap_local(const_cast<u8*>(b));
    kunmap_local(const_cast<u8*>(a));
    return seen;
}
}  // namespace

KTEST_F(kmap_local, guard_slots_with_debug_kmap_local_catch_an_overrun) {
    ASSERT_GE(n, 2u);
    overrun_args args{pages[0], pages[1]};
    if (debug_kmap_local) {
        EXPECT_EQ(kmap_local_max_nesting(), 16u);
        EXPECT_EQ(local_slot_addr(0), fix_to_virt(FIX_KMAP_BEGIN + 1));
        EXPECT_EQ(local_slot_addr(1), fix_to_virt(FIX_KMAP_BEGIN + 3));
        EXPECT_TRUE(ktest::expect_oops_in_thread(overrun_second_mapping, &args, "ktest-overrun",
                                                 "BUG: unable to handle page fault for address: "));
        for (unsigned i = FIX_KMAP_BEGIN; i <= FIX_KMAP_END; ++i) EXPECT_FALSE(mapped(fix_to_virt(i)));
    } else {
        EXPECT_EQ(kmap_local_max_nesting(), 15u);
        EXPECT_EQ(local_slot_addr(0), fix_to_virt(FIX_KMAP_BEGIN));
        EXPECT_EQ(local_slot_addr(1), fix_to_virt(FIX_KMAP_BEGIN + 1));
        task_struct* t = kthread_run(overrun_second_mapping, &args, "ktest-overrun");
        ASSERT_NOT_NULL(t);
        EXPECT_EQ(kthread_join(t), 0xA5);  // the byte landed in the first mapping
    }
}
