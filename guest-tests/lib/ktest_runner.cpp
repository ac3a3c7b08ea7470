// The ktest runner: ktest.elf's init payload. Selects the cases named by the
// command line, runs them in link order grouped by suite, prints TAP version 13
// and returns the exit status (0: nothing failed, 1: something failed or
// nothing was selected).
//
// Each case runs in a kernel thread of its own, so that an oops in a case ends
// that thread only (the case fails, the run goes on) and a case that overruns
// its timeout (its own, or ktest_timeout=MS, 10 s by default) can be stopped:
// the runner reports it failed and kills the thread, which dies at its next
// preemption point. Only a case that cannot be preempted (it spins with
// preemption off) keeps the runner from running; a watchdog timer then ends
// the run from interrupt context with "Bail out!". A case that spins with
// interrupts off cannot be stopped at all: the host's timeout ends that run.
#include <kernel/cmdline.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/printk.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/highmem.hpp>
#include <kernel/reboot.hpp>
#include <kernel/sched.hpp>
#include <kernel/slab.hpp>
#include <kernel/string.hpp>
#include <kernel/timer.hpp>

#include "ktest.hpp"
#include "ktest_runner.hpp"

extern "C" const ktest::TestInfo __start_ktest_cases[], __stop_ktest_cases[];

