// What `hm386 test` prints and writes about its boots: the human report (a
// suite × configuration table of passed/failed/skipped counts, then every
// failure with its message), the JUnit suites (one per configuration and
// suite, plus one per boot for the boot itself), and each boot's log file.
#pragma once
#include <string>
#include <vector>

#include "junit_writer.hpp"
#include "test_verdict.hpp"

namespace hm {

// The table and the failures, in the order of `boots` (so the same whatever
// order the boots finished in).
std::string test_report_text(const std::vector<BootVerdict>& boots);

// One line per boot: how it ended, its case counts, cycles and host time. The
// label is padded to `label_width` so that the lines of a report line up.
std::string boot_summary_line(const BootVerdict& b, size_t label_width = 22);

std::vector<JUnitSuite> junit_suites(const std::vector<BootVerdict>& boots);

// The console log as kept in --log-dir, with hm386's account of the boot at
// the end (how it ended, counters, failures, stale translations).
std::string boot_log_text(const BootVerdict& b);
// A file name for the boot's log: "<image>-<config>[-qemu].log".
std::string boot_log_name(const BootVerdict& b);

}  // namespace hm
