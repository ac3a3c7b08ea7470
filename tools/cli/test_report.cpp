#include "test_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace hm {

namespace {

constexpr size_t kDiagnosticLinesShown = 12;
constexpr size_t kConsoleTailShown = 20;

std::string pad(std::string s, size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

std::string join(const std::vector<std::string>& lines, size_t from = 0) {
    std::string out;
    for (size_t i = from; i < lines.size(); ++i) out += lines[i] + "\n";
    return out;
}

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> lines;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        size_t end = nl > pos && text[nl - 1] == '\r' ? nl - 1 : nl;  // the UART sends CR LF
        lines.push_back(text.substr(pos, end - pos));
        pos = nl + 1;
    }
    return lines;
}

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F ? '?' : c;
    return out;
}

struct Counts {
    unsigned passed = 0, failed = 0, skipped = 0;
};

// Suites in order of first appearance, and each boot's counts per suite.
std::vector<std::string> suite_order(const std::vector<BootVerdict>& boots) {
    std::vector<std::string> order;
    for (const BootVerdict& b : boots)
        for (const TapCase& c : b.tap.cases)
            if (std::find(order.begin(), order.end(), c.suite) == order.end()) order.push_back(c.suite);
    return order;
}

std::map<std::string, Counts> suite_counts(const BootVerdict& b) {
    std::map<std::string, Counts> m;
    for (const TapCase& c : b.tap.cases) {
        Counts& k = m[c.suite];
        if (c.result == TapResult::Fail) ++k.failed;
        else if (c.result == TapResult::Skip) ++k.skipped;
        else ++k.passed;  // a TODO is not a failure
    }
    return m;
}

std::string column_name(const BootVerdict& b, bool several_images) {
    std::string name = several_images ? b.image + "/" + b.config : b.config;
    return b.emulator == "hm386" ? name : name + "(" + b.emulator + ")";
}

std::string millions(u64 n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f M", static_cast<double>(n) / 1e6);
    return buf;
}

}  // namespace

std::string boot_summary_line(const BootVerdict& b, size_t label_width) {
    const BootRecord& r = b.record;
    std::string end = r.end == BootEnd::Exited ? "exited " + std::to_string(r.guest_status) : boot_end_name(r.end);
    char host[32];
    std::snprintf(host, sizeof host, "%.1f s", r.host_seconds);
    std::string line = pad(b.label(), label_width) + " " + pad(end, 10) + " " + std::to_string(b.tap.cases.size()) +
                       " cases: " + std::to_string(b.tap.count(TapResult::Pass)) + " passed, " +
                       std::to_string(b.tap.count(TapResult::Fail)) + " failed, " +
                       std::to_string(b.tap.count(TapResult::Skip)) + " skipped";
    if (unsigned todo = b.tap.count(TapResult::Todo)) line += ", " + std::to_string(todo) + " todo";
    if (r.cycles) line += "; " + millions(r.cycles) + " cycles";
    line += std::string("; ") + host + " host";
    if (r.tlb_checked) line += "; " + std::to_string(r.stale_reports) + (r.stale_reports == 1 ? " stale TLB entry" : " stale TLB entries");
    if (!b.failures.empty()) line += "  BOOT FAILED";
    return line;
}

