#include "cross_check.hpp"

#include <map>

namespace hm {

namespace {

std::string describe(const TapCase& c) {
    switch (c.result) {
        case TapResult::Pass: return "ok";
        case TapResult::Fail: return "not ok (" + failure_headline(c) + ")";
        case TapResult::Skip: return "skip (" + c.directive + ")";
        case TapResult::Todo: return "todo (" + c.directive + ")";
    }
    return "?";
}

std::string describe_end(const BootRecord& r) {
    return r.end == BootEnd::Exited ? "exited " + std::to_string(r.guest_status) : boot_end_name(r.end);
}

}  // namespace

bool skip_for_missing_diag_device(const std::string& reason) {
    return reason.find("diagnostic device") != std::string::npos;
}

CrossCheck cross_check(const BootVerdict& hm386, const BootVerdict& qemu) {
    CrossCheck x;
    x.image = hm386.image;
    x.config = hm386.config;
    if (describe_end(hm386.record) != describe_end(qemu.record)) {
        x.differences.push_back("boot: hm386 " + describe_end(hm386.record) + ", qemu " + describe_end(qemu.record));
    }
    std::map<std::string, const TapCase*> on_qemu;
    for (const TapCase& c : qemu.tap.cases) on_qemu.emplace(c.name, &c);
    std::map<std::string, const TapCase*> on_hm386;
    for (const TapCase& c : hm386.tap.cases) {
        on_hm386.emplace(c.name, &c);
        auto it = on_qemu.find(c.name);
        if (it == on_qemu.end()) {
            x.differences.push_back(c.name + ": hm386 " + describe(c) + ", not reported by qemu");
            continue;
        }
        const TapCase& q = *it->second;
        ++x.compared;
        if (c.result == q.result && (c.result != TapResult::Skip || c.directive == q.directive)) {
            ++x.same;
        } else if (q.result == TapResult::Skip && skip_for_missing_diag_device(q.directive)) {
            ++x.expected_skips;
        } else {
            x.differences.push_back(c.name + ": hm386 " + describe(c) + ", qemu " + describe(q));
        }
    }
    for (const TapCase& q : qemu.tap.cases)
        if (!on_hm386.count(q.name)) x.differences.push_back(q.name + ": qemu " + describe(q) + ", not reported by hm386");
    return x;
}

std::string cross_check_text(const std::vector<CrossCheck>& checks) {
    std::string out = "cross-check hm386 vs qemu (cases compared, same result, skipped on qemu for the diagnostic device, "
                      "differences)\n";
    std::string diffs;
    for (const CrossCheck& x : checks) {
        std::string name = x.config;
        name.resize(std::max<size_t>(name.size(), 12), ' ');
        out += "  " + name + " " + std::to_string(x.compared) + " compared, " + std::to_string(x.same) + " same, " +
               std::to_string(x.expected_skips) + " diag-device skips, " + std::to_string(x.differences.size()) +
               " difference(s)\n";
        for (const std::string& d : x.differences) diffs += "  DIFF " + x.config + " " + d + "\n";
    }
    if (!diffs.empty()) out += "differences\n" + diffs;
    return out;
}

JUnitSuite cross_check_junit(const CrossCheck& x) {
    JUnitSuite s;
    s.name = "cross-check/" + x.image + "/" + x.config;
    JUnitCase c;
    c.classname = x.config + ".cross-check";
    c.name = "hm386-matches-qemu";
    if (!x.differences.empty()) {
        c.outcome = JUnitOutcome::Failure;
        c.message = std::to_string(x.differences.size()) + " difference(s): " + x.differences.front();
        for (const std::string& d : x.differences) c.text += d + "\n";
    }
    s.cases.push_back(std::move(c));
    return s;
}

}  // namespace hm
