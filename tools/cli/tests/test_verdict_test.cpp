#include <catch2/catch.hpp>

#include "cross_check.hpp"
#include "exit_codes.hpp"
#include "qemu_args.hpp"
#include "test_matrix.hpp"
#include "test_report.hpp"
#include "test_verdict.hpp"

using namespace hm;

namespace {

BootRecord exited(int status, std::string console) {
    BootRecord r;
    r.end = BootEnd::Exited;
    r.guest_status = status;
    r.console = std::move(console);
    r.tlb_checked = true;
    return r;
}

const char* kPass = "TAP version 13\n1..2\n# Suite: a\nok 1 - a.x # 1 expectations, 2 ms\nok 2 - a.y # SKIP no highmem\n"
                    "# ktest: 1 passed, 0 failed, 1 skipped\n";
const char* kFail = "TAP version 13\n1..2\n# Suite: a\n# EXPECT_EQ(v, 2) failed at t.cpp:9\nnot ok 1 - a.x\n"
                    "ok 2 - a.y\n# ktest: 1 passed, 1 failed, 0 skipped\n";

}  // namespace

TEST_CASE("verdict: a clean boot passes") {
    BootVerdict v = judge_boot("ktest", "64M-2level", exited(0, kPass));
    CHECK(v.failures.empty());
    CHECK(v.status == test_status::kPassed);
    CHECK(v.label() == "ktest 64M-2level");
}

TEST_CASE("verdict: a failed case is status 1, the boot itself is fine") {
    BootVerdict v = judge_boot("ktest", "1G-pae", exited(1, kFail));
    CHECK(v.failures.empty());
    CHECK(v.status == test_status::kFailed);
    std::string text = test_report_text({v});
    CHECK(text.find("FAIL ktest 1G-pae a.x (case 1): EXPECT_EQ(v, 2) failed at t.cpp:9") != std::string::npos);
    CHECK(text.find("0/1/0 FAIL") == std::string::npos);
    CHECK(text.find("1/1/0 FAIL") != std::string::npos);
}

TEST_CASE("verdict: the exit status must agree with the TAP") {
    BootVerdict lied_ok = judge_boot("k", "c", exited(0, kFail));
    REQUIRE(lied_ok.failures.size() == 1);
    CHECK(lied_ok.failures[0] == "the guest exited with status 0 although 1 case(s) failed");
    CHECK(lied_ok.status == test_status::kFailed);

    BootVerdict lied_bad = judge_boot("k", "c", exited(1, kPass));
    REQUIRE(lied_bad.failures.size() == 1);
    CHECK(lied_bad.status == test_status::kFailed);

    BootVerdict panic = judge_boot("k", "c", exited(2, "TAP version 13\n1..3\nok 1 - a.x\nKernel panic\n"));
    CHECK(panic.status == test_status::kFailed);
    REQUIRE_FALSE(panic.failures.empty());
    CHECK(panic.failures[0] == "the guest exited with status 2 (kernel panic); 1 of 3 planned case(s) reported");
}

TEST_CASE("verdict: boot troubles keep hm386 run's status") {
    struct Row {
        BootEnd end;
        int status;
    } rows[] = {{BootEnd::Shutdown, exit_code::kShutdown}, {BootEnd::Reset, exit_code::kShutdown},
                {BootEnd::Hang, exit_code::kHang},         {BootEnd::Timeout, exit_code::kTimeout},
                {BootEnd::CycleLimit, exit_code::kCycleLimit}, {BootEnd::InternalError, exit_code::kInternal}};
    for (const Row& row : rows) {
        BootRecord r;
        r.end = row.end;
        r.message = "what happened\nCPU state...";
        r.console = "TAP version 13\n1..5\nok 1 - a.x\n";
        BootVerdict v = judge_boot("ktest", "3G-pae", r);
        CHECK(v.status == row.status);
        REQUIRE_FALSE(v.failures.empty());
        CHECK(v.failures[0] == std::string(boot_end_name(row.end)) + ": what happened; 1 of 5 planned case(s) reported");
    }
}

TEST_CASE("verdict: a stale TLB translation fails an otherwise clean boot") {
    BootRecord r = exited(0, kPass);
    r.stale_reports = 2;
    r.stale_events = {"STALE dtlb read lin=ffc00000"};
    BootVerdict v = judge_boot("ktest", "1G-2level", r);
    CHECK(v.status == test_status::kFailed);
    REQUIRE(v.failures.size() == 1);
    CHECK(v.failures[0] == "the TLB coherence checker reported 2 stale translation(s): STALE dtlb read lin=ffc00000");
}

