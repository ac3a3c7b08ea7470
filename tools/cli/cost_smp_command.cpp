// `hm386 cost-report --smp LIST`: cost-smp.elf at each CPU count of LIST in
// both paging modes, every boot with `apic` (the SMP bring-up needs it; the
// one-CPU point gets it too so that every point has the same interrupt setup),
// two boots at a time (cost_boots.hpp). The runs are deterministic, so the CSV
// is a golden file (guest-tests/golden/cost-smp.csv) and the SVG a committed
// image (docs/images/highmem-costs-smp.svg); docs/highmem-costs.md explains them.
#include <cstdio>

#include "cost_boots.hpp"
#include "cost_report_command.hpp"
#include "cost_smp_report.hpp"
#include "cost_table.hpp"
#include "exit_codes.hpp"
#include "run_options.hpp"
#include "test_report.hpp"
#include "write_file.hpp"

namespace hm {

namespace {

constexpr const char* kMaxCycles = "4000000000";  // per boot; a 4-CPU boot takes well under a tenth

std::vector<unsigned> parse_counts(const std::string& text) {
    std::vector<unsigned> out;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t comma = text.find(',', pos);
        if (comma == std::string::npos) comma = text.size();
        const std::string item = text.substr(pos, comma - pos);
        std::optional<unsigned> n = parse_smp(item);
        if (!n) throw UsageError("--smp " + text + ": expected CPU counts from 1 to 8 separated by commas, e.g. 1,2,4");
        for (unsigned c : out)
            if (c == *n) throw UsageError("--smp " + text + ": " + item + " is given twice");
        out.push_back(*n);
        pos = comma + 1;
    }
    return out;
}

}  // namespace

int cost_report_smp_command(const CostReportOptions& o, const ManifestVars& vars) {
    const std::string image = o.image.empty() ? vars.build_dir + "/guest/cost-smp.elf" : o.image;
    const char* modes[2] = {"2level", "pae"};
    std::vector<CostSmpPoint> points;
    std::vector<RunPlan> plans;
    if (int status = cost_prepare(
            [&] {
                for (unsigned c : parse_counts(o.smp)) {
                    for (const char* mode : modes) {  // both modes of one count boot at once
                        plans.push_back(boot_plan({image, "-m", o.mem, "--smp", std::to_string(c), "--append",
                                                   std::string("paging=") + mode + " apic " + o.append, "--cpu", o.cpu,
                                                   "--max-cycles", kMaxCycles, "--timeout", "600"},
                                                  vars));
                        CostSmpPoint p;
                        p.cpus = c;
                        p.run.mode = mode;
                        points.push_back(p);
                    }
                }
            },
            CostOutputs{{{"--csv", o.csv}, {"--svg", o.svg}}, o.log_dir}))
        return status;

    std::vector<BootRecord> records;
    if (!run_cost_boots(plans, records)) return exit_code::kBadImage;

    std::vector<int> statuses;
    std::vector<std::string> violations;
    for (size_t i = 0; i < plans.size(); ++i) {
        CostSmpPoint& p = points[i];
        const std::string mode = p.run.mode;
        const std::string where = std::to_string(p.cpus) + " CPU(s) " + mode;
        const BootVerdict v = cost_boot_verdict("cost-smp", mode + "-smp" + std::to_string(p.cpus), records[i]);
        statuses.push_back(v.status);
        p.run = parse_cost_lines(records[i].console);
        if (p.run.mode.empty()) p.run.mode = mode;
        if (p.run.mode != mode) violations.push_back(where + ": the guest reports mode '" + p.run.mode + "'");
        for (const std::string& f : v.failures) violations.push_back(where + ": " + f);
        for (const std::string& s : cost_structural_violations(p.run)) violations.push_back(where + ": " + s);
        for (const std::string& s : cost_smp_violations(p)) violations.push_back(s);
        if (!o.log_dir.empty()) write_file(o.log_dir + "/cost-smp" + std::to_string(p.cpus) + "-" + mode + ".log",
                                           boot_log_text(v));
    }

    std::string out = "hm386 cost-report: " + image + ", --smp " + o.smp + ", --cpu " + o.cpu + ", -m " + o.mem +
                      " --append \"paging=MODE apic " + o.append + "\"\n";
    out += cost_smp_table_text(points);
    out += cost_checks_text(violations, "all hold at every CPU count in both modes", statuses);
    std::fputs(out.c_str(), stdout);
    if (!o.csv.empty() && !write_file(o.csv, cost_smp_csv(points))) cost_say("warning: could not write " + o.csv);
    if (!o.svg.empty() && !write_file(o.svg, cost_smp_svg(points))) cost_say("warning: could not write " + o.svg);
    return combined_status(statuses);
}

}  // namespace hm
