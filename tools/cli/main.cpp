// hm386: the command-line front end. Subcommands: `run` (boot an image),
// `debug` (boot it under the debugger), `trace` (print an event trace), `test`
// (run guest test suites in the configuration matrix) and `cost-report` (the
// highmem cost measurements); each lives in its own <name>_command.{hpp,cpp}.
// See docs/cli.md, docs/debugger.md, docs/testing.md and docs/highmem-costs.md.

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "build_dir.hpp"
#include "cost_report_command.hpp"
#include "debug_command.hpp"
#include "exit_codes.hpp"
#include "qemu_args.hpp"
#include "run_command.hpp"
#include "test_command.hpp"
#include "trace_command.hpp"

namespace {

std::string build_dir() { return hm::locate_build_dir("/tools/cli/hm386", HM386_BUILD_DIR); }

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        args = hm::translate_qemu_args(args);
    } catch (const hm::UsageError& e) {
        std::fprintf(stderr, "hm386: %s\n", e.what());
        return hm::exit_code::kUsage;
    }

    CLI::App app{"hm386: a full-system i386 emulator that makes paging and TLBs visible"};
    app.name("hm386");  // usage lines: "Usage: hm386 run [OPTIONS] ..."
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("hm386 ") + HM386_VERSION);
    CLI::App* run = app.add_subcommand("run", "boot a Multiboot kernel, an image manifest or a ROM");
    hm::RunOptions run_options;
    hm::add_run_options(*run, run_options);
    hm::SnapshotOptions snapshot_options;
    hm::add_snapshot_options(*run, snapshot_options);
    CLI::App* debug = app.add_subcommand("debug", "boot an image under the debugger (REPL, --script FILE, --gdb PORT)");
    hm::DebugOptions debug_options;
    hm::add_debug_options(*debug, debug_options);
    CLI::App* trace = app.add_subcommand("trace", "print an event trace written by run --trace");
    hm::TraceOptions trace_options;
    hm::add_trace_options(*trace, trace_options);
    CLI::App* test = app.add_subcommand("test", "run guest test suites (TAP) in the configuration matrix");
    hm::TestOptions test_options;
    hm::add_test_options(*test, test_options, HM386_SOURCE_DIR);
    CLI::App* cost = app.add_subcommand("cost-report", "measure kmap, kmap_local, vmap... in both paging modes");
    hm::CostReportOptions cost_options;
    hm::add_cost_report_options(*cost, cost_options);

    std::reverse(args.begin(), args.end());  // CLI11 takes the vector back to front
    try {
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : hm::exit_code::kUsage;
    }
    if (*run) return hm::run_command(run_options, snapshot_options, hm::ManifestVars{build_dir()});
    if (*debug) return hm::debug_command(debug_options, hm::ManifestVars{build_dir()});
    if (*trace) return hm::trace_command(trace_options);
    if (*test) return hm::test_command(test_options, hm::ManifestVars{build_dir()});
    if (*cost) return hm::cost_report_command(cost_options, hm::ManifestVars{build_dir()});
    return hm::exit_code::kUsage;
}
