#include "run_command.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>

#include "boot/boot_error.hpp"
#include "snapshot/snapshot_error.hpp"
#include "snapshot/snapshot_file.hpp"
#include "debug/gdb_server.hpp"
#include "debug/trace_writer.hpp"
#include "exit_codes.hpp"
#include "machine_setup.hpp"
#include "stale_report_printer.hpp"
#include "stats_report.hpp"

namespace hm {

namespace {

const char* outcome_name(RunOutcome o) {
    switch (o) {
        case RunOutcome::DebugExit: return "debug-exit";
        case RunOutcome::PowerOff: return "power-off";
        case RunOutcome::Shutdown: return "shutdown";
        case RunOutcome::ResetRequested: return "reset";
        case RunOutcome::Hang: return "hang";
        case RunOutcome::CycleLimit: return "cycle-limit";
        case RunOutcome::Timeout: return "timeout";
        case RunOutcome::DebugStop: return "debug-stop";
    }
    return "?";
}

}  // namespace

namespace {

// Runs to the snapshot's cycle count (unless the run ends first), writes the
// snapshot there and runs on; the wall-clock --timeout covers both parts. A
// snapshot point at or past --max-cycles is never reached.
RunResult run_with_snapshot(Machine& machine, const RunPlan& plan, const SnapshotRequest& snap) {
    const u64 at = snap.plan.at;
    const std::string none = "--snapshot-at " + std::to_string(at) + ": no snapshot written (";
    if (machine.cpu_state().cycles >= at) {
        say(none + "the run starts at cycle " + std::to_string(machine.cpu_state().cycles) + ")");
        return machine.run({plan.max_cycles, plan.timeout});
    }
    if (plan.max_cycles && at >= plan.max_cycles) {
        say(none + "--max-cycles " + std::to_string(plan.max_cycles) + " comes first)");
        return machine.run({plan.max_cycles, plan.timeout});
    }
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    // A pause, not a limit: with -smp N a limit would end the CPUs' round at
    // `at` and change the schedule from there on; a pause is looked at between
    // rounds, so the snapshot is taken at the first round boundary at or after
    // `at` and the run goes on as it would have. With one CPU both are the same.
    RunLimits to_snapshot;
    to_snapshot.max_cycles = plan.max_cycles;
    to_snapshot.timeout_seconds = plan.timeout;
    to_snapshot.pause_at_cycles = at;
    RunResult r = machine.run(to_snapshot);
    if (r.outcome != RunOutcome::CycleLimit) {
        say(none + "the run ended at cycle " + std::to_string(machine.cpu_state().cycles) + ")");
        return r;
    }
    // The CPU stopped at the first instruction boundary at or after `at` (with
    // -smp N: the first round boundary), with the device events due by then
    // fired, as a --max-cycles stop does.
    snap::write_file_bytes(snap.plan.file, machine.save_snapshot(snap.identity));
    say("snapshot written to " + snap.plan.file + " at cycle " + std::to_string(machine.cpu_state().cycles) +
        " (instruction " + std::to_string(machine.cpu_state().instructions) + ")");
    double left = 0;
    if (plan.timeout > 0) {
        left = std::max(plan.timeout - std::chrono::duration<double>(Clock::now() - start).count(), 0.001);
    }
    return machine.run({plan.max_cycles, left});
}

}  // namespace

int run_machine_to_end(Machine& machine, const RunPlan& plan, RunSummary& summary, const SnapshotRequest* snapshot) {
    RunLimits limits{plan.max_cycles, plan.timeout};
    try {
        RunResult r = snapshot && snapshot->plan.at ? run_with_snapshot(machine, plan, *snapshot) : machine.run(limits);
        summary.outcome = outcome_name(r.outcome);
        switch (r.outcome) {
            case RunOutcome::DebugExit:
                summary.status = DebugExit::host_status(r.exit_value, plan.exit_style);
                if (plan.verbose) say(r.message);
                break;
            case RunOutcome::PowerOff:
                summary.status = 0;
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
                say("stopped: " + r.message + " (cycle " + std::to_string(machine.cpu_state().cycles) + ")");
                summary.status = exit_code::kCycleLimit;
                break;
            case RunOutcome::Timeout:
                say("stopped: " + r.message);
                summary.status = exit_code::kTimeout;
                break;
            case RunOutcome::DebugStop:  // no debugger attached: cannot happen
                say("internal error: unexpected debugger stop");
                summary.status = exit_code::kInternal;
                break;
        }
    } catch (const snap::SnapshotError& e) {
        say("cannot write the snapshot: " + std::string(e.what()));
        summary.outcome = "snapshot-error";
        summary.status = exit_code::kInternal;
    } catch (const std::exception& e) {
        say(std::string("internal error: ") + e.what());
        std::fprintf(stderr, "%s\n", machine.cpu().dump_state().c_str());
        summary.outcome = "internal-error";
        summary.status = exit_code::kInternal;
    }
    return summary.status;
}

namespace {
void print_state_hash(const char* what, u64 instructions, u64 cycles, u64 hash) {
    std::fprintf(stderr, "state-hash: %sinstructions=%llu cycles=%llu hash=%016llx\n", what,
                 static_cast<unsigned long long>(instructions), static_cast<unsigned long long>(cycles),
                 static_cast<unsigned long long>(hash));
}
}  // namespace

void attach_state_hash(Machine& machine, const RunPlan& plan) {
    if (!plan.state_hash_every) return;
    machine.set_state_hash_every(plan.state_hash_every,
                                 [](u64 insns, u64 cycles, u64 hash) { print_state_hash("", insns, cycles, hash); });
}

void print_final_state_hash(Machine& machine, const RunPlan& plan) {
    if (!plan.state_hash_every) return;
    print_state_hash("final ", machine.cpu_state().instructions, machine.cpu_state().cycles, machine.state_hash());
}

void report_statistics(Machine& machine, const RunPlan& plan, const RunSummary& summary) {
    MachineStats stats = machine.stats();
    if (plan.stats) std::fputs(stats_table(stats, summary).c_str(), stderr);
    if (!plan.stats_json.empty()) {
        std::ofstream out(plan.stats_json);
        out << stats_json(stats, summary);
        if (!out) say("warning: could not write '" + plan.stats_json + "'");
    }
}

namespace {

// --record / --replay (docs/snapshots.md, "Record and replay"). A bad --replay
// file, or one recorded with another image, is exit status 65.
std::optional<int> prepare_input_log(const SnapshotOptions& o, const RunPlan& plan, HostIo& io) {
    if (!o.replay.empty() && plan.gdb_port) {
        say("--replay does not combine with --gdb: the replay makes the recorded gdb session's edits itself");
        return exit_code::kUsage;
    }
    if (!o.replay.empty()) {
        try {
            snap::InputLog log = snap::decode_input_log(snap::read_file_bytes(o.replay));
            if (log.image != image_identity(plan)) {
                throw snap::SnapshotError("it was recorded with another image (kernel, modules or command line)");
            }
            io.player = std::make_unique<snap::InputPlayer>(std::move(log));
        } catch (const snap::SnapshotError& e) {
            say("bad --replay file '" + o.replay + "': " + e.what());
            return exit_code::kBadImage;
        } catch (const BootError& e) {
            say(e.what());
            return exit_code::kBadImage;
        }
    }
    if (!o.record.empty()) {
        std::ofstream probe(o.record, std::ios::binary);
        if (!probe) {
            say("cannot write --record file '" + o.record + "'");
            return exit_code::kUsage;
        }
        try {
            io.recorder = std::make_unique<snap::InputRecorder>(nullptr);
            io.recorder->log().image = image_identity(plan);
        } catch (const BootError& e) {
            say(e.what());
            return exit_code::kBadImage;
        }
    }
    return std::nullopt;
}

void finish_input_log(HostIo& io, const std::string& record_path) {
    if (io.recorder) {
        const snap::InputLog& log = io.recorder->log();
        try {
            snap::write_file_bytes(record_path, snap::encode_input_log(log));
            u64 bytes = 0;
            for (const snap::InputChunk& c : log.chunks) bytes += c.bytes.size();
            say("input record written to " + record_path + ": " + std::to_string(bytes) + " bytes in " +
                std::to_string(log.chunks.size()) + " reads, " + std::to_string(log.edits.size()) + " debugger edits");
        } catch (const snap::SnapshotError& e) {
            say("warning: cannot write the input record: " + std::string(e.what()));
        }
    }
    if (io.player && (io.player->undelivered() || io.player->diverged())) {
        say("warning: --replay: the run went elsewhere than the recorded one (" +
            std::to_string(io.player->undelivered()) + " logged reads never made" +
            (io.player->diverged() ? ", some input delivered late" : "") + ")");
    }
}

bool before(const CpuState& s, const snap::LoggedEdit& e) {
    return s.cycles < e.cycles || (s.cycles == e.cycles && s.instructions < e.instructions);
}

// --replay of a recorded gdb session's edits: runs to each edit's position
// (full speed to just before it, then one instruction at a time, then through
// a halt to its cycle) and makes the edit there, as gdb did. Observing is
// invisible, so the run is the recorded one. False when the run ended first
// (said on stderr; the caller runs on to report the end as usual).
bool apply_logged_edits(Machine& machine, const RunPlan& plan, EventSink* forward,
                        const std::vector<snap::LoggedEdit>& edits) {
    dbg::Debugger d(machine);
    d.set_forward_sink(forward);
    d.set_cycle_limit(plan.max_cycles);
    const CpuState& st = machine.cpu_state();
    for (const snap::LoggedEdit& e : edits) {
        const std::string where = "cycle " + std::to_string(e.cycles) + ", instruction " + std::to_string(e.instructions);
        auto ended = [&](const dbg::StopInfo& s) {
            say("warning: --replay: the run stopped (" + s.message + ") before the debugger edit logged at " + where);
            return false;
        };
        if (st.cycles + 64 < e.cycles) {
            const dbg::StopInfo s = d.cont(e.cycles - 64 - st.cycles);
            if (s.kind != dbg::StopKind::Budget) return ended(s);
        }
        while (st.instructions < e.instructions && before(st, e)) {
            const dbg::StopInfo s = d.step(1);
            if (s.kind != dbg::StopKind::Step) return ended(s);
        }
        if (st.instructions == e.instructions && st.cycles < e.cycles) {  // halted there: time runs on to the cycle
            const dbg::StopInfo s = d.cont(e.cycles - st.cycles);
            if (s.kind != dbg::StopKind::Budget) return ended(s);
        }
        if (st.cycles != e.cycles || st.instructions != e.instructions) {
            say("warning: --replay: the debugger edit logged at " + where + " is made at cycle " +
                std::to_string(st.cycles) + ", instruction " + std::to_string(st.instructions) +
                " (the run went elsewhere)");
        }
        try {
            if (e.kind == snap::LoggedEdit::Kind::Register) {
                u64 v = 0;
                for (size_t i = 0; i < 8; ++i) v |= u64{e.bytes[i]} << (8 * i);
                d.select_cpu(e.cpu);
                d.set_register(static_cast<dbg::Reg>(e.target), v);
                d.select_cpu(0);
            } else {
                d.write_memory(e.kind == snap::LoggedEdit::Kind::LinearMemory ? dbg::Space::Linear : dbg::Space::Physical,
                               e.target, e.bytes);
            }
        } catch (const dbg::DebugError& err) {
            say("warning: --replay: the debugger edit logged at " + where + " fails here: " + err.what());
        }
    }
    return true;
}

}  // namespace

int run_command(const RunOptions& options, const SnapshotOptions& snapshot_options, const ManifestVars& vars) {
    RunPlan plan;
    SnapshotRequest snapshot;
    std::vector<u8> resume_bytes;
    try {
        snapshot.plan = resolve_snapshot_plan(snapshot_options);
        if (!snapshot_options.resume.empty()) {
            resume_bytes = snap::read_file_bytes(snapshot_options.resume);
            plan = resume_run_plan(options, read_snapshot_header(resume_bytes), vars);
        } else {
            plan = resolve_run_plan(options, vars);
        }
        if (snapshot.plan.at) {
            snapshot.identity = {image_identity(plan), boot_description(plan)};
            if (plan.gdb_port) throw UsageError("--snapshot-at does not combine with --gdb (use monitor savevm FILE)");
        }
    } catch (const UsageError& e) {
        say(e.what());
        return exit_code::kUsage;
    } catch (const BootError& e) {
        say(e.what());
        return exit_code::kBadImage;
    } catch (const snap::SnapshotError& e) {
        say("bad snapshot '" + snapshot_options.resume + "': " + e.what());
        return exit_code::kBadImage;
    }
    HostIo io;
    if (auto failed = prepare_input_log(snapshot_options, plan, io)) return *failed;
    if (snapshot.plan.at) {
        // Refuse an unwritable path now rather than after the run to the snapshot point.
        std::ofstream probe(snapshot.plan.file + ".tmp");
        if (!probe) {
            say("cannot write --snapshot file '" + snapshot.plan.file + "'");
            return exit_code::kUsage;
        }
        probe.close();
        std::remove((snapshot.plan.file + ".tmp").c_str());
    }

    std::unique_ptr<Machine> machine;
    if (auto failed = build_machine(plan, SerialInput::FromStdin, io, machine)) return *failed;
    // The input log is written however the run ends (gdb's kill included).
    struct WriteLog {
        HostIo& io;
        const std::string& path;
        ~WriteLog() { finish_input_log(io, path); }
    } write_log{io, snapshot_options.record};
    if (!resume_bytes.empty()) {
        try {
            machine->load_snapshot(resume_bytes, image_identity(plan));
        } catch (const BootError& e) {
            say(e.what());
            return exit_code::kBadImage;
        } catch (const snap::SnapshotError& e) {
            say("bad snapshot '" + snapshot_options.resume + "': " + e.what());
            return exit_code::kBadImage;
        }
    }

    std::unique_ptr<TraceWriter> trace;
    if (!plan.trace.empty()) {
        try {
            trace = std::make_unique<TraceWriter>(plan.trace, plan.cpu_hz, plan.trace_mask);
        } catch (const std::runtime_error& e) {
            say(e.what());
            return exit_code::kUsage;
        }
    }
    // With --tlb-check, stale translations are reported on stderr as they happen,
    // by a sink in front of the trace writer (which still gets every event).
    std::unique_ptr<StaleReportPrinter> stale_printer;
    if (plan.tlb_check) stale_printer = std::make_unique<StaleReportPrinter>(stderr, trace.get());
    EventSink* const sink = stale_printer ? static_cast<EventSink*>(stale_printer.get()) : trace.get();
    auto attach_trace = [&] {
        if (sink) {
            const bool insns = trace && trace->wants(TraceKind::Instruction);
            machine->set_event_sink(sink, insns ? InstructionTrace::On : InstructionTrace::Off);
        }
    };

    attach_state_hash(*machine, plan);

    RunSummary summary;
    RunPlan plan_after_gdb = plan;  // the same, with what gdb left of --timeout
    if (plan.gdb_port) {
        // gdb drives the machine until it detaches (the guest then runs on to its
        // end as usual) or kills it (hm386 ends with status 0).
        GdbSession g = serve_gdb(*machine, plan, sink, io.recorder.get());
        if (g.status) {
            if (trace) trace->close();
            return *g.status;
        }
        if (g.end == dbg::GdbServer::End::Killed) {
            summary.outcome = "killed-by-gdb";
            summary.status = 0;
            if (trace) trace->close();
            print_final_state_hash(*machine, plan);
            report_statistics(*machine, plan, summary);
            return 0;
        }
        plan_after_gdb.timeout = g.timeout_left;
    }
    if (io.player && !io.player->edits().empty()) apply_logged_edits(*machine, plan, sink, io.player->edits());
    attach_trace();
    run_machine_to_end(*machine, plan_after_gdb, summary, &snapshot);

    if (stale_printer) stale_printer->summary();
    print_final_state_hash(*machine, plan);
    if (sink) machine->set_event_sink(nullptr, InstructionTrace::Off);
    if (trace) {
        std::string err = trace->close();
        if (!err.empty()) say("warning: " + err);
    }
    report_statistics(*machine, plan, summary);
    return summary.status;
}

GdbSession serve_gdb(Machine& machine, const RunPlan& plan, EventSink* forward, snap::InputRecorder* recorder) {
    GdbSession out;
    dbg::Debugger d(machine);
    if (recorder) {
        d.set_edit_log([&machine, recorder](const dbg::Debugger::Edit& e) {
            snap::LoggedEdit l;
            l.cycles = machine.cpu_state().cycles;
            l.instructions = machine.cpu_state().instructions;
            if (e.memory) {
                l.kind = e.space == dbg::Space::Linear ? snap::LoggedEdit::Kind::LinearMemory
                                                       : snap::LoggedEdit::Kind::PhysicalMemory;
                l.target = e.addr;
                l.bytes = e.bytes;
            } else {
                l.kind = snap::LoggedEdit::Kind::Register;
                l.cpu = static_cast<u8>(e.cpu);
                l.target = static_cast<u64>(e.reg);
                for (int i = 0; i < 8; ++i) l.bytes.push_back(static_cast<u8>(e.value >> (8 * i)));
            }
            recorder->log().edits.push_back(std::move(l));
        });
    }
    d.set_forward_sink(forward);
    d.set_snapshot_identity(session_identity(plan));  // for monitor savevm/loadvm
    d.set_cycle_limit(plan.max_cycles);
    if (plan.boot == BootKind::Multiboot) {
        try {
            d.load_symbols(plan.kernel);  // for `monitor` commands; gdb reads its own
        } catch (const dbg::DebugError& e) {
            say(std::string("note: ") + e.what() + " (monitor commands will lack symbols)");
        }
    }
    dbg::GdbServer server(d);
    u16 port;
    try {
        port = server.listen(*plan.gdb_port);
    } catch (const std::runtime_error& e) {
        say(e.what());
        out.status = exit_code::kUsage;
        return out;
    }
    say("waiting for gdb on 127.0.0.1:" + std::to_string(port) + " (gdb FILE -ex 'target remote :" + std::to_string(port) + "')");
    // --timeout covers the wait for gdb and the session, not only the run after it.
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    std::optional<Clock::time_point> deadline;
    if (plan.timeout > 0) deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(plan.timeout));
    try {
        out.end = server.serve(deadline);
    } catch (const std::runtime_error& e) {
        say(e.what());
        out.status = exit_code::kInternal;
        return out;
    }
    if (out.end == dbg::GdbServer::End::TimedOut) {
        char msg[160];
        std::snprintf(msg, sizeof msg, "host timeout after %g s (waiting for or serving gdb) at cycle %llu", plan.timeout,
                      static_cast<unsigned long long>(machine.cpu_state().cycles));
        say(msg);
        out.status = exit_code::kTimeout;
        return out;
    }
    if (deadline) {
        // At least a millisecond: 0 would mean no limit at all.
        out.timeout_left = std::max(std::chrono::duration<double>(*deadline - Clock::now()).count(), 0.001);
    }
    say(out.end == dbg::GdbServer::End::Killed ? "gdb killed the session"
        : out.end == dbg::GdbServer::End::Detached ? "gdb detached: the guest runs on"
                                                   : "gdb hung up: the guest runs on");
    return out;
}

}  // namespace hm
