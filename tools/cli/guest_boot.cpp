#include "guest_boot.hpp"

#include <algorithm>
#include <memory>

#include "boot/boot_error.hpp"
#include "debug/trace_format.hpp"
#include "machine.hpp"

namespace hm {

namespace {

// Keeps the coherence checker's first reports as text; everything else is
// ignored (the sink sees only slow-path events, so it costs little).
class StaleRecorder : public EventSink {
public:
    static constexpr size_t kKept = 8;
    void on_stale_translation(const StaleTranslationEvent& e) override {
        if (events.size() >= kKept) return;
        std::string line = format_trace_record(TraceRecord{e});
        events.push_back("cycle " + line.substr(line.find_first_not_of(' ')));
    }
    std::vector<std::string> events;
};

// COM1 or port 0xE9 captured, up to a bound: a guest that prints in a loop
// until its time runs out must not exhaust the host's memory.
class BoundedCapture : public CharSink {
public:
    static constexpr size_t kLimit = 64u << 20;
    void write(const u8* data, size_t n) override {
        if (text.size() >= kLimit) return;
        size_t room = std::min(n, kLimit - text.size());
        text.append(reinterpret_cast<const char*>(data), room);
        if (text.size() >= kLimit) text += "\n[hm386 test: output cut at 64 MiB]\n";
    }
    std::string text;
};

}  // namespace

RunPlan boot_plan(const std::vector<std::string>& run_args, const ManifestVars& vars) {
    CLI::App app{"hm386 run"};
    RunOptions options;
    add_run_options(app, options);
    std::vector<std::string> args = translate_qemu_args(run_args);
    std::reverse(args.begin(), args.end());  // CLI11 takes the vector back to front
    try {
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        throw UsageError(std::string("bad hm386 run arguments: ") + e.what());
    }
    return resolve_run_plan(options, vars);
}

BootRecord run_boot(const RunPlan& plan) {
    BoundedCapture serial, debugcon;
    MachineConfig cfg;
    cfg.ram_bytes = plan.ram_bytes;
    cfg.cpu_hz = plan.cpu_hz;
    cfg.rtc_epoch = plan.rtc_epoch;
    cfg.serial_out = &serial;
    cfg.debugcon_out = &debugcon;
    cfg.post_port2 = plan.post_port2;
    cfg.pc_testdev = plan.pc_testdev;
    cfg.cpu_model = plan.cpu_model;
    cfg.tlb = plan.tlb;
    cfg.tlb_checker = plan.tlb_check ? CoherenceChecker::On : CoherenceChecker::Off;
    cfg.cpus = plan.cpus;
    cfg.smp_quantum = plan.smp_quantum;
    std::unique_ptr<Machine> owner;
    try {
        owner = std::make_unique<Machine>(cfg);
    } catch (const std::logic_error& e) {  // a size, geometry or port the plan let through
        throw UsageError(std::string("cannot build the machine: ") + e.what());
    }
    Machine& machine = *owner;

    BootRecord rec;
    if (plan.boot == BootKind::Rom) {
        std::vector<u8> rom = read_file_bytes(plan.rom, kMaxRomBytes + 1, "ROM image");
        machine.boot_rom(rom, plan.rom);
    } else if (plan.boot == BootKind::Linux) {
        machine.boot_linux(linux_boot_request(plan));
    } else {
        MultibootRequest req;
        req.kernel_name = plan.kernel;
        req.kernel = read_file_bytes(plan.kernel, plan.ram_bytes, "kernel");
        req.append = plan.append;
        for (const std::string& spec : plan.modules) {
            std::string path = spec.substr(0, spec.find_first_of(" \t"));
            req.modules.push_back({spec, read_file_bytes(path, plan.ram_bytes, "module")});
        }
        for (const std::string& w : machine.boot_multiboot(req).warnings) rec.message += "warning: " + w + "\n";
    }

    StaleRecorder stale;
    if (plan.tlb_check) machine.set_event_sink(&stale, InstructionTrace::Off);
    try {
        RunResult r = machine.run(RunLimits{plan.max_cycles, plan.timeout});
        rec.message += r.message;
        switch (r.outcome) {
            case RunOutcome::DebugExit:
                rec.end = BootEnd::Exited;
                rec.guest_status = DebugExit::host_status(r.exit_value, plan.exit_style);
                break;
            case RunOutcome::PowerOff:  // hm386 run's status 0, as QEMU exits on an ACPI power-off
                rec.end = BootEnd::Exited;
                rec.guest_status = 0;
                break;
            case RunOutcome::Shutdown: rec.end = BootEnd::Shutdown; break;
            case RunOutcome::ResetRequested: rec.end = BootEnd::Reset; break;
            case RunOutcome::Hang: rec.end = BootEnd::Hang; break;
            case RunOutcome::CycleLimit: rec.end = BootEnd::CycleLimit; break;
            case RunOutcome::Timeout: rec.end = BootEnd::Timeout; break;
            case RunOutcome::DebugStop:  // no debugger is attached to a test boot
                rec.end = BootEnd::InternalError;
                rec.message += "internal error: unexpected debugger stop\n";
                break;
        }
    } catch (const std::exception& e) {
        rec.end = BootEnd::InternalError;
        rec.message += std::string("internal error: ") + e.what() + "\n" + machine.cpu().dump_state();
    }
    machine.set_event_sink(nullptr, InstructionTrace::Off);

    MachineStats stats = machine.stats();
    rec.cycles = stats.cycles;
    rec.instructions = stats.instructions;
    rec.host_seconds = stats.host_seconds;
    rec.stale_reports = stats.stale_reports;
    rec.tlb_checked = stats.tlb_checker;
    rec.stale_events = std::move(stale.events);
    rec.console = std::move(serial.text);
    rec.debugcon = std::move(debugcon.text);
    return rec;
}

}  // namespace hm
