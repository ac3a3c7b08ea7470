// Bugs are caught where they happen: each case provokes one in a thread of its
// own, which must die of an oops while the rest of the kernel carries on; a
// might_sleep() in atomic context is reported and the thread goes on, as in
// Linux.
#include <asm/cpufeature.hpp>
#include <asm/layout.hpp>
#include <asm/pgtable.hpp>
#include <kernel/bug.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/mm.hpp>
#include <kernel/sched.hpp>
#include <kernel/slab.hpp>
#include <kernel/spinlock.hpp>
#include <kernel/string.hpp>

#include "ktest.hpp"

namespace {
constexpr int WENT_ON = 42;  // what a thread returns when it got past its mistake

// Runs fn in a thread that must not oops: its might_sleep report (with a
// stack trace) is printed, counted as a warning, and the thread returns WENT_ON.
void expect_might_sleep_report(int (*fn)(void*), const char* name) {
    ktest::ConsoleCapture capture;
    unsigned long warns = warn_count, oopses = oops_count;
    task_struct* t = kthread_run(fn, nullptr, name);
    ASSERT_NOT_NULL(t);
    EXPECT_EQ(kthread_join(t), WENT_ON);
    EXPECT_EQ(oops_count, oopses);
    EXPECT_GE(warn_count, warns + 1);
    EXPECT_OUTPUT(capture, "BUG: sleeping function called from invalid context at ");
    char line[64];
    snprintf(line, sizeof line, "name: %s", name);
    EXPECT_OUTPUT(capture, line);
    EXPECT_OUTPUT(capture, "Call Trace:");
}

int do_bug(void*) {
    BUG();
}
int do_null(void*) { return *reinterpret_cast<volatile int*>(0); }
int sleep_under_spinlock(void*) {
    DEFINE_SPINLOCK(lock);
    spin_lock(&lock);
    might_sleep();
    spin_unlock(&lock);
    return WENT_ON;
}
int sleep_with_irqs_off(void*) {
    local_irq_disable();
    msleep(1);
    bool irqs_still_off = irqs_disabled();
    local_irq_enable();
    return irqs_still_off ? WENT_ON : 1;
}
int schedule_with_preemption_off(void*) {
    preempt_disable();
    schedule();
    preempt_enable();
    return 0;
}
int gfp_kernel_under_spinlock(void*) {
    DEFINE_SPINLOCK(lock);
    spin_lock(&lock);
    page* p = alloc_page(GFP_KERNEL);
    spin_unlock(&lock);
    if (!p) return 1;
    __free_page(p);
    return WENT_ON;
}
int lock_twice(void*) {
    DEFINE_SPINLOCK(lock);
    spin_lock(&lock);
    spin_lock(&lock);
    return 0;
}
int free_page_twice(void* arg) {
    auto* p = static_cast<page*>(arg);
    __free_page(p);
    __free_page(p);
    return 0;
}
int kfree_twice(void* arg) {
    kfree(arg);
    kfree(arg);
    return 0;
}
int kfree_stack_address(void*) {
    int local = 0;
    kfree(&local);
    return local;
}
int write_kernel_text(void*) {
    *reinterpret_cast<volatile u8*>(_text + 0x100) = 0x90;
    return 0;
}
extern "C" u8 oops_test_data_code[16];
int execute_data(void*) {
    reinterpret_cast<void (*)()>(oops_test_data_code)();
    return 0;
}
}  // namespace

extern "C" constinit u8 oops_test_data_code[16] = {0xC3};  // ret

KTEST(oops, bug_kills_only_its_thread) {
    unsigned long before = oops_count;
    EXPECT_TRUE(ktest::expect_oops_in_thread(do_bug, nullptr, "ktest-bug"));
    EXPECT_EQ(oops_count, before + 1);
    EXPECT_TRUE(preemptible());  // and this thread carries on
}

