// ktest: the in-guest test framework, in the spirit of KUnit and googletest.
//
//   KTEST(suite, name) { EXPECT_EQ(1 + 1, 2); }
//   struct Pages : ktest::Test { void SetUp() override; void TearDown() override; };
//   KTEST_F(Pages, name) { ASSERT_NE(page, nullptr); }
//   KTEST_TIMEOUT(suite, name, 20000) { ... }   // a case that may take up to 20 s
//
// EXPECT_* records a failure (file:line, both expressions and both values) and
// carries on; ASSERT_* also returns from the current function, so it belongs in
// functions returning void. KTEST_SKIP("why") ends a case as skipped (TAP
// "# SKIP why"). Cases are linked into ktest.elf, selected with the command line
// (ktest=GLOB[,GLOB...] over "suite.name"), and reported as TAP version 13 on
// the serial console; the run ends through the debug-exit port with 0 when
// nothing failed and 1 otherwise.
#pragma once
#include <kernel/new.hpp>
#include <kernel/slab.hpp>

#include "ktest_check.hpp"

namespace ktest {

// Fixture base: SetUp runs before the case body, TearDown after it (also
// after a failed ASSERT in the body; not when SetUp itself failed or skipped).
class Test {
public:
    virtual void SetUp() {}
    virtual void TearDown() {}
    virtual void TestBody() = 0;

protected:
    ~Test() = default;
};

struct TestInfo {
    const char* suite;
    const char* name;
    const char* file;
    int line;
    void (*run)();         // runs the case (fixture included)
    unsigned timeout_ms;   // 0: the default (ktest_timeout=, 10 s)
    bool explicit_only;    // only when selected by an exact suite name (framework self-tests)
};

// State of the running case.
bool case_failed();
bool case_skipped();
void skip(const char* reason);

// googletest's order: SetUp, the body unless SetUp failed or skipped, and
// TearDown in every case. Fixtures live in kmalloc memory (they may be large).
template <typename T>
void run_fixture() {
    void* mem = kmalloc(sizeof(T), GFP_KERNEL);
    if (!mem) {
        fail_message(__FILE__, __LINE__, "cannot allocate the fixture (%u bytes)", static_cast<unsigned>(sizeof(T)));
        return;
    }
    T* test = new (mem) T();
    test->SetUp();
    if (!case_failed() && !case_skipped()) test->TestBody();
    test->TearDown();
    test->~T();
    kfree(mem);
}
// Runs fn(arg) in a new thread that must die of an oops (a BUG, a fault, a
// might_sleep violation...). True when it did, and, when 'report' is given,
// the console output of the thread's life contains that text (a failure
// saying so otherwise); the oops then does not fail the case. The thread gets 5 s.
bool expect_oops_in_thread(int (*fn)(void*), void* arg, const char* name, const char* report = nullptr);

// Records what printk writes while it lives, so that a case can check a
// report line was printed. One capture at a time.
class ConsoleCapture {
public:
    ConsoleCapture();
    ~ConsoleCapture();
    ConsoleCapture(const ConsoleCapture&) = delete;
    ConsoleCapture& operator=(const ConsoleCapture&) = delete;
    bool contains(const char* text) const;
    // contains(), counted as an expectation and a failure when false.
    bool expect(const char* text, const char* file, int line) const;
};

// Threads run on every online CPU. A case about one CPU's scheduling (round
// robin between spinners, preempt_disable holding the CPU, two threads taking
// turns in the same kmap_local slot) keeps its threads together: PinCpu pins
// the case's own thread to the CPU it is on for the guard's lifetime (its
// mask is restored after), and kthread_run_on starts a thread bound to a CPU.
// PinCpu(n) moves the case's thread to CPU n first.
class PinCpu {
public:
    PinCpu();
    explicit PinCpu(unsigned cpu);
    ~PinCpu();
    PinCpu(const PinCpu&) = delete;
    PinCpu& operator=(const PinCpu&) = delete;
    unsigned cpu() const { return cpu_; }

private:
    unsigned cpu_;
    unsigned saved_mask_;
};
task_struct* kthread_run_on(int (*fn)(void*), void* data, const char* name, unsigned cpu);

// Whether hm386's diagnostic device answers (false on QEMU and real PCs).
bool diag_present();
// A 64-bit diagnostic-device command (see emu/devices/diag_protocol.hpp).
u64 diag_command(u32 command, u64 arg);

}  // namespace ktest

