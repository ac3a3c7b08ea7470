#include "tap_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace hm {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
    return s.substr(b, e - b);
}

bool iequals_prefix(std::string_view s, std::string_view p) {
    if (s.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != p[i]) return false;
    return true;
}

// Digits at the front of s: the value (saturated) and how many there were.
struct Number {
    unsigned long long value = 0;
    size_t digits = 0;
    bool overflow = false;
};
Number leading_number(std::string_view s) {
    Number n;
    while (n.digits < s.size() && std::isdigit(static_cast<unsigned char>(s[n.digits]))) {
        unsigned d = static_cast<unsigned>(s[n.digits] - '0');
        if (n.value > (~0ull - d) / 10) n.overflow = true;
        else n.value = n.value * 10 + d;
        ++n.digits;
    }
    return n;
}

constexpr unsigned long long kMaxCaseNumber = 1'000'000'000;

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        size_t end = nl == std::string_view::npos ? text.size() : nl;
        std::string_view line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() > kTapMaxLine) line = line.substr(0, kTapMaxLine);
        lines.emplace_back(line);
        pos = end + 1;
    }
    return lines;
}

// "ok", "not ok" at the start of a line, followed by the end or a space.
std::optional<bool> result_keyword(std::string_view line, size_t* rest) {
    for (auto [word, ok] : {std::pair{std::string_view("ok"), true}, std::pair{std::string_view("not ok"), false}}) {
        if (starts_with(line, word) && (line.size() == word.size() || line[word.size()] == ' ')) {
            *rest = word.size();
            return ok;
        }
    }
    return std::nullopt;
}

// Splits "name # directive" at the first '#' not escaped with '\', unescaping
// "\#" and "\\" in the name.
void split_description(std::string_view text, std::string* name, std::optional<std::string>* after_hash) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '#' || text[i + 1] == '\\')) {
            out += text[++i];
        } else if (c == '#') {
            *after_hash = std::string(trim(text.substr(i + 1)));
            break;
        } else {
            out += c;
        }
    }
    *name = std::string(trim(out));
}

// "3 expectations, 12 ms" -> 12
std::optional<double> comment_ms(std::string_view comment) {
    size_t at = comment.rfind(" ms");
    if (at == std::string_view::npos || (at + 3 != comment.size() && comment[at + 3] != ',')) return std::nullopt;
    size_t b = at;
    while (b > 0 && std::isdigit(static_cast<unsigned char>(comment[b - 1]))) --b;
    if (b == at) return std::nullopt;
    Number n = leading_number(comment.substr(b, at - b));
    if (n.overflow) return std::nullopt;
    return static_cast<double>(n.value);
}

// "# ktest: 110 passed, 0 failed, 4 skipped"
std::optional<TapSummaryLine> summary_line(std::string_view line) {
    constexpr std::string_view prefix = "# ktest: ";
    if (!starts_with(line, prefix)) return std::nullopt;
    std::string_view s = line.substr(prefix.size());
    TapSummaryLine out;
    unsigned* fields[] = {&out.passed, &out.failed, &out.skipped};
    const std::string_view words[] = {" passed", " failed", " skipped"};
    for (int i = 0; i < 3; ++i) {
        Number n = leading_number(s);
        if (n.digits == 0 || n.overflow || n.value > kMaxCaseNumber) return std::nullopt;
        *fields[i] = static_cast<unsigned>(n.value);
        s.remove_prefix(n.digits);
        if (!starts_with(s, words[i])) return std::nullopt;
        s.remove_prefix(words[i].size());
        if (i < 2) {
            if (!starts_with(s, ", ")) return std::nullopt;
            s.remove_prefix(2);
        }
    }
    if (!trim(s).empty()) return std::nullopt;
    return out;
}

class Parser {
public:
    TapReport run(std::string_view console) {
        std::vector<std::string> lines = split_lines(console);
        size_t first = 0;
        auto version = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return is_version(l); });
        if (version == lines.end()) {
            report_.problems.push_back("no \"TAP version 13\" line");
        } else {
            report_.has_version = true;
            first = static_cast<size_t>(version - lines.begin()) + 1;
        }
        for (size_t i = first; i < lines.size() && !report_.bail_out; ++i) line(lines[i]);
        finish();
        return std::move(report_);
    }

