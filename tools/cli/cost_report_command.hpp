// `hm386 cost-report`: boots cost.elf (guest-tests/cost) in two-level and PAE
// paging, in-process and in parallel, and prints what each highmem mapping
// API costs per page touched in guest cycles and TLB events, side by side;
// --csv writes the figures. It also checks the structural facts the figures
// must show (one INVLPG per kunmap_local, no TLB event for page_address, one
// global flush per pkmap wrap...) and exits 1 when one does not hold. Last, it
// decides cost-facts.md's eight claims, each naming the CPU profile's figures
// (--cpu) that drive it.
// docs/highmem-costs.md shows the table and explains every number.
#pragma once
#include <string>

#include <CLI/CLI.hpp>

#include "boot/manifest.hpp"

namespace hm {

struct CostReportOptions {
    std::string image;  // default ${BUILD}/guest/cost.elf
    std::string mem = "64M";
    std::string append = "force_highmem=32M";
    std::string cpu = "default";  // the CPU profile both boots run on (--cpu)
    std::string csv;
    std::string log_dir;
    // --smp LIST (QEMU's -smp too): boot cost-smp.elf at each CPU count of the
    // comma-separated LIST (e.g. 1,2,4) in both modes instead; --svg writes the
    // plot (cost_smp_report.hpp).
    std::string smp;
    std::string svg;
};

void add_cost_report_options(CLI::App& cmd, CostReportOptions& o);
int cost_report_command(const CostReportOptions& options, const ManifestVars& vars);
// The --smp form (cost_smp_command.cpp).
int cost_report_smp_command(const CostReportOptions& options, const ManifestVars& vars);

}  // namespace hm
