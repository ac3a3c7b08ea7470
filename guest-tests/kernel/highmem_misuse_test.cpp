// Misuse of the highmem APIs is caught where it happens, as Linux catches it:
// each case provokes one mistake in a thread of its own, which must die of an
// oops whose report names the mistake (checked in the captured console
// output), while the kernel carries on; where Linux only warns (kunmap_local
// out of order, kmap in atomic context: might_sleep) the thread goes on too.
// kmap from interrupt context is the crash=kmap-in-irq CTest
// (guest-tests/kernel/CMakeLists.txt).
#include <kernel/bug.hpp>
#include <kernel/dumpstack.hpp>

#include "highmem_fixture.hpp"

using hm_test::local_slot_addr;
using hm_test::mapped;

struct kmap_misuse : kmap_pages {};

namespace {

constexpr int WENT_ON = 42;  // what a thread returns when it got past its mistake
volatile unsigned nested_ok = 0;

int nest_too_deep(void* arg) {
    auto** pages = static_cast<page**>(arg);
    for (unsigned i = 0; i < KM_MAX_IDX_DEBUG; ++i) {  // more than any limit
        kmap_local_page(pages[i]);
        nested_ok = i + 1;
    }
    return 0;
}

// Linux WARNs and unmaps the last mapping anyway; the thread goes on.
volatile bool b_mapped_after = true, a_mapped_after = false;
int unmap_out_of_order(void* arg) {
    auto** pages = static_cast<page**>(arg);
    void* a = kmap_local_page(pages[0]);
    void* b = kmap_local_page(pages[1]);
    kunmap_local(a);  // not the last one
    b_mapped_after = hm_test::mapped(b);
    a_mapped_after = hm_test::mapped(a);
    kunmap_local(a);  // now the last one
    return WENT_ON;
}

int unmap_nothing(void*) {
    kunmap_local(reinterpret_cast<void*>(local_slot_addr(0)));
    return 0;
}

int kmap_in_atomic_context(void* arg) {
    page* p = static_cast<page**>(arg)[0];
    preempt_disable();
    void* v = kmap(p);  // a slot is free: it does not actually sleep
    preempt_enable();
    bool ok = hm_test::in_pkmap(v);
    kunmap(p);
    return ok ? WENT_ON : 1;
}

int sleep_under_kmap_atomic(void* arg) {
    void* v = kmap_atomic(static_cast<page**>(arg)[0]);
    msleep(1);
    kunmap_atomic(v);
    return 0;
}

int kunmap_unmapped(void* arg) {
    kunmap(static_cast<page*>(arg));
    return 0;
}

int kunmap_twice(void* arg) {
    auto* p = static_cast<page*>(arg);
    kmap(p);
    kunmap(p);
    kunmap(p);
    return 0;
}

int exit_holding_a_mapping(void* arg) {
    auto* v = static_cast<volatile u32*>(kmap_local_page(static_cast<page**>(arg)[0]));
    v[0] = 1;
    return 0;  // without kunmap_local
}

page* unmapped_page(kmap_pages* f) {
    for (unsigned i = 0; i < f->n; ++i)
        if (!page_address(f->pages[i])) return f->pages[i];
    return nullptr;
}

}  // namespace

// Linux's push BUGs when the index reaches KM_MAX_IDX: 15 mappings nest (16
// with debug_kmap_local, whose KM_MAX_IDX is 33 and step 2), the next one
// oopses.
KTEST_F(kmap_misuse, nesting_beyond_km_max_idx) {
    ASSERT_GE(n, KM_MAX_IDX_DEBUG);
    nested_ok = 0;
    char report[96];
    snprintf(report, sizeof report, "BUG: kmap_local: more than %u nested mappings (KM_MAX_IDX %u", debug_kmap_local ? 16u : 15u,
             debug_kmap_local ? 33u : 16u);
    EXPECT_TRUE(ktest::expect_oops_in_thread(nest_too_deep, pages, "ktest-nest", report));
    EXPECT_EQ(nested_ok, debug_kmap_local ? 16u : 15u);
    EXPECT_EQ(nested_ok, kmap_local_max_nesting());
    // The dead thread's slots were torn down.
    for (unsigned i = FIX_KMAP_BEGIN; i <= FIX_KMAP_END; ++i) EXPECT_FALSE(mapped(fix_to_virt(i)));
}