KTEST(oops, null_dereference) { EXPECT_TRUE(ktest::expect_oops_in_thread(do_null, nullptr, "ktest-null")); }

// Linux's might_sleep() in atomic context is a report, not an oops.
KTEST(oops, might_sleep_under_a_spinlock_reports_and_goes_on) {
    expect_might_sleep_report(sleep_under_spinlock, "ktest-atomic");
}

KTEST(oops, sleeping_with_interrupts_off_reports_and_goes_on) {
    expect_might_sleep_report(sleep_with_irqs_off, "ktest-irqoff");
    EXPECT_FALSE(irqs_disabled());
}

KTEST(oops, scheduling_while_atomic) {
    EXPECT_TRUE(ktest::expect_oops_in_thread(schedule_with_preemption_off, nullptr, "ktest-schedatomic"));
    EXPECT_EQ(preempt_count(), 0u);
}

KTEST(oops, gfp_kernel_allocation_in_atomic_context_reports_and_goes_on) {
    expect_might_sleep_report(gfp_kernel_under_spinlock, "ktest-gfp");
}

KTEST(oops, spinlock_recursion) { EXPECT_TRUE(ktest::expect_oops_in_thread(lock_twice, nullptr, "ktest-lock")); }

KTEST(oops, double_free_of_a_page) {
    page* p = alloc_page(GFP_KERNEL);
    ASSERT_NOT_NULL(p);
    unsigned long free_before = nr_free_pages();
    EXPECT_TRUE(ktest::expect_oops_in_thread(free_page_twice, p, "ktest-dfree"));
    // The first free counted, the second was stopped before it did harm.
    EXPECT_EQ(nr_free_pages(), free_before + 1);
    EXPECT_TRUE(PageBuddy(p) || page_ref_count(p) == 0);
}

KTEST(oops, double_kfree) {
    void* obj = kmalloc(32, GFP_KERNEL);
    ASSERT_NOT_NULL(obj);
    EXPECT_TRUE(ktest::expect_oops_in_thread(kfree_twice, obj, "ktest-dkfree"));
    // The cache still works.
    void* again = kmalloc(32, GFP_KERNEL);
    EXPECT_EQ(again, obj);
    kfree(again);
}

KTEST(oops, kfree_of_a_pointer_kmalloc_never_returned) {
    EXPECT_TRUE(ktest::expect_oops_in_thread(kfree_stack_address, nullptr, "ktest-badkfree"));
}

KTEST(oops, write_after_free_is_reported_and_repaired) {
    unsigned long before = slab_corruptions;
    auto* p = static_cast<u8*>(kmalloc(64, GFP_KERNEL));
    ASSERT_NOT_NULL(p);
    kfree(p);
    p[20] = 0x42;  // the bug
    auto* q = static_cast<u8*>(kmalloc(64, GFP_KERNEL));
    EXPECT_EQ(q, p);
    EXPECT_EQ(slab_corruptions, before + 1);
    kfree(q);
}

KTEST(oops, write_to_kernel_text) {
    EXPECT_TRUE(ktest::expect_oops_in_thread(write_kernel_text, nullptr, "ktest-wrtext"));
}

KTEST(oops, executing_data_with_nx) {
    KTEST_REQUIRE(__supported_pte_mask & _PAGE_NX, "NX not active (needs paging=pae and a CPU with NX)");
    EXPECT_TRUE(ktest::expect_oops_in_thread(execute_data, nullptr, "ktest-nx"));
}

KTEST(oops, warn_reports_and_continues) {
    unsigned long warns = warn_count;
    unsigned long oopses = oops_count;
    bool fired = WARN_ON(warns == warn_count);
    EXPECT_TRUE(fired);
    EXPECT_EQ(warn_count, warns + 1);
    EXPECT_EQ(oops_count, oopses);
    for (int i = 0; i < 3; ++i) WARN_ON_ONCE(true);
    EXPECT_EQ(warn_count, warns + 2);  // once, whatever the number of hits
}
