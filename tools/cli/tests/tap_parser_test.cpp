#include <catch2/catch.hpp>

#include <random>

#include "tap_parser.hpp"

using namespace hm;

namespace {

// What ktest.elf prints (abridged from a real run): boot messages, then TAP.
const char* kKtestRun =
    "Linux-like banner\r\n"
    "ok 99 - not TAP yet: boot messages before the version line are ignored\n"
    "TAP version 13\n"
    "1..5\n"
    "# Suite: buddy\n"
    "ok 1 - buddy.split_and_merge # 12 expectations, 30 ms\n"
    "# EXPECT_EQ(pages, 7) failed at guest-tests/kernel/buddy_test.cpp:42\n"
    "#   expected: pages == 7\n"
    "#   pages = 5 (0x5)\n"
    "#   7 = 7 (0x7)\n"
    "not ok 2 - buddy.counts\n"
    "# Suite: tlb\n"
    "ok 3 - tlb.kernel_mappings_are_global # SKIP needs the hm386 diagnostic device (absent: not running under hm386)\n"
    "BUG: kernel NULL pointer dereference, address: 00000010\n"
    "Call Trace:\n"
    "# oops during the case: page fault (in ktest-case[12])\n"
    "not ok 4 - tlb.oopses\n"
    "# Suite: Counter\n"
    "ok 5 - Counter.setup_runs_before_the_body # 1 expectations, 0 ms\n"
    "# ktest: 2 passed, 2 failed, 1 skipped\n"
    "reboot: Power down\n";

}  // namespace

TEST_CASE("ktest output: cases, suites, skips and failure messages") {
    TapReport r = parse_tap(kKtestRun);
    CHECK(r.has_version);
    REQUIRE(r.plan);
    CHECK(*r.plan == 5u);
    REQUIRE(r.cases.size() == 5);
    CHECK(r.problems.empty());
    CHECK_FALSE(r.bail_out);
    REQUIRE(r.summary);
    CHECK(r.summary->failed == 2u);

    CHECK(r.cases[0].name == "buddy.split_and_merge");
    CHECK(r.cases[0].suite == "buddy");
    CHECK(r.cases[0].case_name == "split_and_merge");
    CHECK(r.cases[0].result == TapResult::Pass);
    CHECK(r.cases[0].comment == "12 expectations, 30 ms");
    REQUIRE(r.cases[0].guest_ms);
    CHECK(*r.cases[0].guest_ms == 30.0);

    const TapCase& failed = r.cases[1];
    CHECK(failed.result == TapResult::Fail);
    CHECK(failed.number == 2u);
    REQUIRE(failed.diagnostics.size() == 4);
    CHECK(failure_headline(failed) == "EXPECT_EQ(pages, 7) failed at guest-tests/kernel/buddy_test.cpp:42");

    CHECK(r.cases[2].result == TapResult::Skip);
    CHECK(r.cases[2].suite == "tlb");
    CHECK(r.cases[2].directive == "needs the hm386 diagnostic device (absent: not running under hm386)");

    const TapCase& oops = r.cases[3];
    CHECK(failure_headline(oops) == "oops during the case: page fault (in ktest-case[12])");
    // The case's log holds the oops report the kernel printed while it ran.
    REQUIRE(oops.log.size() >= 3);
    CHECK(oops.log.front() == "BUG: kernel NULL pointer dereference, address: 00000010");
    CHECK(oops.log.back() == "not ok 4 - tlb.oopses");

    CHECK(r.cases[4].suite == "Counter");
    CHECK(r.count(TapResult::Pass) == 2u);
    CHECK(r.count(TapResult::Fail) == 2u);
    CHECK(r.count(TapResult::Skip) == 1u);
    CHECK_FALSE(r.clean());
}

TEST_CASE("a clean run is clean") {
    TapReport r = parse_tap("TAP version 13\n1..2\nok 1 - a.b\nok 2 - a.c # SKIP why\n# ktest: 1 passed, 0 failed, 1 skipped\n");
    CHECK(r.problems.empty());
    CHECK(r.clean());
}

