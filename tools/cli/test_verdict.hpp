// Judging one boot of a test image: its TAP, how it ended, and what the TLB
// coherence checker saw, turned into per-case results, boot-level failures
// and the exit status `hm386 test` owes it (docs/testing.md).
#pragma once
#include <string>
#include <vector>

#include "boot_record.hpp"
#include "tap_parser.hpp"

namespace hm {

// `hm386 test`'s exit statuses. Failures inside the guest are 1; a boot that
// did not end through the debug-exit port keeps `hm386 run`'s status for the
// way it ended (exit_codes.hpp), so CI can tell a crash from a failed case.
namespace test_status {
constexpr int kPassed = 0;
constexpr int kFailed = 1;  // a case failed, a Bail out!, a panic, broken TAP, a stale TLB entry
}  // namespace test_status

struct BootVerdict {
    std::string image;   // label of the image, e.g. "ktest"
    std::string config;  // configuration name, e.g. "1G-pae"
    std::string emulator = "hm386";
    BootRecord record;
    TapReport tap;
    std::vector<std::string> failures;  // boot-level, one line each
    int status = test_status::kPassed;

    // "ktest 1G-pae" (plus " (qemu)" for QEMU), for messages.
    std::string label() const;
};

BootVerdict judge_boot(std::string image, std::string config, BootRecord record);

// The status a boot's end carries by itself: 0 for an exit through the
// debug-exit port, hm386 run's status (122-125, 70) otherwise.
int boot_end_status(BootEnd e);

// The exit status for a whole run: the most serious boot's. Internal errors
// first, then triple faults, hangs, host timeouts, cycle limits, failures.
int combined_status(const std::vector<int>& statuses);

}  // namespace hm