// The report names both addresses: the one given and the one that must go
// first; as in Linux the last one is unmapped and the thread goes on.
KTEST_F(kmap_misuse, unmapping_out_of_order_warns_and_unmaps_the_last) {
    ASSERT_GE(n, 2u);
    ktest::ConsoleCapture capture;
    unsigned long warns = warn_count;
    char report[112];
    snprintf(report, sizeof report,
             "WARNING: kunmap_local(%08lx): not the last mapping (%08lx): unmapping must be LIFO; the last one is unmapped",
             local_slot_addr(0), local_slot_addr(1));
    task_struct* t = ktest::kthread_run_on(unmap_out_of_order, pages, "ktest-lifo", on_the_bsp.cpu());  // its slots: this CPU's
    ASSERT_NOT_NULL(t);
    EXPECT_EQ(kthread_join(t), WENT_ON);
    EXPECT_OUTPUT(capture, report);
    EXPECT_EQ(warn_count, warns + 1);
    EXPECT_FALSE(b_mapped_after);  // the last mapping went
    EXPECT_TRUE(a_mapped_after);   // the one named stayed until its own turn
    EXPECT_FALSE(mapped(local_slot_addr(0)));
    EXPECT_FALSE(mapped(local_slot_addr(1)));
}

KTEST_F(kmap_misuse, kunmap_local_without_a_mapping) {
    char report[96];
    snprintf(report, sizeof report, "BUG: kunmap_local(%08lx): ktest-nolocal[", local_slot_addr(0));
    EXPECT_TRUE(ktest::expect_oops_in_thread(unmap_nothing, nullptr, "ktest-nolocal", report));
}

// might_sleep() reports (with a stack trace) and the kmap goes on, as in Linux.
KTEST_F(kmap_misuse, kmap_in_atomic_context_reports_and_goes_on) {
    ASSERT_GE(n, 1u);
    ktest::ConsoleCapture capture;
    unsigned long oopses = oops_count;
    task_struct* t = kthread_run(kmap_in_atomic_context, pages, "ktest-kmapatomic");
    ASSERT_NOT_NULL(t);
    EXPECT_EQ(kthread_join(t), WENT_ON);
    EXPECT_EQ(oops_count, oopses);
    EXPECT_OUTPUT(capture, "BUG: sleeping function called from invalid context at kernel/include/kernel/highmem.hpp");
    EXPECT_OUTPUT(capture, "in_atomic(): 1, irqs_disabled(): 0, pid: ");
}

// kmap_atomic turns preemption off: sleeping before kunmap_atomic is a bug:
// might_sleep() reports, then schedule() oopses (scheduling while atomic).
KTEST_F(kmap_misuse, sleeping_under_kmap_atomic) {
    ASSERT_GE(n, 1u);
    unsigned long warns = warn_count;  // might_sleep's report counts as a warning
    EXPECT_TRUE(ktest::expect_oops_in_thread(sleep_under_kmap_atomic, pages, "ktest-atomicsleep",
                                             "BUG: scheduling while atomic: ktest-atomicsle["));  // comm: 15 chars
    EXPECT_EQ(warn_count, warns + 1);
    EXPECT_FALSE(mapped(local_slot_addr(0)));
}

KTEST_F(kmap_misuse, kunmap_of_a_page_that_is_not_mapped) {
    page* p = unmapped_page(this);
    ASSERT_NOT_NULL(p);
    char report[80];
    snprintf(report, sizeof report, "BUG: kunmap of pfn %#lx: the page has no kmap mapping", page_to_pfn(p));
    EXPECT_TRUE(ktest::expect_oops_in_thread(kunmap_unmapped, p, "ktest-kunmap0", report));
    // kmap_lock was released: the window still works.
    void* a = kmap(p);
    EXPECT_TRUE(hm_test::in_pkmap(a));
    kunmap(p);
}

KTEST_F(kmap_misuse, more_kunmaps_than_kmaps) {
    page* p = unmapped_page(this);
    ASSERT_NOT_NULL(p);
    char report[80];
    snprintf(report, sizeof report, "BUG: kunmap of pfn %#lx at ", page_to_pfn(p));
    EXPECT_TRUE(ktest::expect_oops_in_thread(kunmap_twice, p, "ktest-kunmap2", report));
    EXPECT_EQ(pkmap_count_at(page_address(p)), 1);  // the extra kunmap changed nothing
}

// Not an oops: a thread that exits with a mapping gets a warning naming it,
// and the mapping is removed.
KTEST_F(kmap_misuse, a_mapping_held_at_exit_warns_and_is_removed) {
    ASSERT_GE(n, 1u);
    unsigned long warns = warn_count;
    ktest::ConsoleCapture capture;
    // On this CPU: the report names the slot's (per-CPU) address.
    task_struct* t = ktest::kthread_run_on(exit_holding_a_mapping, pages, "ktest-leak", on_the_bsp.cpu());
    ASSERT_NOT_NULL(t);
    int pid = t->pid;
    EXPECT_EQ(kthread_join(t), 0);
    put_task_struct(t);
    EXPECT_EQ(warn_count, warns + 1);
    char report[96];
    snprintf(report, sizeof report, "BUG: ktest-leak[%d] exits holding 1 kmap_local mapping(s) (the last at %08lx): removed",
             pid, local_slot_addr(0));
    EXPECT_OUTPUT(capture, report);
    EXPECT_OUTPUT(capture, "WARNING: at kernel/mm/kmap_local.cpp:");
    EXPECT_FALSE(mapped(local_slot_addr(0)));
}
