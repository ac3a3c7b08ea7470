// Tests of the test framework itself.
//
// ktest_self: comparisons that must hold (run with everything else).
// ktest_meta: cases that fail, skip or hang on purpose. They run only when
// selected by name (ktest=ktest_meta...), and CTest checks what the runner
// printed about them (guest-tests/kernel/CMakeLists.txt).
#include <devices/diag_protocol.hpp>
#include <kernel/preempt.hpp>
#include <kernel/wait.hpp>

#include "ktest.hpp"

KTEST(ktest_self, mixed_sign_comparisons_are_exact) {
    using ktest::compare;
    using ktest::Op;
    EXPECT_FALSE(compare<Op::eq>(-1, 0xFFFFFFFFu));  // no wrap-around equality
    EXPECT_TRUE(compare<Op::lt>(-1, 0u));
    EXPECT_TRUE(compare<Op::gt>(1ull << 40, 5));
    EXPECT_TRUE(compare<Op::le>(3, 3u));
    EXPECT_TRUE(compare<Op::ne>(static_cast<u8>(255), -1));
}

KTEST(ktest_self, value_formatting) {
    char buf[64];
    ktest::format_value(buf, sizeof buf, -5);
    EXPECT_STREQ(buf, "-5 (0xfffffffffffffffb)");
    ktest::format_value(buf, sizeof buf, 4096u);
    EXPECT_STREQ(buf, "4096 (0x1000)");
    ktest::format_value(buf, sizeof buf, true);
    EXPECT_STREQ(buf, "true");
    ktest::format_value(buf, sizeof buf, reinterpret_cast<void*>(0xC0000000u));
    EXPECT_STREQ(buf, "0xc0000000");
}

namespace {
struct Counter : ktest::Test {
    int value = 0;
    void SetUp() override { value = 41; }
    void TearDown() override { value = -1; }
};
}  // namespace

KTEST_F(Counter, setup_runs_before_the_body) { EXPECT_EQ(++value, 42); }

KTEST(ktest_self, skip_is_reported) { KTEST_SKIP("demonstrates a skipped case"); }

// --- deliberately failing cases (explicit only) ---

KTEST_EXPLICIT(ktest_meta, expect_eq_reports_both_values) {
    unsigned long pages = 5;
    EXPECT_EQ(pages, 7);
    EXPECT_TRUE(pages == 5);  // still runs: EXPECT does not stop the case
}

namespace {
void helper_with_assert(bool* reached) {
    ASSERT_EQ(1, 2);
    *reached = true;
}
}  // namespace

KTEST_EXPLICIT(ktest_meta, assert_stops_the_function) {
    bool reached = false;
    helper_with_assert(&reached);
    EXPECT_FALSE(reached);
    EXPECT_STREQ("kmap", "kunmap");
}

KTEST_EXPLICIT(ktest_meta, skip_with_reason) { KTEST_SKIP("no such hardware"); }

KTEST_EXPLICIT(ktest_meta, passes) { EXPECT_NE(1, 2); }

KTEST_EXPLICIT(ktest_meta, diag_device_probe) {
    KTEST_REQUIRE_DIAG();
    EXPECT_EQ(ktest::diag_command(HM386_DIAG_CMD_VERSION, 0), HM386_DIAG_VERSION);
}

KTEST_EXPLICIT(ktest_meta, unexpected_oops) {
    EXPECT_TRUE(true);
    (void)*reinterpret_cast<volatile int*>(16);  // the case's thread dies here
    EXPECT_TRUE(false);                          // never reached
}

// A preemptible endless loop: the runner kills the case's thread and goes on.
KTEST_EXPLICIT_TIMEOUT(ktest_meta_hang, spins_forever, 300) {
    for (;;) asm volatile("" ::: "memory");
}
KTEST_EXPLICIT(ktest_meta_hang, after_the_hang) { EXPECT_EQ(2 + 2, 4); }

// Asleep for good where a kill cannot reach: left behind, the run goes on.
KTEST_EXPLICIT_TIMEOUT(ktest_meta_blocked, sleeps_uninterruptibly, 300) {
    wait_queue_head wq;
    init_waitqueue_head(&wq);
    wait_event(wq, false);
}
KTEST_EXPLICIT(ktest_meta_blocked, after_the_block) { EXPECT_EQ(2 + 2, 4); }

// Spinning with preemption off: the runner never gets the CPU back; the
// watchdog ends the run from the timer interrupt.
KTEST_EXPLICIT_TIMEOUT(ktest_meta_stuck, spins_with_preemption_off, 300) {
    preempt_disable();
    for (;;) asm volatile("" ::: "memory");
}