#define KTEST_CONCAT2(a, b) a##b
#define KTEST_CONCAT(a, b) KTEST_CONCAT2(a, b)

#define KTEST_REGISTER(suite, name, runfn, timeout, explicit_only)                                              \
    [[gnu::used, gnu::section(".ktest_cases")]] static constexpr ::ktest::TestInfo KTEST_CONCAT(                \
        ktest_info_, __COUNTER__){#suite, #name, __FILE__, __LINE__, runfn, timeout, explicit_only}

#define KTEST_DEFINE(suite, name, timeout, explicit_only)                          \
    static void ktest_##suite##_##name();                                         \
    KTEST_REGISTER(suite, name, &ktest_##suite##_##name, timeout, explicit_only); \
    static void ktest_##suite##_##name()

#define KTEST(suite, name) KTEST_DEFINE(suite, name, 0, false)
#define KTEST_TIMEOUT(suite, name, timeout_ms) KTEST_DEFINE(suite, name, timeout_ms, false)
// Cases that fail on purpose, to test the framework; run only on request.
#define KTEST_EXPLICIT(suite, name) KTEST_DEFINE(suite, name, 0, true)
#define KTEST_EXPLICIT_TIMEOUT(suite, name, timeout_ms) KTEST_DEFINE(suite, name, timeout_ms, true)

#define KTEST_F_DEFINE(fixture, name, timeout)                                                   \
    class fixture##_##name##_Test final : public fixture {                                       \
    public:                                                                                      \
        void TestBody() override;                                                                \
    };                                                                                           \
    static void ktest_run_##fixture##_##name() { ::ktest::run_fixture<fixture##_##name##_Test>(); } \
    KTEST_REGISTER(fixture, name, &ktest_run_##fixture##_##name, timeout, false);                \
    void fixture##_##name##_Test::TestBody()

#define KTEST_F(fixture, name) KTEST_F_DEFINE(fixture, name, 0)
#define KTEST_F_TIMEOUT(fixture, name, timeout_ms) KTEST_F_DEFINE(fixture, name, timeout_ms)

#define KTEST_CHECK_BINARY(macro, op, a, b) \
    ::ktest::check_binary<::ktest::Op::op>(macro, (a), (b), #a, #b, __FILE__, __LINE__)

#define EXPECT_EQ(a, b) KTEST_CHECK_BINARY("EXPECT_EQ", eq, a, b)
#define EXPECT_NE(a, b) KTEST_CHECK_BINARY("EXPECT_NE", ne, a, b)
#define EXPECT_LT(a, b) KTEST_CHECK_BINARY("EXPECT_LT", lt, a, b)
#define EXPECT_LE(a, b) KTEST_CHECK_BINARY("EXPECT_LE", le, a, b)
#define EXPECT_GT(a, b) KTEST_CHECK_BINARY("EXPECT_GT", gt, a, b)
#define EXPECT_GE(a, b) KTEST_CHECK_BINARY("EXPECT_GE", ge, a, b)
#define EXPECT_TRUE(c) ::ktest::check_binary<::ktest::Op::eq>("EXPECT_TRUE", static_cast<bool>(c), true, #c, nullptr, __FILE__, __LINE__)
#define EXPECT_FALSE(c) ::ktest::check_binary<::ktest::Op::eq>("EXPECT_FALSE", static_cast<bool>(c), false, #c, nullptr, __FILE__, __LINE__)
#define EXPECT_NULL(p) ::ktest::check_binary<::ktest::Op::eq>("EXPECT_NULL", static_cast<const void*>(p), static_cast<const void*>(nullptr), #p, nullptr, __FILE__, __LINE__)
#define EXPECT_NOT_NULL(p) ::ktest::check_binary<::ktest::Op::ne>("EXPECT_NOT_NULL", static_cast<const void*>(p), static_cast<const void*>(nullptr), #p, nullptr, __FILE__, __LINE__)
// EXPECT_OUTPUT(capture, "text"): the captured console output contains text.
#define EXPECT_OUTPUT(capture, text) (capture).expect((text), __FILE__, __LINE__)
#define EXPECT_STREQ(a, b) ::ktest::check_streq("EXPECT_STREQ", (a), (b), #a, #b, __FILE__, __LINE__)

#define KTEST_ASSERT(expect) \
    do {                     \
        if (!(expect)) return; \
    } while (0)
#define ASSERT_EQ(a, b) KTEST_ASSERT(KTEST_CHECK_BINARY("ASSERT_EQ", eq, a, b))
#define ASSERT_NE(a, b) KTEST_ASSERT(KTEST_CHECK_BINARY("ASSERT_NE", ne, a, b))
#define ASSERT_LT(a, b) KTEST_ASSERT(KTEST_CHECK_BINARY("ASSERT_LT", lt, a, b))
#define ASSERT_LE(a, b) KTEST_ASSERT(KTEST_CHECK_BINARY("ASSERT_LE", le, a, b))
#define ASSERT_GT(a, b) KTEST_ASSERT(KTEST_CHECK_BINARY("ASSERT_GT", gt, a, b))
#define ASSERT_GE(a, b) KTEST_ASSERT(KTEST_CHECK_BINARY("ASSERT_GE", ge, a, b))
#define ASSERT_TRUE(c) KTEST_ASSERT(::ktest::check_binary<::ktest::Op::eq>("ASSERT_TRUE", static_cast<bool>(c), true, #c, nullptr, __FILE__, __LINE__))
#define ASSERT_FALSE(c) KTEST_ASSERT(::ktest::check_binary<::ktest::Op::eq>("ASSERT_FALSE", static_cast<bool>(c), false, #c, nullptr, __FILE__, __LINE__))
#define ASSERT_NULL(p) KTEST_ASSERT(::ktest::check_binary<::ktest::Op::eq>("ASSERT_NULL", static_cast<const void*>(p), static_cast<const void*>(nullptr), #p, nullptr, __FILE__, __LINE__))
#define ASSERT_NOT_NULL(p) KTEST_ASSERT(::ktest::check_binary<::ktest::Op::ne>("ASSERT_NOT_NULL", static_cast<const void*>(p), static_cast<const void*>(nullptr), #p, nullptr, __FILE__, __LINE__))
#define ASSERT_STREQ(a, b) KTEST_ASSERT(::ktest::check_streq("ASSERT_STREQ", (a), (b), #a, #b, __FILE__, __LINE__))

// Unconditional failure with a message, and skipping.
#define KTEST_FAIL(fmt, ...) ::ktest::fail_message(__FILE__, __LINE__, fmt, ##__VA_ARGS__)
#define KTEST_SKIP(reason)       \
    do {                         \
        ::ktest::skip(reason);   \
        return;                  \
    } while (0)
#define KTEST_REQUIRE(cond, reason) \
    do {                            \
        if (!(cond)) KTEST_SKIP(reason); \
    } while (0)
// The diagnostic device answers about the BSP (its TLBs, its cycle counter):
// the rest of the case runs there.
#define KTEST_REQUIRE_DIAG()                                                                             \
    KTEST_REQUIRE(::ktest::diag_present(), "needs the hm386 diagnostic device (absent: not running under hm386)"); \
    ::ktest::PinCpu ktest_on_the_bsp_(0)