TEST_CASE("combined status: the most serious boot wins") {
    CHECK(combined_status({}) == 0);
    CHECK(combined_status({0, 0}) == 0);
    CHECK(combined_status({0, 1, 0}) == 1);
    CHECK(combined_status({1, exit_code::kCycleLimit}) == exit_code::kCycleLimit);
    CHECK(combined_status({exit_code::kTimeout, exit_code::kHang}) == exit_code::kHang);
    CHECK(combined_status({exit_code::kHang, exit_code::kShutdown, 1}) == exit_code::kShutdown);
    CHECK(combined_status({exit_code::kShutdown, exit_code::kInternal}) == exit_code::kInternal);
}

TEST_CASE("report: table per suite and configuration, JUnit per configuration and suite") {
    std::vector<BootVerdict> boots = {judge_boot("ktest", "64M-2level", exited(0, kPass)),
                                      judge_boot("ktest", "1G-pae", exited(1, kFail))};
    std::string text = test_report_text(boots);
    CHECK(text.find("suite 64M-2level  1G-pae") != std::string::npos);
    CHECK(text.find("  a     1/0/1       1/1/0 FAIL") != std::string::npos);
    CHECK(text.find("result: 2 boot(s), 4 case(s): 2 passed, 1 failed, 1 skipped; 0 boot(s) with boot-level failures") !=
          std::string::npos);

    std::vector<JUnitSuite> suites = junit_suites(boots);
    REQUIRE(suites.size() == 4);  // per boot: the boot, then suite a
    CHECK(suites[0].name == "ktest/64M-2level/boot");
    CHECK(suites[1].name == "ktest/64M-2level/a");
    REQUIRE(suites[1].cases.size() == 2);
    CHECK(suites[1].cases[0].classname == "64M-2level.a");
    CHECK(suites[1].cases[0].name == "x");
    CHECK(suites[1].cases[0].seconds == Approx(0.002));
    CHECK(suites[1].cases[1].outcome == JUnitOutcome::Skipped);
    CHECK(suites[3].cases[0].outcome == JUnitOutcome::Failure);
    CHECK(suites[3].cases[0].message == "EXPECT_EQ(v, 2) failed at t.cpp:9");
    CHECK(suites[2].system_out.find("=== hm386 test: ktest 1G-pae") != std::string::npos);
    CHECK(boot_log_name(boots[1]) == "ktest-1G-pae.log");
}

TEST_CASE("cross-check: diagnostic-device skips are expected, any other difference is reported") {
    const char* hm = "TAP version 13\n1..4\nok 1 - t.probe\nok 2 - t.same\nok 3 - t.differs\nok 4 - t.only_hm386\n";
    const char* qe = "TAP version 13\n1..4\nok 1 - t.probe # SKIP needs the hm386 diagnostic device (absent)\n"
                     "ok 2 - t.same\n# EXPECT_EQ(a, b) failed at q.cpp:1\nnot ok 3 - t.differs\nok 4 - t.only_qemu\n";
    CrossCheck x = cross_check(judge_boot("k", "c", exited(0, hm)), judge_boot("k", "c", exited(1, qe)));
    CHECK(x.compared == 3u);
    CHECK(x.same == 1u);
    CHECK(x.expected_skips == 1u);
    REQUIRE(x.differences.size() == 4);
    CHECK(x.differences[0] == "boot: hm386 exited 0, qemu exited 1");
    CHECK(x.differences[1] == "t.differs: hm386 ok, qemu not ok (EXPECT_EQ(a, b) failed at q.cpp:1)");
    CHECK(x.differences[2] == "t.only_hm386: hm386 ok, not reported by qemu");
    CHECK(x.differences[3] == "t.only_qemu: qemu ok, not reported by hm386");
    JUnitSuite s = cross_check_junit(x);
    CHECK(s.name == "cross-check/k/c");
    REQUIRE(s.cases.size() == 1);
    CHECK(s.cases[0].outcome == JUnitOutcome::Failure);
    CHECK(s.cases[0].message == "4 difference(s): boot: hm386 exited 0, qemu exited 1");
    CrossCheck agree = cross_check(judge_boot("k", "c", exited(0, hm)), judge_boot("k", "c", exited(0, hm)));
    CHECK(agree.differences.empty());
    CHECK(agree.same == 4u);
    CHECK(cross_check_junit(agree).cases[0].outcome == JUnitOutcome::Passed);
    CHECK(skip_for_missing_diag_device("needs the hm386 diagnostic device (absent: not running under hm386)"));
    CHECK_FALSE(skip_for_missing_diag_device("no highmem in this configuration"));
}

