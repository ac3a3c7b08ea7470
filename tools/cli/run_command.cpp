#include "run_command.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "boot/boot_error.hpp"
#include "debug/trace_writer.hpp"
#include "devices/host_char_backend.hpp"
#include "exit_codes.hpp"
#include "machine.hpp"
#include "stale_report_printer.hpp"
#include "stats_report.hpp"

namespace hm {

namespace {

void say(const std::string& msg) { std::fprintf(stderr, "hm386: %s\n", msg.c_str()); }

std::vector<BootModule> read_modules(const std::vector<std::string>& specs, u64 ram) {
    std::vector<BootModule> mods;
    for (const std::string& spec : specs) {
        std::string path = spec.substr(0, spec.find_first_of(" \t"));
        mods.push_back({spec, read_file_bytes(path, ram, "module")});
    }
    return mods;
}

const char* outcome_name(RunOutcome o) {
    switch (o) {
        case RunOutcome::DebugExit: return "debug-exit";
        case RunOutcome::Shutdown: return "shutdown";
        case RunOutcome::ResetRequested: return "reset";
        case RunOutcome::Hang: return "hang";
        case RunOutcome::CycleLimit: return "cycle-limit";
        case RunOutcome::Timeout: return "timeout";
    }
    return "?";
}

// Host side of the run: character back ends and files, opened before the guest starts.
struct HostIo {
    std::unique_ptr<CharSink> serial, debugcon, post_log;
    std::unique_ptr<StdinSource> serial_in;
};

}  // namespace

int run_command(const RunOptions& options, const ManifestVars& vars) {
    RunPlan plan;
    try {
        plan = resolve_run_plan(options, vars);
    } catch (const UsageError& e) {
        say(e.what());
        return exit_code::kUsage;
    } catch (const BootError& e) {
        say(e.what());
        return exit_code::kBadImage;
    }

    HostIo io;
    try {
        io.serial = open_char_sink(plan.serial);
        io.debugcon = open_char_sink(plan.debugcon);
        if (!plan.post_log.empty()) io.post_log = open_char_sink("file:" + plan.post_log);
    } catch (const std::invalid_argument& e) {
        say(e.what());
        return exit_code::kUsage;
    }
    if (char_spec_is_stdio(plan.serial) && StdinSource::usable()) io.serial_in = std::make_unique<StdinSource>();
    if (!plan.stats_json.empty()) {
        std::ofstream probe(plan.stats_json);
        if (!probe) {
            say("cannot write --stats-json file '" + plan.stats_json + "'");
            return exit_code::kUsage;
        }
    }

    MachineConfig cfg;
    cfg.ram_bytes = plan.ram_bytes;
    cfg.cpu_hz = plan.cpu_hz;
    cfg.rtc_epoch = plan.rtc_epoch;
    cfg.serial_out = io.serial.get();
    cfg.serial_in = io.serial_in.get();
    cfg.debugcon_out = io.debugcon.get();
    cfg.post_log = io.post_log.get();
    cfg.post_port2 = plan.post_port2;
    cfg.tlb = plan.tlb;
    cfg.tlb_checker = plan.tlb_check ? CoherenceChecker::On : CoherenceChecker::Off;

    std::unique_ptr<Machine> machine;
    try {
        machine = std::make_unique<Machine>(cfg);
    } catch (const std::invalid_argument& e) {
        say(e.what());
        return exit_code::kUsage;
    } catch (const std::logic_error& e) {  // e.g. --post-port on a port a device owns
        say(std::string("cannot build the machine: ") + e.what());
        return exit_code::kUsage;
    } catch (const std::runtime_error& e) {
        say(e.what());
        return exit_code::kInternal;
    }

    try {
        if (plan.boot == BootKind::Rom) {
            std::vector<u8> rom = read_file_bytes(plan.rom, kMaxRomBytes + 1, "ROM image");
            RomPlacement p = machine->boot_rom(rom, plan.rom);
            if (plan.verbose) {
                say("ROM " + plan.rom + " at " + hex32(p.high_base) + "-0xffffffff and " + hex32(p.low_base) + "-0x000fffff");
            }
        } else {
            MultibootRequest req;
            req.kernel_name = plan.kernel;
            req.kernel = read_file_bytes(plan.kernel, plan.ram_bytes, "kernel");
            req.append = plan.append;
            req.modules = read_modules(plan.modules, plan.ram_bytes);
            MultibootLoad load = machine->boot_multiboot(req);
            for (const std::string& w : load.warnings) say("warning: " + w);
            if (plan.verbose) {
                for (const LoadedRange& r : load.ranges) say(hex32(r.start) + "-" + hex32(r.end - 1) + " " + r.what);
                say("entry " + hex32(load.entry));
            }
        }
    } catch (const BootError& e) {
        say(e.what());
        return exit_code::kBadImage;
    }

    std::unique_ptr<TraceWriter> trace;
    if (!plan.trace.empty()) {
        try {
            trace = std::make_unique<TraceWriter>(plan.trace, plan.cpu_hz, plan.trace_mask);
        } catch (const std::runtime_error& e) {
            say(e.what());
            return exit_code::kUsage;
        }
        machine->set_event_sink(trace.get(), trace->wants(TraceKind::Instruction) ? InstructionTrace::On
                                                                                     : InstructionTrace::Off);
    }
    std::unique_ptr<StaleReportPrinter> stale_printer;
    if (plan.tlb_check) {
        stale_printer = std::make_unique<StaleReportPrinter>(stderr, trace.get());
        const bool insns = trace && trace->wants(TraceKind::Instruction);
        machine->set_event_sink(stale_printer.get(), insns ? InstructionTrace::On : InstructionTrace::Off);
    }

    RunLimits limits{plan.max_cycles, plan.timeout};
    RunSummary summary;
    try {
        RunResult r = machine->run(limits);
        summary.outcome = outcome_name(r.outcome);
        switch (r.outcome) {
            case RunOutcome::DebugExit:
                summary.status = DebugExit::host_status(r.exit_value, plan.exit_style);
                if (plan.verbose) say(r.message);
                break;
            case RunOutcome::Shutdown:
                say("shutdown: " + r.message);
                summary.status = exit_code::kShutdown;
                break;
            case RunOutcome::ResetRequested:
                say(r.message);
                summary.status = exit_code::kShutdown;
                break;
            case RunOutcome::Hang:
                say(r.message);
                summary.status = exit_code::kHang;
                break;
            case RunOutcome::CycleLimit:
                say("stopped: " + r.message + " (cycle " + std::to_string(machine->cpu_state().cycles) + ")");
                summary.status = exit_code::kCycleLimit;
                break;
            case RunOutcome::Timeout:
                say("stopped: " + r.message);
                summary.status = exit_code::kTimeout;
                break;
        }
    } catch (const std::exception& e) {
        say(std::string("internal error: ") + e.what());
        std::fprintf(stderr, "%s\n", machine->cpu().dump_state().c_str());
        summary.outcome = "internal-error";
        summary.status = exit_code::kInternal;
    }

    if (stale_printer) stale_printer->summary();
    if (trace || stale_printer) machine->set_event_sink(nullptr, InstructionTrace::Off);
    if (trace) {
        std::string err = trace->close();
        if (!err.empty()) say("warning: " + err);
    }
    MachineStats stats = machine->stats();
    if (plan.stats) std::fputs(stats_table(stats, summary).c_str(), stderr);
    if (!plan.stats_json.empty()) {
        std::ofstream out(plan.stats_json);
        out << stats_json(stats, summary);
        if (!out) say("warning: could not write '" + plan.stats_json + "'");
    }
    return summary.status;
}

}  // namespace hm
