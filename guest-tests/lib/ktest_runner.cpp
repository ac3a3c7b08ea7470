// The ktest runner: ktest.elf's init payload. Selects the cases named by the
// command line, runs them in link order grouped by suite, prints TAP version 13
// and returns the exit status (0: nothing failed, 1: something failed or
// nothing was selected).
//
// A watchdog timer bounds each case (its own timeout, or ktest_timeout=MS, 10 s
// by default). A case that overruns is reported as failed and the run ends
// cleanly with "Bail out!" (the body cannot be interrupted safely while it runs
// on the runner's own stack).
#include <kernel/cmdline.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/printk.hpp>
#include <kernel/reboot.hpp>
#include <kernel/slab.hpp>
#include <kernel/string.hpp>
#include <kernel/timer.hpp>

#include "ktest.hpp"
#include "ktest_runner.hpp"

extern "C" const ktest::TestInfo __start_ktest_cases[], __stop_ktest_cases[];

namespace ktest {
namespace {

constexpr unsigned DEFAULT_TIMEOUT_MS = 10000;

constinit char filter[256] = "";
constinit u64 timeout_ms_option = 0;
constinit bool list_only = false;

bool parse_filter(const char* v) { return strlcpy(filter, v, sizeof filter) < sizeof filter && *v; }
early_param("ktest", parse_filter, "expected ktest=GLOB[,GLOB...], e.g. ktest=buddy*");
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
};

constinit CaseState* current = nullptr;
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

bool selected(const TestInfo* t) {
    if (!filter[0]) return !t->explicit_only;
    const char* p = filter;
    char pat[96];
    while (*p) {
        size_t len = 0;
        while (p[len] && p[len] != ',') ++len;
        if (len < sizeof pat) {
            memcpy(pat, p, len);
            pat[len] = 0;
            bool exact_suite = false;
            if (pattern_matches(pat, t, &exact_suite) && (!t->explicit_only || exact_suite)) return true;
        }
        p += len;
        if (*p == ',') ++p;
    }
    return false;
}

unsigned case_timeout_ms(const TestInfo* t) {
    if (t->timeout_ms) return t->timeout_ms;
    return timeout_ms_option ? static_cast<unsigned>(timeout_ms_option) : DEFAULT_TIMEOUT_MS;
}

void watchdog_fired(timer_list*) {
    // Interrupt context, the case still running below us: report and stop.
    char name[128];
    full_name(current->info, name, sizeof name);
    printk("# %s: timed out after %u ms\n", name, case_timeout_ms(current->info));
    printk("not ok %u - %s\n", current->number, name);
    printk("Bail out! %s did not finish\n", name);
    machine_power_off(EXIT_STATUS_TEST_FAILURE);
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
    if (current) ++current->expectations;
}

void fail_binary(const char* macro, const char* a_text, const char* b_text, const char* a_value, const char* b_value,
                 Op op, const char* file, int line) {
    if (current) current->failed = true;
    printk("# %s(%s, %s) failed at %s:%d\n", macro, a_text, b_text, file, line);
    printk("#   expected: %s %s %s\n", a_text, op_text(op), b_text);
    printk("#   %s = %s\n", a_text, a_value);
    printk("#   %s = %s\n", b_text, b_value);
}

void fail_message(const char* file, int line, const char* fmt, ...) {
    if (current) current->failed = true;
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
    if (current) current->failed = true;
    printk("# %s(%s, %s) failed at %s:%d\n", macro, a_text, b_text, file, line);
    printk("#   %s = \"%s\"\n", a_text, a ? a : "(null)");
    printk("#   %s = \"%s\"\n", b_text, b ? b : "(null)");
    return false;
}

bool case_failed() { return current && current->failed; }
bool case_skipped() { return current && current->skipped; }

void skip(const char* reason) {
    if (!current) return;
    current->skipped = true;
    strlcpy(current->skip_reason, reason, sizeof current->skip_reason);
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
    unsigned number = 0, passed = 0, failed = 0, skipped = 0;
    const char* last_suite = nullptr;
    for (const TestInfo* t = __start_ktest_cases; t < __stop_ktest_cases; ++t) {
        if (!selected(t)) continue;
        if (!last_suite || strcmp(last_suite, t->suite) != 0) printk("# Suite: %s\n", t->suite);
        last_suite = t->suite;
        CaseState state{};
        state.info = t;
        state.number = ++number;
        current = &state;
        mod_timer(&watchdog, get_jiffies_64() + msecs_to_jiffies(case_timeout_ms(t)) + 1);
        u64 start = get_jiffies_64();
        t->run();
        del_timer(&watchdog);
        u64 ms = jiffies_to_msecs(get_jiffies_64() - start);
        current = nullptr;
        char name[128];
        full_name(t, name, sizeof name);
        if (state.failed) {
            ++failed;
            printk("not ok %u - %s\n", state.number, name);
        } else if (state.skipped) {
            ++skipped;
            printk("ok %u - %s # SKIP %s\n", state.number, name, state.skip_reason);
        } else {
            ++passed;
            printk("ok %u - %s # %u expectations, %llu ms\n", state.number, name, state.expectations, ms);
        }
    }
    printk("# ktest: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
    return failed ? EXIT_STATUS_TEST_FAILURE : EXIT_STATUS_OK;
}

}  // namespace ktest

int init_payload() { return ktest::run_selected(); }