TEST_CASE("matrix: the issue's configurations, selected by glob") {
    const auto& all = default_test_matrix();
    REQUIRE(all.size() == 7);
    CHECK(all.front().name == "64M-2level");
    CHECK(all.front().append == "paging=2level force_highmem=32M");
    CHECK(all.back().name == "6G-pae");
    CHECK(all.back().mem == "6G");
    CHECK(select_test_configs({}).size() == 7);
    auto pae = select_test_configs({"*-pae"});
    REQUIRE(pae.size() == 4);
    CHECK(pae[3].name == "6G-pae");
    auto two = select_test_configs({"1G-*", "64M-pae"});
    REQUIRE(two.size() == 3);
    CHECK(two[0].name == "64M-pae");  // matrix order, not pattern order
    CHECK_THROWS_AS(select_test_configs({"2G-pae"}), UsageError);
    CHECK(ktest_selection({}).empty());
    CHECK(ktest_selection({"buddy", "highmem.kmap_*"}) == "ktest=buddy,highmem.kmap_*");
    CHECK_THROWS_AS(ktest_selection({"a b"}), UsageError);
}

TEST_CASE("report: the per-suite table stays aligned when a cell is wider than its column's name") {
    // 110 cases in suite "a", 10 of them failing: the cell "100/10/0 FAIL" is wider than "1G-pae".
    std::string tap = "TAP version 13\n1..111\n# Suite: a\n";
    for (int i = 1; i <= 110; ++i) tap += std::string(i <= 10 ? "not ok " : "ok ") + std::to_string(i) + " - a.c" + std::to_string(i) + "\n";
    tap += "# Suite: bb\nok 111 - bb.x\n";
    std::vector<BootVerdict> boots = {judge_boot("ktest", "1G-pae", exited(1, tap)),
                                      judge_boot("ktest", "64M-2level", exited(1, tap))};
    const std::string text = test_report_text(boots);
    INFO(text);
    const size_t at = text.find("cases (passed/failed/skipped)\n");
    REQUIRE(at != std::string::npos);
    std::vector<std::string> rows;
    size_t p = text.find('\n', at) + 1;
    for (int i = 0; i < 3; ++i) {
        const size_t e = text.find('\n', p);
        rows.push_back(text.substr(p, e - p));
        p = e + 1;
    }
    // Column starts: where each word after the first begins, in every row the same.
    const size_t c2 = rows[0].find("64M-2level");
    REQUIRE(c2 != std::string::npos);
    CHECK(rows[1].find("100/10/0 FAIL") == rows[0].find("1G-pae"));
    CHECK(rows[1].rfind("100/10/0 FAIL") == c2);
    CHECK(rows[2].find("1/0/0") == rows[0].find("1G-pae"));
    CHECK(rows[2].rfind("1/0/0") == c2);
}

TEST_CASE("report: one stale TLB entry is singular") {
    BootRecord r = exited(0, kPass);
    r.stale_reports = 1;
    const std::string text = test_report_text({judge_boot("ktest", "64M-2level", r)});
    CHECK(text.find("; 1 stale TLB entry") != std::string::npos);
    CHECK(text.find("1 stale TLB entries") == std::string::npos);
}

TEST_CASE("report: the boot lines line up whatever the labels' lengths") {
    std::vector<BootVerdict> boots = {judge_boot("ktest", "64M-2level-highpte", exited(0, kPass)),
                                      judge_boot("ktest", "1G-pae", exited(0, kPass))};
    const std::string text = test_report_text(boots);
    INFO(text);
    const size_t a = text.find("  ktest 64M-2level-highpte"), b = text.find("  ktest 1G-pae");
    REQUIRE(a != std::string::npos);
    REQUIRE(b != std::string::npos);
    CHECK(text.find("exited 0", a) - a == text.find("exited 0", b) - b);
}
