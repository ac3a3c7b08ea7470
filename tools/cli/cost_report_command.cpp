#include "cost_report_command.hpp"

#include <cstdio>

#include "cost_boots.hpp"
#include "cost_claims.hpp"
#include "cost_table.hpp"
#include "cpu/cpu_profile.hpp"
#include "exit_codes.hpp"
#include "test_report.hpp"
#include "write_file.hpp"

namespace hm {

namespace {

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
        cost_say("--svg needs --smp (the plot is against the CPU count)");
        return exit_code::kUsage;
    }
    const std::string image = o.image.empty() ? vars.build_dir + "/guest/cost.elf" : o.image;
    const char* modes[2] = {"2level", "pae"};
    std::vector<RunPlan> plans;
    if (int status = cost_prepare(
            [&] {
                for (const char* mode : modes) {
                    const std::string append = std::string("paging=") + mode + " " + o.append;
                    plans.push_back(boot_plan({image, "-m", o.mem, "--append", append, "--cpu", o.cpu, "--max-cycles",
                                               kMaxCycles, "--timeout", "600"},
                                              vars));
                }
            },
            CostOutputs{{{"--csv", o.csv}}, o.log_dir}))
        return status;

    std::vector<BootRecord> records;
    if (!run_cost_boots(plans, records)) return exit_code::kBadImage;

    std::vector<CostRun> runs;
    std::vector<int> statuses;
    std::vector<std::string> violations;
    for (int i = 0; i < 2; ++i) {
        const BootVerdict v = cost_boot_verdict("cost", modes[i], records[i]);
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
    out += cost_checks_text(violations, "all hold in both modes", statuses);
    out += cost_claims_text(runs[0], runs[1], model_numbers(plans[0].cpu_model));
    std::fputs(out.c_str(), stdout);
    if (!o.csv.empty()) {
        if (!write_file(o.csv, cost_csv(runs))) cost_say("warning: could not write " + o.csv);
    }
    return combined_status(statuses);
}

}  // namespace hm