std::string test_report_text(const std::vector<BootVerdict>& boots) {
    std::string out = "boots\n";
    size_t label_width = 22;  // "ktest 64M-2level-highpte" is longer
    for (const BootVerdict& b : boots) label_width = std::max(label_width, b.label().size());
    for (const BootVerdict& b : boots) out += "  " + boot_summary_line(b, label_width) + "\n";

    const std::vector<std::string> suites = suite_order(boots);
    if (!suites.empty()) {
        bool several_images = false;
        for (const BootVerdict& b : boots) several_images = several_images || b.image != boots.front().image;
        size_t first_width = 6;
        for (const std::string& s : suites) first_width = std::max(first_width, s.size() + 1);
        out += "cases (passed/failed/skipped)\n  " + pad("suite", first_width);
        // Cells first: a column is as wide as its name or its widest cell ("120/10/3 FAIL"), plus a space.
        std::vector<std::vector<std::string>> cells(boots.size());
        std::vector<size_t> widths;
        std::vector<std::string> names;
        for (size_t i = 0; i < boots.size(); ++i) {
            const std::map<std::string, Counts> counts = suite_counts(boots[i]);
            names.push_back(column_name(boots[i], several_images));
            size_t w = std::max<size_t>(names.back().size() + 1, 12);
            for (const std::string& s : suites) {
                auto it = counts.find(s);
                std::string cell = "-";
                if (it != counts.end()) {
                    const Counts& k = it->second;
                    cell = std::to_string(k.passed) + "/" + std::to_string(k.failed) + "/" + std::to_string(k.skipped);
                    if (k.failed) cell += " FAIL";
                }
                w = std::max(w, cell.size() + 1);
                cells[i].push_back(cell);
            }
            widths.push_back(w);
            out += pad(names.back(), w);
        }
        while (out.back() == ' ') out.pop_back();
        out += "\n";
        for (size_t r = 0; r < suites.size(); ++r) {
            std::string row = "  " + pad(suites[r], first_width);
            for (size_t i = 0; i < boots.size(); ++i) row += pad(cells[i][r], widths[i]);
            while (!row.empty() && row.back() == ' ') row.pop_back();
            out += row + "\n";
        }
    }

    std::string failures;
    for (const BootVerdict& b : boots) {
        for (const TapCase& c : b.tap.cases) {
            if (c.result != TapResult::Fail) continue;
            failures += "  FAIL " + b.label() + " " + printable(c.name) + " (case " + std::to_string(c.number) +
                        "): " + printable(failure_headline(c)) + "\n";
            size_t shown = 0;
            for (const std::string& d : c.diagnostics) {
                if (shown++ == kDiagnosticLinesShown) {
                    failures += "      ...\n";
                    break;
                }
                failures += "      " + printable(d) + "\n";
            }
        }
        if (b.failures.empty()) continue;
        for (const std::string& f : b.failures) failures += "  BOOT " + b.label() + ": " + printable(f) + "\n";
        std::vector<std::string> console = split(b.record.console);
        size_t from = console.size() > kConsoleTailShown ? console.size() - kConsoleTailShown : 0;
        failures += "      last console lines:\n";
        for (size_t i = from; i < console.size(); ++i) failures += "      | " + printable(console[i]) + "\n";
        for (const std::string& e : b.record.stale_events) failures += "      stale: " + e + "\n";
    }
    if (!failures.empty()) out += "failures\n" + failures;

    unsigned cases = 0, passed = 0, failed = 0, skipped = 0, bad_boots = 0;
    for (const BootVerdict& b : boots) {
        cases += static_cast<unsigned>(b.tap.cases.size());
        passed += b.tap.count(TapResult::Pass);
        failed += b.tap.count(TapResult::Fail);
        skipped += b.tap.count(TapResult::Skip);
        bad_boots += !b.failures.empty();
    }
    out += "result: " + std::to_string(boots.size()) + " boot(s), " + std::to_string(cases) + " case(s): " +
           std::to_string(passed) + " passed, " + std::to_string(failed) + " failed, " + std::to_string(skipped) +
           " skipped; " + std::to_string(bad_boots) + " boot(s) with boot-level failures\n";
    return out;
}

std::vector<JUnitSuite> junit_suites(const std::vector<BootVerdict>& boots) {
    std::vector<JUnitSuite> out;
    for (const BootVerdict& b : boots) {
        const std::string prefix = (b.emulator == "hm386" ? "" : b.emulator + ":") + b.image + "/" + b.config;
        const std::string class_prefix = (b.emulator == "hm386" ? "" : b.emulator + ".") + b.config;
        // The boot itself: did it end well, and the whole console.
        JUnitSuite boot;
        boot.name = prefix + "/boot";
        boot.seconds = b.record.host_seconds;
        JUnitCase bc;
        bc.classname = class_prefix + ".boot";
        bc.name = b.image;
        bc.seconds = b.record.host_seconds;
        if (!b.failures.empty()) {
            bc.outcome = b.record.end == BootEnd::Exited ? JUnitOutcome::Failure : JUnitOutcome::Error;
            bc.message = b.failures.front();
            bc.text = join(b.failures) + join(b.record.stale_events);
        }
        boot.cases.push_back(std::move(bc));
        boot.system_out = boot_log_text(b);
        out.push_back(std::move(boot));

        for (const std::string& suite : suite_order({b})) {
            JUnitSuite s;
            s.name = prefix + "/" + suite;
            for (const TapCase& c : b.tap.cases) {
                if (c.suite != suite) continue;
                JUnitCase jc;
                jc.classname = class_prefix + "." + suite;
                jc.name = c.case_name;
                jc.seconds = c.guest_ms ? *c.guest_ms / 1000.0 : 0;
                s.seconds += jc.seconds;
                if (c.result == TapResult::Fail) {
                    jc.outcome = JUnitOutcome::Failure;
                    jc.message = failure_headline(c);
                    jc.text = join(c.log);
                } else if (c.result == TapResult::Skip) {
                    jc.outcome = JUnitOutcome::Skipped;
                    jc.message = c.directive;
                }
                s.system_out += join(c.log);
                s.cases.push_back(std::move(jc));
            }
            out.push_back(std::move(s));
        }
    }
    return out;
}

std::string boot_log_text(const BootVerdict& b) {
    std::string out = b.record.console;
    if (!out.empty() && out.back() != '\n') out += '\n';
    if (!b.record.debugcon.empty()) out += "=== port 0xE9 output\n" + b.record.debugcon + "\n";
    out += "=== hm386 test: " + boot_summary_line(b) + "\n";
    if (!b.record.message.empty()) out += "=== " + b.emulator + ": " + b.record.message + "\n";
    for (const std::string& f : b.failures) out += "=== boot failure: " + f + "\n";
    for (const std::string& e : b.record.stale_events) out += "=== stale: " + e + "\n";
    return out;
}

std::string boot_log_name(const BootVerdict& b) {
    std::string name = b.image + "-" + b.config + (b.emulator == "hm386" ? "" : "-" + b.emulator) + ".log";
    for (char& c : name)
        if (c == '/' || c == ' ') c = '_';
    return name;
}

}  // namespace hm