private:
    static bool is_version(std::string_view l) { return trim(l) == "TAP version 13"; }

    void line(const std::string& text) {
        std::string_view l = text;
        if (in_yaml_) {
            keep_log(text);
            if (!report_.cases.empty()) report_.cases.back().diagnostics.push_back(text);
            if (trim(l) == "...") in_yaml_ = false;
            return;
        }
        if (just_reported_ && !l.empty() && l[0] == ' ' && trim(l) == "---") {
            in_yaml_ = true;
            keep_log(text);
            report_.cases.back().diagnostics.push_back(text);
            return;
        }
        just_reported_ = false;
        size_t rest = 0;
        if (std::optional<bool> ok = result_keyword(l, &rest)) return result(*ok, l.substr(rest), text);
        if (starts_with(l, "Bail out!")) {
            report_.bail_out = std::string(trim(l.substr(9)));
            return;
        }
        if (is_plan(l)) return;
        if (is_version(l)) {
            report_.problems.push_back("a second \"TAP version 13\" line (did the guest restart?)");
            return;
        }
        keep_log(text);
        if (starts_with(l, "# Suite: ")) {
            suite_ = std::string(trim(l.substr(9)));
            return;
        }
        if (auto s = summary_line(l)) {
            if (report_.summary) report_.problems.push_back("two ktest summary lines");
            report_.summary = s;
            return;
        }
        if (starts_with(l, "#")) pending_diagnostics_.push_back(text);
    }

    bool is_plan(std::string_view l) {
        if (!starts_with(l, "1..")) return false;
        Number n = leading_number(l.substr(3));
        if (n.digits == 0) return false;
        std::string_view after = trim(l.substr(3 + n.digits));
        if (!after.empty() && after[0] != '#') return false;
        if (report_.plan) {
            report_.problems.push_back("a second plan line: " + std::string(l));
        } else if (n.overflow || n.value > kMaxCaseNumber) {
            report_.problems.push_back("an impossible plan: " + std::string(l));
        } else {
            report_.plan = static_cast<unsigned>(n.value);
            plan_after_cases_ = !report_.cases.empty();
        }
        return true;
    }

    void result(bool ok, std::string_view rest, const std::string& text) {
        TapCase c;
        const unsigned expected = static_cast<unsigned>(report_.cases.size()) + 1;
        if (plan_after_cases_) report_.problems.push_back("a result after the closing plan: " + text);
        rest = trim(rest);
        Number n = leading_number(rest);
        if (n.digits > 0 && (n.overflow || n.value > kMaxCaseNumber)) {
            report_.problems.push_back("an impossible case number: " + text);
            c.number = expected;
        } else if (n.digits > 0) {
            c.number = static_cast<unsigned>(n.value);
            if (c.number != expected) {
                report_.problems.push_back("case " + std::to_string(c.number) + " out of sequence (expected " +
                                           std::to_string(expected) + ")");
            }
        } else {
            c.number = expected;
        }
        rest = trim(rest.substr(n.digits));
        if (starts_with(rest, "- ") || rest == "-") rest = rest.substr(1);
        std::optional<std::string> after_hash;
        split_description(rest, &c.name, &after_hash);
        c.result = ok ? TapResult::Pass : TapResult::Fail;
        if (after_hash) {
            std::string_view h = *after_hash;
            if (iequals_prefix(h, "skip")) {
                // "not ok # SKIP" is still a failure: only a passing case may be skipped.
                if (ok) c.result = TapResult::Skip;
                size_t word = 4;
                while (word < h.size() && std::isalpha(static_cast<unsigned char>(h[word]))) ++word;
                c.directive = std::string(trim(h.substr(word)));
            } else if (iequals_prefix(h, "todo")) {
                c.result = TapResult::Todo;
                c.directive = std::string(trim(h.substr(4)));
            } else {
                c.comment = *after_hash;
                c.guest_ms = comment_ms(c.comment);
            }
        }
        if (c.name.empty()) c.name = "case " + std::to_string(c.number);
        size_t dot = c.name.find('.');
        if (!suite_.empty() && starts_with(c.name, suite_ + ".")) {
            c.suite = suite_;
            c.case_name = c.name.substr(suite_.size() + 1);
        } else if (dot != std::string::npos && dot > 0 && dot + 1 < c.name.size()) {
            c.suite = c.name.substr(0, dot);
            c.case_name = c.name.substr(dot + 1);
        } else {
            c.suite = suite_.empty() ? "tap" : suite_;
            c.case_name = c.name;
        }
        c.diagnostics = std::move(pending_diagnostics_);
        c.log = std::move(pending_log_);
        c.log.push_back(text);
        pending_diagnostics_.clear();
        pending_log_.clear();
        report_.cases.push_back(std::move(c));
        just_reported_ = true;
    }

    void keep_log(const std::string& text) {
        pending_log_.push_back(text);
        if (pending_log_.size() > kTapMaxCaseLog) pending_log_.erase(pending_log_.begin());
    }

    void finish() {
        const auto reported = static_cast<unsigned>(report_.cases.size());
        if (report_.plan && *report_.plan != reported) {
            report_.problems.push_back("the plan announced " + std::to_string(*report_.plan) + " case(s), " +
                                       std::to_string(reported) + " reported");
        }
        if (!report_.plan && !report_.bail_out && report_.has_version) report_.problems.push_back("no plan line (1..N)");
        if (report_.summary) {
            const TapSummaryLine& s = *report_.summary;
            if (s.passed != report_.count(TapResult::Pass) || s.failed != report_.count(TapResult::Fail) ||
                s.skipped != report_.count(TapResult::Skip)) {
                report_.problems.push_back("the summary line (" + std::to_string(s.passed) + " passed, " +
                                           std::to_string(s.failed) + " failed, " + std::to_string(s.skipped) +
                                           " skipped) disagrees with the result lines");
            }
        }
    }

    TapReport report_;
    std::string suite_;
    std::vector<std::string> pending_diagnostics_;
    std::vector<std::string> pending_log_;
    bool in_yaml_ = false;
    bool just_reported_ = false;
    bool plan_after_cases_ = false;
};

}  // namespace

unsigned TapReport::count(TapResult r) const {
    return static_cast<unsigned>(std::count_if(cases.begin(), cases.end(), [r](const TapCase& c) { return c.result == r; }));
}

bool TapReport::clean() const { return has_version && plan && !bail_out && problems.empty() && count(TapResult::Fail) == 0; }

TapReport parse_tap(std::string_view console) { return Parser().run(console); }

std::string failure_headline(const TapCase& c) {
    auto strip = [](const std::string& l) {
        std::string_view v = trim(l);
        while (!v.empty() && v[0] == '#') v = trim(v.substr(1));
        return std::string(v);
    };
    for (const char* key : {"failed at ", "failure at ", "oops during the case", "timed out", "message:"}) {
        for (const std::string& d : c.diagnostics)
            if (d.find(key) != std::string::npos) return strip(d);
    }
    for (const std::string& d : c.diagnostics) {
        std::string s = strip(d);
        if (!s.empty()) return s;
    }
    return "(no diagnostic)";
}

}  // namespace hm
