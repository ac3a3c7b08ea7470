#include "cost_boots.hpp"

#include <cstdio>
#include <filesystem>
#include <thread>

#include "boot/boot_error.hpp"
#include "exit_codes.hpp"
#include "test_report.hpp"
#include "write_file.hpp"

namespace hm {

void cost_say(const std::string& msg) { std::fprintf(stderr, "hm386 cost-report: %s\n", msg.c_str()); }

int cost_prepare(const std::function<void()>& prepare, const CostOutputs& outputs) {
    try {
        prepare();
        for (const auto& [option, path] : outputs.files) {
            if (!path.empty() && !open_for_writing(path))
                throw UsageError(option + " " + path + ": cannot write the file");
        }
        if (!outputs.log_dir.empty()) {
            std::error_code ec;
            std::filesystem::create_directories(outputs.log_dir, ec);
            if (ec) throw UsageError("--log-dir " + outputs.log_dir + ": " + ec.message());
        }
    } catch (const UsageError& e) {
        cost_say(e.what());
        return exit_code::kUsage;
    } catch (const BootError& e) {
        cost_say(e.what());
        return exit_code::kBadImage;
    }
    return 0;
}

bool run_cost_boots(const std::vector<RunPlan>& plans, std::vector<BootRecord>& records) {
    records.assign(plans.size(), BootRecord{});
    std::vector<std::string> errors(plans.size());
    auto boot = [&](size_t i) {
        try {
            records[i] = run_boot(plans[i]);
        } catch (const std::exception& e) {
            errors[i] = e.what();
        }
    };
    for (size_t i = 0; i < plans.size(); i += 2) {
        std::thread other;
        if (i + 1 < plans.size()) other = std::thread(boot, i + 1);
        boot(i);
        if (other.joinable()) other.join();
    }
    for (const std::string& e : errors) {
        if (!e.empty()) {
            cost_say(e);
            return false;
        }
    }
    return true;
}

BootVerdict cost_boot_verdict(const std::string& image, const std::string& config, const BootRecord& record) {
    BootVerdict v;
    v.image = image;
    v.config = config;
    v.record = record;
    v.status = boot_end_status(record.end);
    if (record.end != BootEnd::Exited) {
        v.failures.push_back(std::string(boot_end_name(record.end)) + ": " + record.message);
    } else if (record.guest_status != 0) {
        v.failures.push_back(image + ".elf exited with status " + std::to_string(record.guest_status));
    }
    return v;
}

std::string cost_checks_text(const std::vector<std::string>& violations, const std::string& all_hold,
                             std::vector<int>& statuses) {
    if (violations.empty()) return "structural checks: " + all_hold + "\n";
    std::string out = "structural checks: " + std::to_string(violations.size()) + " violation(s)\n";
    for (const std::string& v : violations) out += "  " + v + "\n";
    statuses.push_back(test_status::kFailed);
    return out;
}

}  // namespace hm
