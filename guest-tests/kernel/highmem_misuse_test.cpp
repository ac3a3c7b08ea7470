// Misuse of the highmem APIs is caught where it happens, as Linux's debug
// options catch it: each case provokes one mistake in a thread of its own,
// which must die of an oops whose report names the mistake (checked in the
// captured console output), while the kernel carries on. kmap from interrupt
// context panics (an oops in an interrupt handler is fatal): that one is the
// crash=kmap-in-irq CTest (guest-tests/kernel/CMakeLists.txt).
#include <kernel/bug.hpp>

#include "highmem_fixture.hpp"

using hm_test::local_slot_addr;
using hm_test::mapped;

struct kmap_misuse : kmap_pages {};

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

int unmap_nothing(void*) {
    kunmap_local(reinterpret_cast<void*>(local_slot_addr(0)));
    return 0;
}

int kmap_in_atomic_context(void* arg) {
    preempt_disable();
    kmap(static_cast<page**>(arg)[0]);
    return 0;
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

KTEST_F(kmap_misuse, nesting_beyond_km_max_idx) {
    ASSERT_GT(n, KM_MAX_IDX);
    EXPECT_TRUE(ktest::expect_oops_in_thread(nest_too_deep, pages, "ktest-nest",
                                             "BUG: kmap_local: more than KM_MAX_IDX (16) nested mappings in ktest-nest"));
    // The dead thread's slots were torn down.
    for (unsigned i = 0; i < KM_MAX_IDX; ++i) EXPECT_FALSE(mapped(local_slot_addr(i)));
}

// The report names both addresses: the one given and the one that must go first.
KTEST_F(kmap_misuse, unmapping_out_of_order) {
    ASSERT_GE(n, 2u);
    char report[96];
    snprintf(report, sizeof report, "BUG: kunmap_local(%08lx): not the last mapping (%08lx): unmapping must be LIFO",
             local_slot_addr(0), local_slot_addr(1));
    EXPECT_TRUE(ktest::expect_oops_in_thread(unmap_out_of_order, pages, "ktest-lifo", report));
    EXPECT_FALSE(mapped(local_slot_addr(0)));
    EXPECT_FALSE(mapped(local_slot_addr(1)));
}

KTEST_F(kmap_misuse, kunmap_local_without_a_mapping) {
    char report[96];
    snprintf(report, sizeof report, "BUG: kunmap_local(%08lx): ktest-nolocal[", local_slot_addr(0));
    EXPECT_TRUE(ktest::expect_oops_in_thread(unmap_nothing, nullptr, "ktest-nolocal", report));
}

KTEST_F(kmap_misuse, kmap_in_atomic_context) {
    ASSERT_GE(n, 1u);
    EXPECT_TRUE(ktest::expect_oops_in_thread(kmap_in_atomic_context, pages, "ktest-kmapatomic",
                                             "BUG: sleeping function called from invalid context"));
}

// kmap_atomic turns preemption off: sleeping before kunmap_atomic is a bug.
KTEST_F(kmap_misuse, sleeping_under_kmap_atomic) {
    ASSERT_GE(n, 1u);
    EXPECT_TRUE(ktest::expect_oops_in_thread(sleep_under_kmap_atomic, pages, "ktest-atomicsleep",
                                             "BUG: sleeping function called from invalid context"));
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
    task_struct* t = kthread_run(exit_holding_a_mapping, pages, "ktest-leak");
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
