// `hm386 cost-report --smp LIST`: cost-smp.elf at each CPU count of LIST in
// both paging modes, every boot with `apic` (the SMP bring-up needs it; the
// one-CPU point gets it too so that every point has the same interrupt setup),
// two boots at a time. The runs are deterministic, so the CSV is a golden file
// (guest-tests/golden/cost-smp.csv) and the SVG a committed image
// (docs/images/highmem-costs-smp.svg); docs/highmem-costs.md explains them.
#include <cstdio>
#include <filesystem>
#include <thread>

#include "boot/boot_error.hpp"
#include "cost_report_command.hpp"
#include "cost_smp_report.hpp"
#include "cost_table.hpp"
#include "exit_codes.hpp"
#include "guest_boot.hpp"
#include "run_options.hpp"
#include "test_report.hpp"
#include "test_verdict.hpp"
#include "write_file.hpp"

namespace hm {

namespace {

void say(const std::string& msg) { std::fprintf(stderr, "hm386 cost-report: %s\n", msg.c_str()); }

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
    std::vector<unsigned> counts;
    std::vector<CostSmpPoint> points;
    std::vector<RunPlan> plans;
    try {
        counts = parse_counts(o.smp);
        for (unsigned c : counts) {
            for (const char* mode : modes) {
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
        for (const std::string* f : {&o.csv, &o.svg})
            if (!f->empty() && !open_for_writing(*f)) throw UsageError(*f + ": cannot write the file");
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

    std::vector<BootRecord> records(plans.size());
    std::vector<std::string> errors(plans.size());
    auto boot = [&](size_t i) {
        try {
            records[i] = run_boot(plans[i]);
        } catch (const std::exception& e) {
            errors[i] = e.what();
        }
    };
    for (size_t i = 0; i < plans.size(); i += 2) {  // both modes of one count at once
        std::thread other;
        if (i + 1 < plans.size()) other = std::thread(boot, i + 1);
        boot(i);
        if (other.joinable()) other.join();
    }
    for (const std::string& e : errors) {
        if (!e.empty()) {
            say(e);
            return exit_code::kBadImage;
        }
    }

    std::vector<int> statuses;
    std::vector<std::string> violations;
    for (size_t i = 0; i < plans.size(); ++i) {
        CostSmpPoint& p = points[i];
        const std::string mode = p.run.mode;
        const std::string where = std::to_string(p.cpus) + " CPU(s) " + mode;
        BootVerdict v;
        v.image = "cost-smp";
        v.config = mode + "-smp" + std::to_string(p.cpus);
        v.record = records[i];
        v.status = boot_end_status(records[i].end);
        if (records[i].end != BootEnd::Exited) {
            v.failures.push_back(std::string(boot_end_name(records[i].end)) + ": " + records[i].message);
        } else if (records[i].guest_status != 0) {
            v.failures.push_back("cost-smp.elf exited with status " + std::to_string(records[i].guest_status));
        }
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
    if (violations.empty()) {
        out += "structural checks: all hold at every CPU count in both modes\n";
    } else {
        out += "structural checks: " + std::to_string(violations.size()) + " violation(s)\n";
        for (const std::string& v : violations) out += "  " + v + "\n";
        statuses.push_back(test_status::kFailed);
    }
    std::fputs(out.c_str(), stdout);
    if (!o.csv.empty() && !write_file(o.csv, cost_smp_csv(points))) say("warning: could not write " + o.csv);
    if (!o.svg.empty() && !write_file(o.svg, cost_smp_svg(points))) say("warning: could not write " + o.svg);
    return combined_status(statuses);
}

}  // namespace hm