TEST_CASE("the kmapinfo report between the last case and the summary is console output") {
    // ktest_runner prints show_kmapinfo() after the last case (abridged from a real run).
    TapReport r = parse_tap(
        "TAP version 13\n1..2\nok 1 - a.b # 1 expectations, 0 ms\nok 2 - a.c # 1 expectations, 0 ms\n"
        "kmapinfo:\n"
        "  kmap calls:             13388  (highmem pages only: a lowmem page needs no mapping)\n"
        "  pkmap slots in use:         0  of 1024 (2 unused but still mapped, 1022 free)\n"
        "  pkmap wraps:               18\n"
        "  INVLPGs issued:         12437  (12009 by kunmap_local/kunmap_atomic, 428 by context-switch teardown)\n"
        "# ktest: 2 passed, 0 failed, 0 skipped\n");
    CHECK(r.problems.empty());
    CHECK(r.clean());
    REQUIRE(r.cases.size() == 2);
    CHECK(r.cases[1].diagnostics.empty());
    REQUIRE(r.summary);
    CHECK(r.summary->passed == 2u);
}

TEST_CASE("the plan may come last") {
    TapReport r = parse_tap("TAP version 13\nok 1 - x\nok 2 - y\n1..2\n");
    CHECK(r.problems.empty());
    CHECK(r.clean());
}

TEST_CASE("a run cut short: fewer cases than planned") {
    TapReport r = parse_tap("TAP version 13\n1..4\nok 1 - a.x\nok 2 - a.y\nsomething went wrong\n");
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0] == "the plan announced 4 case(s), 2 reported");
    CHECK_FALSE(r.clean());
}

TEST_CASE("Bail out! stops the run and is reported") {
    TapReport r = parse_tap(
        "TAP version 13\n1..3\n# x.spin: timed out after 300 ms and cannot be preempted\nnot ok 1 - x.spin\n"
        "Bail out! x.spin did not finish\nok 2 - never read\n");
    REQUIRE(r.bail_out);
    CHECK(*r.bail_out == "x.spin did not finish");
    CHECK(r.cases.size() == 1);
    CHECK(failure_headline(r.cases[0]) == "x.spin: timed out after 300 ms and cannot be preempted");
    CHECK_FALSE(r.clean());
}

TEST_CASE("no version line, no plan") {
    TapReport r = parse_tap("hello from a guest\n");
    CHECK_FALSE(r.has_version);
    CHECK(r.cases.empty());
    REQUIRE_FALSE(r.problems.empty());
    CHECK(r.problems[0] == "no \"TAP version 13\" line");
    CHECK_FALSE(r.clean());

    TapReport p = parse_tap("TAP version 13\nok 1 - a\n");
    REQUIRE(p.problems.size() == 1);
    CHECK(p.problems[0] == "no plan line (1..N)");
}

TEST_CASE("hostile numbering: duplicates, gaps, overflow, missing numbers") {
    TapReport dup = parse_tap("TAP version 13\n1..2\nok 1 - a\nok 1 - b\n");
    REQUIRE(dup.problems.size() == 1);
    CHECK(dup.problems[0] == "case 1 out of sequence (expected 2)");

    TapReport gap = parse_tap("TAP version 13\n1..2\nok 1 - a\nok 7 - b\n");
    REQUIRE(gap.problems.size() == 1);
    CHECK(gap.problems[0] == "case 7 out of sequence (expected 2)");

    TapReport huge = parse_tap("TAP version 13\n1..1\nok 99999999999999999999999999 - a\n");
    REQUIRE(huge.problems.size() == 1);
    CHECK(huge.problems[0].rfind("an impossible case number", 0) == 0);
    REQUIRE(huge.cases.size() == 1);
    CHECK(huge.cases[0].number == 1u);

    TapReport bare = parse_tap("TAP version 13\n1..3\nok\nnot ok\nok - named\n");
    CHECK(bare.problems.empty());
    REQUIRE(bare.cases.size() == 3);
    CHECK(bare.cases[0].name == "case 1");
    CHECK(bare.cases[1].result == TapResult::Fail);
    CHECK(bare.cases[2].name == "named");

    TapReport impossible_plan = parse_tap("TAP version 13\n1..99999999999999999999999\n");
    CHECK_FALSE(impossible_plan.plan);
    CHECK_FALSE(impossible_plan.problems.empty());
}

TEST_CASE("hostile structure: two plans, results after the closing plan, two version lines, lying summary") {
    TapReport two = parse_tap("TAP version 13\n1..1\n1..1\nok 1 - a\n");
    CHECK(std::find(two.problems.begin(), two.problems.end(), "a second plan line: 1..1") != two.problems.end());

    TapReport late = parse_tap("TAP version 13\nok 1 - a\n1..1\nok 2 - b\n");
    CHECK_FALSE(late.problems.empty());
    CHECK_FALSE(late.clean());

    TapReport restart = parse_tap("TAP version 13\n1..1\nok 1 - a\nTAP version 13\n");
    CHECK_FALSE(restart.problems.empty());

    TapReport lie = parse_tap("TAP version 13\n1..1\nnot ok 1 - a\n# ktest: 1 passed, 0 failed, 0 skipped\n");
    CHECK_FALSE(lie.problems.empty());
    CHECK(lie.count(TapResult::Fail) == 1u);
}

