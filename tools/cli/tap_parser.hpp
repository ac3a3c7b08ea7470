// TAP version 13, read from a guest's serial console (`hm386 test`).
//
// The console carries more than TAP: boot messages before "TAP version 13",
// oops reports and other printk output between result lines. The parser keeps
// every line between two result lines as that case's log, so a failure comes
// with what the kernel printed while the case ran. It understands:
//   ok / not ok [N] [- name] [# SKIP reason | # TODO text | # comment]
//   1..N (before or after the cases), Bail out! reason, YAML blocks ("  ---"
//   to "  ..." after a result line), "# Suite: name" (ktest's suite headers),
//   "# ktest: P passed, F failed, S skipped" (ktest's summary line).
// Input is untrusted: any byte sequence parses; whatever breaks the protocol
// (no version line, a duplicate or out-of-sequence number, a count that does
// not match the plan, two plans...) is listed in `problems`, never thrown.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hm {

enum class TapResult { Pass, Fail, Skip, Todo };

struct TapCase {
    unsigned number = 0;
    std::string name;         // as printed, e.g. "buddy.split_and_merge"
    std::string suite;        // from the last "# Suite:" header, else the name up to its first '.'
    std::string case_name;    // the name without "suite."
    TapResult result = TapResult::Pass;
    std::string directive;    // the SKIP reason or TODO text
    std::string comment;      // text after '#' that is not a directive ("3 expectations, 5 ms")
    std::optional<double> guest_ms;       // "N ms" in the comment (ktest prints the case's guest time)
    std::vector<std::string> diagnostics; // '#' lines since the previous result, YAML lines after it
    std::vector<std::string> log;         // every console line since the previous result line
};

struct TapSummaryLine {
    unsigned passed = 0, failed = 0, skipped = 0;
};

struct TapReport {
    bool has_version = false;
    std::optional<unsigned> plan;  // from 1..N
    std::vector<TapCase> cases;
    std::optional<std::string> bail_out;
    std::optional<TapSummaryLine> summary;
    std::vector<std::string> problems;  // protocol violations, one line each

    unsigned count(TapResult r) const;
    // Nothing failed, the protocol held, and every planned case was reported.
    bool clean() const;
};

// Lines longer than this are cut (a guest may print anything).
constexpr size_t kTapMaxLine = 4096;
// At most this many log lines are kept per case (the last ones).
constexpr size_t kTapMaxCaseLog = 400;

TapReport parse_tap(std::string_view console);

// The most useful one-line reason for a failed case: the framework's
// "... failed at file:line" line, else an oops or timeout line, else the first
// diagnostic, else "(no diagnostic)".
std::string failure_headline(const TapCase& c);

}  // namespace hm
