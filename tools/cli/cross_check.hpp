// `hm386 test --qemu`: the same boot under hm386 and under QEMU, compared case
// by case. Only one difference is expected: a case that needs hm386's
// diagnostic device skips on QEMU (its skip reason names the device). Anything
// else that differs (a result, a case only one of them ran, how the boot ended)
// is a bug in one of the two emulators or a kernel bug one of them hides.
#pragma once
#include <string>
#include <vector>

#include "junit_writer.hpp"
#include "test_verdict.hpp"

namespace hm {

struct CrossCheck {
    std::string image, config;
    unsigned compared = 0;        // cases reported by both
    unsigned same = 0;            // with the same result
    unsigned expected_skips = 0;  // skipped on QEMU for want of the diagnostic device
    std::vector<std::string> differences;  // one line each
};

CrossCheck cross_check(const BootVerdict& hm386, const BootVerdict& qemu);

// True for a SKIP reason that says the diagnostic device is missing.
bool skip_for_missing_diag_device(const std::string& reason);

std::string cross_check_text(const std::vector<CrossCheck>& checks);
// A JUnit suite "cross-check/<image>/<config>" whose one case fails with the differences.
JUnitSuite cross_check_junit(const CrossCheck& check);

}  // namespace hm