namespace ktest {
namespace {

constexpr unsigned DEFAULT_TIMEOUT_MS = 10000;
constexpr unsigned KILL_GRACE_MS = 1000;  // for a killed case thread to die

constinit char filter[256] = "";
constinit u64 timeout_ms_option = 0;
constinit bool list_only = false;

bool parse_filter(const char* v) { return strlcpy(filter, v, sizeof filter) < sizeof filter && *v; }
early_param("ktest", parse_filter, "expected ktest=GLOB[,GLOB...] (-GLOB excludes), e.g. ktest=buddy*");
bool parse_timeout(const char* v) { return parse_uint(v, &timeout_ms_option) && timeout_ms_option > 0; }
early_param("ktest_timeout", parse_timeout, "expected a per-case timeout in milliseconds, e.g. ktest_timeout=30000");
bool parse_list(const char* v) {
    list_only = true;
    return *v == 0;
}
early_param("ktest_list", parse_list, "ktest_list takes no value");

struct CaseState {
    const TestInfo* info;
    unsigned number;
    bool failed;
    bool skipped;
    char skip_reason[120];
    unsigned expectations;
    unsigned expected_oopses;  // announced by expect_oops_in_thread()
};

constinit CaseState* running_case = nullptr;
constinit timer_list watchdog{};

void full_name(const TestInfo* t, char* buf, size_t n) { snprintf(buf, n, "%s.%s", t->suite, t->name); }

// A pattern without '.' names suites; with '.', "suite.case" globs.
bool pattern_matches(const char* pat, const TestInfo* t, bool* exact_suite) {
    char name[128];
    full_name(t, name, sizeof name);
    if (strchr(pat, '.')) {
        *exact_suite = strncmp(pat, t->suite, strlen(t->suite)) == 0 && pat[strlen(t->suite)] == '.';
        return glob_match(pat, name);
    }
    *exact_suite = strcmp(pat, t->suite) == 0;
    return glob_match(pat, t->suite);
}

// Patterns are separated by commas; one starting with '-' excludes what it
// matches. Without any positive pattern, everything not excluded is selected.
bool selected(const TestInfo* t) {
    if (!filter[0]) return !t->explicit_only;
    const char* p = filter;
    char pat[96];
    bool included = false, excluded = false, any_positive = false;
    while (*p) {
        size_t len = 0;
        while (p[len] && p[len] != ',') ++len;
        if (len < sizeof pat) {
            memcpy(pat, p, len);
            pat[len] = 0;
            bool negative = pat[0] == '-';
            const char* glob = negative ? pat + 1 : pat;
            bool exact_suite = false;
            bool match = pattern_matches(glob, t, &exact_suite);
            if (negative) excluded |= match;
            else {
                any_positive = true;
                included |= match && (!t->explicit_only || exact_suite);
            }
        }
        p += len;
        if (*p == ',') ++p;
    }
    if (!any_positive) included = !t->explicit_only;
    return included && !excluded;
}

unsigned case_timeout_ms(const TestInfo* t) {
    if (t->timeout_ms) return t->timeout_ms;
    return timeout_ms_option ? static_cast<unsigned>(timeout_ms_option) : DEFAULT_TIMEOUT_MS;
}

void watchdog_fired(timer_list*) {
    // Interrupt context: the runner could not run since the deadline, so the
    // case holds the CPU without ever being preemptible. Report and stop.
    char name[128];
    full_name(running_case->info, name, sizeof name);
    printk("# %s: timed out after %u ms and cannot be preempted (%s[%d], preempt_count %#x)\n", name,
           case_timeout_ms(running_case->info), current->comm, current->pid, preempt_count());
    printk("not ok %u - %s\n", running_case->number, name);
    printk("Bail out! %s did not finish\n", name);
    machine_power_off(EXIT_STATUS_TEST_FAILURE);
}

void on_oops(const char* reason) {
    if (!running_case) return;
    if (running_case->expected_oopses) {
        --running_case->expected_oopses;
        printk("# (an expected oops: %s)\n", reason);
        return;
    }
    running_case->failed = true;
    printk("# oops during the case: %s (in %s[%d])\n", reason, current->comm, current->pid);
}

int case_thread(void* arg) {
    static_cast<CaseState*>(arg)->info->run();
    return 0;
}

// Runs one case in its own thread; false when its thread had to be left behind.
bool run_case(CaseState* state) {
    const TestInfo* t = state->info;
    unsigned timeout_ms = case_timeout_ms(t);
    task_struct* task = kthread_create(case_thread, state, "ktest-case");
    if (!task) {
        state->failed = true;
        printk("# cannot create the case thread\n");
        return true;
    }
    mod_timer(&watchdog, get_jiffies_64() + msecs_to_jiffies(timeout_ms + KILL_GRACE_MS) + 1);
    wake_up_process(task);
    int code = 0;
    bool finished = kthread_join_timeout(task, static_cast<long>(msecs_to_jiffies(timeout_ms)) + 1, &code);
    bool left_behind = false;
    if (!finished) {
        state->failed = true;
        printk("# %s.%s: timed out after %u ms; killing its thread\n", t->suite, t->name, timeout_ms);
        // The runner runs, so the case is preemptible: no bail-out while the
        // kill takes effect.
        mod_timer(&watchdog, get_jiffies_64() + msecs_to_jiffies(2 * KILL_GRACE_MS));
        kthread_kill(task);
        if (!kthread_join_timeout(task, static_cast<long>(msecs_to_jiffies(KILL_GRACE_MS)), &code)) {
            printk("# the case thread sleeps uninterruptibly and cannot be stopped: left behind\n");
            left_behind = true;
        }
    }
    del_timer(&watchdog);
    put_task_struct(task);
    if (finished && code == TASK_EXIT_OOPS) state->failed = true;  // on_oops said why
    return !left_behind;
}

// Runs one case and prints its TAP line; false when out of memory.
bool run_and_report(const TestInfo* t, unsigned number, unsigned* passed, unsigned* failed, unsigned* skipped) {
    // kmalloc'd: a case thread left behind may still refer to it.
    auto* st = static_cast<CaseState*>(kzalloc(sizeof(CaseState), GFP_KERNEL));
    if (!st) return false;
    CaseState& state = *st;
    state.info = t;
    state.number = number;
    running_case = &state;
    u64 start = get_jiffies_64();
    bool reclaimable = run_case(&state);
    u64 ms = jiffies_to_msecs(get_jiffies_64() - start);
    running_case = nullptr;
    char name[128];
    full_name(t, name, sizeof name);
    if (state.failed) {
        ++*failed;
        printk("not ok %u - %s\n", state.number, name);
    } else if (state.skipped) {
        ++*skipped;
        printk("ok %u - %s # SKIP %s\n", state.number, name, state.skip_reason);
    } else {
        ++*passed;
        printk("ok %u - %s # %u expectations, %llu ms\n", state.number, name, state.expectations, ms);
    }
    if (reclaimable) kfree(st);
    return true;
}


}  // namespace

const char* op_text(Op op) {
    switch (op) {
    case Op::eq: return "==";
    case Op::ne: return "!=";
    case Op::lt: return "<";
    case Op::le: return "<=";
    case Op::gt: return ">";
    case Op::ge: return ">=";
    }
    return "?";
}

void count_expectation() {
    if (running_case) ++running_case->expectations;
}

void fail_binary(const char* macro, const char* a_text, const char* b_text, const char* a_value, const char* b_value,
                 Op op, const char* file, int line) {
    if (running_case) running_case->failed = true;
    if (!b_text) {
        printk("# %s(%s) failed at %s:%d\n", macro, a_text, file, line);
        printk("#   %s = %s\n", a_text, a_value);
        return;
    }
    printk("# %s(%s, %s) failed at %s:%d\n", macro, a_text, b_text, file, line);
    printk("#   expected: %s %s %s\n", a_text, op_text(op), b_text);
    printk("#   %s = %s\n", a_text, a_value);
    printk("#   %s = %s\n", b_text, b_value);
}

void fail_message(const char* file, int line, const char* fmt, ...) {
    if (running_case) running_case->failed = true;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printk("# failure at %s:%d: %s\n", file, line, msg);
}

bool check_streq(const char* macro, const char* a, const char* b, const char* a_text, const char* b_text,
                 const char* file, int line) {
    count_expectation();
    if (a && b && strcmp(a, b) == 0) return true;
    if (running_case) running_case->failed = true;
    printk("# %s(%s, %s) failed at %s:%d\n", macro, a_text, b_text, file, line);
    printk("#   %s = \"%s\"\n", a_text, a ? a : "(null)");
    printk("#   %s = \"%s\"\n", b_text, b ? b : "(null)");
    return false;
}

bool case_failed() { return running_case && running_case->failed; }
bool case_skipped() { return running_case && running_case->skipped; }

void skip(const char* reason) {
    if (!running_case) return;
    running_case->skipped = true;
    strlcpy(running_case->skip_reason, reason, sizeof running_case->skip_reason);
}

bool expect_oops_in_thread(int (*fn)(void*), void* arg, const char* name, const char* report) {
    ConsoleCapture capture;
    unsigned long oopses = oops_count;
    running_case->expected_oopses++;
    // A case pinned to one CPU gets its oops there too (reports name per-CPU
    // addresses: the kmap_local slots).
    task_struct* t = kthread_create(fn, arg, name);
    const unsigned mask = current->cpus_allowed;
    if (t && mask && !(mask & (mask - 1))) kthread_bind(t, static_cast<unsigned>(__builtin_ctz(mask)));
    if (t) wake_up_process(t);
    if (!t) {
        running_case->expected_oopses--;
        fail_message(__FILE__, __LINE__, "cannot create thread %s", name);
        return false;
    }
    int code = 0;
    bool finished = kthread_join_timeout(t, static_cast<long>(msecs_to_jiffies(5000)), &code);
    if (!finished) {
        kthread_kill(t);
        kthread_join_timeout(t, static_cast<long>(msecs_to_jiffies(KILL_GRACE_MS)), &code);
    }
    put_task_struct(t);
    bool oopsed = finished && code == TASK_EXIT_OOPS && oops_count == oopses + 1;
    if (!oopsed && running_case->expected_oopses) running_case->expected_oopses--;
    if (oopsed && report && !capture.contains(report)) {
        fail_message(__FILE__, __LINE__, "the oops report of %s lacks \"%s\"", name, report);
        return false;
    }
    return oopsed;
}

int run_selected() {
    unsigned total = 0;
    for (const TestInfo* t = __start_ktest_cases; t < __stop_ktest_cases; ++t)
        if (selected(t)) ++total;
    if (list_only) {
        for (const TestInfo* t = __start_ktest_cases; t < __stop_ktest_cases; ++t)
            if (selected(t)) printk("ktest: %s.%s (%s:%d)\n", t->suite, t->name, t->file, t->line);
        return EXIT_STATUS_OK;
    }
    printk("TAP version 13\n");
    printk("1..%u\n", total);
    if (total == 0) {
        printk("Bail out! no test case matches ktest=%s\n", filter);
        return EXIT_STATUS_TEST_FAILURE;
    }
    timer_setup(&watchdog, watchdog_fired);
    register_die_notifier(on_oops);
    unsigned number = 0, passed = 0, failed = 0, skipped = 0;
    // Suites in the order they first appear, each suite's cases together.
    for (const TestInfo* first = __start_ktest_cases; first < __stop_ktest_cases; ++first) {
        if (!selected(first)) continue;
        bool seen = false;
        for (const TestInfo* e = __start_ktest_cases; e < first && !seen; ++e)
            seen = selected(e) && strcmp(e->suite, first->suite) == 0;
        if (seen) continue;
        printk("# Suite: %s\n", first->suite);
        for (const TestInfo* t = first; t < __stop_ktest_cases; ++t) {
            if (!selected(t) || strcmp(t->suite, first->suite) != 0) continue;
            if (!run_and_report(t, ++number, &passed, &failed, &skipped)) {
                printk("Bail out! out of memory\n");
                return EXIT_STATUS_TEST_FAILURE;
            }
        }
    }
    show_kmapinfo();  // what the suites did with the highmem APIs
    printk("# ktest: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
    return failed ? EXIT_STATUS_TEST_FAILURE : EXIT_STATUS_OK;
}

}  // namespace ktest

int init_payload() { return ktest::run_selected(); }