TEST_CASE("directives: SKIP and TODO in any case, not ok # SKIP stays a failure, escaped #") {
    TapReport r = parse_tap(
        "TAP version 13\n1..5\nok 1 - a # skip lower case\nok 2 - b # Skipped: no highmem\n"
        "not ok 3 - c # TODO not written yet\nnot ok 4 - d # SKIP a failing case cannot skip\n"
        "ok 5 - e \\# not a comment \\\\ # plain comment\n");
    REQUIRE(r.cases.size() == 5);
    CHECK(r.cases[0].result == TapResult::Skip);
    CHECK(r.cases[0].directive == "lower case");
    CHECK(r.cases[1].result == TapResult::Skip);
    CHECK(r.cases[1].directive == ": no highmem");
    CHECK(r.cases[2].result == TapResult::Todo);
    CHECK(r.cases[3].result == TapResult::Fail);
    CHECK(r.cases[4].name == "e # not a comment \\");
    CHECK(r.cases[4].comment == "plain comment");
    CHECK(r.count(TapResult::Fail) == 1u);
}

TEST_CASE("words that only look like results are console output") {
    TapReport r = parse_tap("TAP version 13\n1..1\nokay, booting\nnot okay\n  ok 1 - indented subtest\nok 1 - real\n");
    REQUIRE(r.cases.size() == 1);
    CHECK(r.cases[0].name == "real");
    CHECK(r.problems.empty());
}

TEST_CASE("YAML diagnostics after a result belong to it") {
    TapReport r = parse_tap(
        "TAP version 13\n1..2\nnot ok 1 - a.b\n  ---\n  message: 'values differ'\n  got: 5\n  ...\nok 2 - a.c\n");
    REQUIRE(r.cases.size() == 2);
    CHECK(r.problems.empty());
    REQUIRE(r.cases[0].diagnostics.size() == 4);
    CHECK(r.cases[0].diagnostics[1] == "  message: 'values differ'");
    CHECK(failure_headline(r.cases[0]) == "message: 'values differ'");
    CHECK(r.cases[1].diagnostics.empty());
}

TEST_CASE("CR LF, NUL bytes, missing final newline, very long lines") {
    std::string text = "TAP version 13\r\n1..2\r\nok 1 - a\r\n";
    text += std::string("# ") + std::string(100000, 'x') + "\n";
    text += std::string("not ok 2 - b\0c", 14);  // no final newline, a NUL in the name
    TapReport r = parse_tap(text);
    CHECK(r.problems.empty());
    REQUIRE(r.cases.size() == 2);
    CHECK(r.cases[0].name == "a");
    CHECK(r.cases[1].name == std::string("b\0c", 3));
    REQUIRE(r.cases[1].diagnostics.size() == 1);
    CHECK(r.cases[1].diagnostics[0].size() == kTapMaxLine);
}

TEST_CASE("a case's log keeps only its last lines") {
    std::string text = "TAP version 13\n1..1\n";
    for (int i = 0; i < 1000; ++i) text += "noise " + std::to_string(i) + "\n";
    text += "ok 1 - a\n";
    TapReport r = parse_tap(text);
    REQUIRE(r.cases.size() == 1);
    CHECK(r.cases[0].log.size() == kTapMaxCaseLog + 1);
    CHECK(r.cases[0].log.back() == "ok 1 - a");
    CHECK(r.cases[0].log.front() == "noise " + std::to_string(1000 - kTapMaxCaseLog));
}

TEST_CASE("random bytes never crash the parser") {
    std::mt19937 rng(1234);
    const std::string alphabet = "ok not 1..9#\\\n\r- SKIPTODO Bail out!\x00\xff";
    for (int round = 0; round < 300; ++round) {
        std::string text = round % 2 ? "TAP version 13\n" : "";
        size_t n = rng() % 2000;
        for (size_t i = 0; i < n; ++i) text += alphabet[rng() % alphabet.size()];
        TapReport r = parse_tap(text);
        for (const TapCase& c : r.cases) {
            CHECK(c.number > 0);
            CHECK_FALSE(c.name.empty());
            REQUIRE_FALSE(c.log.empty());  // at least its own result line
        }
        if (r.clean()) CHECK(r.count(TapResult::Fail) == 0u);
    }
}
