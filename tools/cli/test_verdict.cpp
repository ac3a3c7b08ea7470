#include "test_verdict.hpp"

#include <algorithm>

#include "exit_codes.hpp"

namespace hm {

namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

int boot_end_status(BootEnd e) {
    switch (e) {
        case BootEnd::Exited: return test_status::kPassed;
        case BootEnd::Shutdown:
        case BootEnd::Reset: return exit_code::kShutdown;
        case BootEnd::Hang: return exit_code::kHang;
        case BootEnd::Timeout: return exit_code::kTimeout;
        case BootEnd::CycleLimit: return exit_code::kCycleLimit;
        case BootEnd::InternalError: return exit_code::kInternal;
    }
    return exit_code::kInternal;
}

namespace {

std::string reported_count(const TapReport& tap) {
    std::string n = std::to_string(tap.cases.size());
    return tap.plan ? n + " of " + std::to_string(*tap.plan) + " planned case(s) reported" : n + " case(s) reported";
}

}  // namespace

std::string BootVerdict::label() const { return image + " " + config + (emulator == "hm386" ? "" : " (" + emulator + ")"); }

BootVerdict judge_boot(std::string image, std::string config, BootRecord record) {
    BootVerdict v;
    v.image = std::move(image);
    v.config = std::move(config);
    v.tap = parse_tap(record.console);
    v.record = std::move(record);
    const BootRecord& r = v.record;
    const TapReport& tap = v.tap;
    const unsigned failed = tap.count(TapResult::Fail);

    if (r.end == BootEnd::Exited) {
        const int s = r.guest_status;
        if (s == 0 && failed > 0) {
            v.failures.push_back("the guest exited with status 0 although " + std::to_string(failed) +
                                 " case(s) failed");
        } else if (s == 1 && failed == 0 && !tap.bail_out) {
            v.failures.push_back("the guest exited with status 1 (failure) but no case failed");
        } else if (s != 0 && s != 1) {
            v.failures.push_back("the guest exited with status " + std::to_string(s) +
                                 (s == 2 ? " (kernel panic)" : "") + "; " + reported_count(tap));
        }
    } else {
        v.failures.push_back(std::string(boot_end_name(r.end)) + ": " + first_line(r.message) + "; " +
                             reported_count(tap));
    }
    if (tap.bail_out) v.failures.push_back("Bail out! " + *tap.bail_out);
    // A run cut short says how many cases it reported already; the plan's
    // count would only repeat it.
    const bool cut_short = r.end != BootEnd::Exited || tap.bail_out || (r.guest_status != 0 && r.guest_status != 1);
    for (const std::string& p : tap.problems)
        if (!cut_short || p.rfind("the plan announced", 0) != 0) v.failures.push_back("TAP: " + p);
    if (r.stale_reports > 0) {
        std::string first = r.stale_events.empty() ? "" : ": " + r.stale_events.front();
        v.failures.push_back("the TLB coherence checker reported " + std::to_string(r.stale_reports) +
                             " stale translation(s)" + first);
    }

    v.status = boot_end_status(r.end);
    if (v.status == test_status::kPassed && (failed > 0 || !v.failures.empty())) v.status = test_status::kFailed;
    return v;
}

int combined_status(const std::vector<int>& statuses) {
    static const int order[] = {exit_code::kInternal, exit_code::kShutdown,   exit_code::kHang,
                                exit_code::kTimeout,  exit_code::kCycleLimit, test_status::kFailed};
    for (int s : order)
        if (std::find(statuses.begin(), statuses.end(), s) != statuses.end()) return s;
    for (int s : statuses)
        if (s != test_status::kPassed) return s;
    return test_status::kPassed;
}

}  // namespace hm
