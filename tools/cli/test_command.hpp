// `hm386 test`: boots test images (ktest.elf by default) in the configuration
// matrix, each boot in-process with the TLB coherence checker on, parses the
// TAP each prints, reports per case, writes JUnit XML and console logs, and
// exits 0 (all passed), 1 (a failure) or the status of the worst boot trouble
// (docs/testing.md). With --qemu, every configuration also boots under QEMU
// and the two emulators' per-case results are compared.
#pragma once
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "boot/manifest.hpp"

namespace hm {

struct TestOptions {
    std::vector<std::string> images;
    std::vector<std::string> configs;  // globs over the matrix's names
    std::vector<std::string> suites;   // ktest= globs
    std::string append;                // more kernel command-line words for every boot
    std::vector<std::string> run_args; // more `hm386 run` options for every boot
    std::string junit;
    std::string log_dir;
    unsigned jobs = 1;
    std::string max_cycles = "40000000000";  // 400 s of guest time at 100 MHz
    double timeout = 1800;
    bool no_tlb_check = false;
    bool list_configs = false;
    bool qemu = false;
    std::string qemu_script;
    std::string qemu_cpu = "pentium3,+nx";
    double qemu_timeout = 300;
};

// source_dir: where tools/scripts/run-qemu.sh is found by default.
void add_test_options(CLI::App& cmd, TestOptions& o, const std::string& source_dir);

int test_command(const TestOptions& options, const ManifestVars& vars);

}  // namespace hm
