#include "cost_report_command.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "boot/boot_error.hpp"
#include "cost_claims.hpp"
#include "cost_table.hpp"
#include "cpu/cpu_profile.hpp"
#include "exit_codes.hpp"
#include "guest_boot.hpp"
#include "test_report.hpp"
#include "test_verdict.hpp"
#include "write_file.hpp"

namespace hm {

namespace {

void say(const std::string& msg) { std::fprintf(stderr, "hm386 cost-report: %s\n", msg.c_str()); }

// Deterministic and short: both boots take well under a second of guest time.
constexpr const char* kMaxCycles = "2000000000";

// The profile's figures the claims rest on: a walk's memory access, INVLPG
// (0F 01 /7, memory form) and MOV to CR4 (0F 22).
CostModelNumbers model_numbers(CpuModel m) {
    CostModelNumbers n;
    n.cpu = cpu::cpu_profile(m).name;
    n.walk_access = cpu::cpu_profile(m).walk_access_cycles;
    n.invlpg = cpu::base_cost(m, 0x101, 7, true).value_or(0);
    n.mov_cr = cpu::base_cost(m, 0x122, 4, false).value_or(0);
    return n;
}

}  // namespace

void add_cost_report_options(CLI::App& cmd, CostReportOptions& o) {
    cmd.add_option("--image", o.image, "the cost program (default ${BUILD}/guest/cost.elf)");
    cmd.add_option("-m,--mem", o.mem, "RAM for both boots (default 64M)");
    cmd.add_option("--append", o.append, "kernel command line besides paging= (default force_highmem=32M)");
    cmd.add_option("--csv", o.csv, "write the figures of both modes to FILE as CSV");
    cmd.add_option("--log-dir", o.log_dir, "keep both boots' console logs in DIR");
    cmd.add_option("--cpu", o.cpu, "CPU profile of both boots: 486, pentium, p6 or default (as hm386 run --cpu)");
    cmd.add_option("--smp", o.smp,
                   "CPU counts, e.g. 1,2,4 (QEMU: -smp): cost-smp.elf at each, with the cross-CPU figures; "
                   "--csv then writes the per-CPU-count CSV");
    cmd.add_option("--svg", o.svg, "with --smp: write the plot of cycles per mapping against CPU count to FILE");
}

int cost_report_command(const CostReportOptions& o, const ManifestVars& vars) {
    if (!o.smp.empty()) return cost_report_smp_command(o, vars);
    if (!o.svg.empty()) {
        say("--svg needs --smp (the plot is against the CPU count)");
        return exit_code::kUsage;
    }
    const std::string image = o.image.empty() ? vars.build_dir + "/guest/cost.elf" : o.image;
    const char* modes[2] = {"2level", "pae"};
    RunPlan plans[2];
    try {
        for (int i = 0; i < 2; ++i) {
            plans[i] = boot_plan({image, "-m", o.mem, "--append", std::string("paging=") + modes[i] + " " + o.append,
                                  "--cpu", o.cpu, "--max-cycles", kMaxCycles, "--timeout", "600"},
                                 vars);
        }
        if (!o.csv.empty() && !open_for_writing(o.csv)) throw UsageError("--csv " + o.csv + ": cannot write the file");
        if (!o.log_dir.empty()) {
            std::error_code ec;
            std::filesystem::create_directories(o.log_dir, ec);
            if (ec) throw UsageError("--log-dir " + o.log_dir + ": " + ec.message());
        }
    } catch (const UsageError& e) {
        say(e.what());
        return exit_code::kUsage;
    } catch (const BootError& e) {
        say(e.what());
        return exit_code::kBadImage;
    }

    BootRecord records[2];
    std::string errors[2];
    auto boot = [&](int i) {
        try {
            records[i] = run_boot(plans[i]);
        } catch (const std::exception& e) {
            errors[i] = e.what();
        }
    };
    std::thread other(boot, 1);
    boot(0);
    other.join();
    for (const std::string& e : errors) {
        if (!e.empty()) {
            say(e);
            return exit_code::kBadImage;
        }
    }

    std::vector<CostRun> runs;
    std::vector<int> statuses;
    std::vector<std::string> violations;
    for (int i = 0; i < 2; ++i) {
        BootVerdict v;
        v.image = "cost";
        v.config = modes[i];
        v.record = records[i];
        v.status = boot_end_status(records[i].end);
        if (records[i].end != BootEnd::Exited) {
            v.failures.push_back(std::string(boot_end_name(records[i].end)) + ": " + records[i].message);
        } else if (records[i].guest_status != 0) {
            v.failures.push_back("cost.elf exited with status " + std::to_string(records[i].guest_status));
        }
        statuses.push_back(v.status);
        runs.push_back(parse_cost_lines(records[i].console));
        if (runs.back().mode.empty()) runs.back().mode = modes[i];  // it printed nothing: name its mode anyway
        if (runs.back().mode != modes[i])
            violations.push_back(std::string(modes[i]) + ": the guest reports mode '" + runs.back().mode + "'");
        for (const std::string& f : v.failures) violations.push_back(std::string(modes[i]) + ": " + f);
        if (!o.log_dir.empty()) write_file(o.log_dir + "/cost-" + modes[i] + ".log", boot_log_text(v));
    }
    for (const CostRun& run : runs)
        for (const std::string& v : cost_structural_violations(run)) violations.push_back(v);

    std::string out = "hm386 cost-report: " + image + ", --cpu " + o.cpu + ", -m " + o.mem + " --append \"paging=MODE " +
                      o.append + "\"\n";
    out += cost_table_text(runs[0], runs[1]);
    if (violations.empty()) {
        out += "structural checks: all hold in both modes\n";
    } else {
        out += "structural checks: " + std::to_string(violations.size()) + " violation(s)\n";
        for (const std::string& v : violations) out += "  " + v + "\n";
        statuses.push_back(test_status::kFailed);
    }
    out += cost_claims_text(runs[0], runs[1], model_numbers(plans[0].cpu_model));
    std::fputs(out.c_str(), stdout);
    if (!o.csv.empty()) {
        if (!write_file(o.csv, cost_csv(runs))) say("warning: could not write " + o.csv);
    }
    return combined_status(statuses);
}

}  // namespace hm
