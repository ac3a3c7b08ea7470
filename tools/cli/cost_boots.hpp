// What both forms of `hm386 cost-report` share (cost_report_command.cpp: cost.elf
// in two paging modes; cost_smp_command.cpp: cost-smp.elf at several CPU
// counts): checking the output options before any boot, booting the guests two
// at a time in-process, judging each boot, and the "structural checks" lines.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "boot_record.hpp"
#include "guest_boot.hpp"
#include "test_verdict.hpp"

namespace hm {

// "hm386 cost-report: MSG" on stderr.
void cost_say(const std::string& msg);

// Runs prepare() (which builds the boot plans and may throw UsageError or
// BootError), and checks that every named output file can be written and
// that log_dir can be made. 0 when all is well, else the exit code after
// saying why (exit_codes.hpp: usage, or a bad image).
struct CostOutputs {
    std::vector<std::pair<std::string, std::string>> files;  // (option, path); empty paths are skipped
    std::string log_dir;
};
int cost_prepare(const std::function<void()>& prepare, const CostOutputs& outputs);

// Boots every plan, two at a time (the machine has two cores to spare at
// most); false with the first error said when a boot could not run at all.
bool run_cost_boots(const std::vector<RunPlan>& plans, std::vector<BootRecord>& records);

// The verdict of one boot of IMAGE (e.g. "cost") in CONFIG: its end, and a
// failure when it did not exit or exited with a status other than 0.
BootVerdict cost_boot_verdict(const std::string& image, const std::string& config, const BootRecord& record);

// "structural checks: ALL_HOLD" or the count and one line per violation; a
// violation adds a failed status to statuses.
std::string cost_checks_text(const std::vector<std::string>& violations, const std::string& all_hold,
                             std::vector<int>& statuses);

}  // namespace hm
