#include "debug_command.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "boot/boot_error.hpp"
#include "debug/command_interpreter.hpp"
#include "debug/trace_writer.hpp"
#include "exit_codes.hpp"
#include "machine_setup.hpp"
#include "snapshot_options.hpp"
#include "run_command.hpp"

namespace hm {

namespace {

std::atomic<dbg::Debugger*> g_debugger{nullptr};
// True while a command or script executes, false at the prompt: an interrupt
// requested there would stay pending and stop the next `continue` at once.
std::atomic<bool> g_busy{false};

struct Busy {
    Busy() { g_busy = true; }
    ~Busy() { g_busy = false; }
};

// Ctrl-C pauses a running guest; at the prompt it does nothing (as in gdb).
void on_sigint(int) {
    if (!g_busy.load()) return;
    if (dbg::Debugger* d = g_debugger.load()) d->interrupt();
}

struct SigintGuard {
    struct sigaction old {};
    explicit SigintGuard(dbg::Debugger& d) {
        g_debugger = &d;
        struct sigaction sa {};
        sa.sa_handler = on_sigint;
        sa.sa_flags = SA_RESTART;  // a read at the prompt just goes on
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old);
    }
    ~SigintGuard() {
        sigaction(SIGINT, &old, nullptr);
        g_debugger = nullptr;
    }
};

// Commands that an empty line repeats (gdb's habit for stepping).
bool repeatable(const std::string& line) {
    std::istringstream in(line);
    std::string w;
    in >> w;
    for (const char* c : {"s", "si", "stepi", "step", "n", "ni", "nexti", "next", "c", "cont", "continue"}) {
        if (w == c) return true;
    }
    return false;
}

void repl(dbg::CommandInterpreter& cli) {
    const bool tty = isatty(STDIN_FILENO);
    std::string line, last;
    for (;;) {
        if (tty) {
            std::cout << "(hm386) " << std::flush;
        }
        if (!std::getline(std::cin, line)) break;
        if (line.find_first_not_of(" \t\r") == std::string::npos) {
            if (!tty || last.empty()) continue;
            line = last;
        }
        if (!tty) std::cout << "(hm386) " << line << "\n";
        dbg::CommandInterpreter::Result r;
        {
            Busy busy;
            r = cli.execute(line);
        }
        std::cout << r.output << std::flush;
        last = repeatable(line) ? line : "";
        if (r.quit) break;
    }
}

}  // namespace

void add_debug_options(CLI::App& cmd, DebugOptions& o) {
    add_run_options(cmd, o.run);
    cmd.add_option("--script", o.script, "run debugger commands from FILE (stops at the first failing command)");
    cmd.add_flag("-i,--interactive", o.interactive, "after --script, read commands from stdin");
    cmd.add_option("--symbols", o.symbols,
                   "ELF file or Linux System.map with the symbols (default: the kernel, when it is an ELF file)");
}

int debug_command(const DebugOptions& options, const ManifestVars& vars) {
    RunPlan plan;
    try {
        plan = resolve_run_plan(options.run, vars);
    } catch (const UsageError& e) {
        say(e.what());
        return exit_code::kUsage;
    } catch (const BootError& e) {
        say(e.what());
        return exit_code::kBadImage;
    }
    std::ifstream script;
    if (!options.script.empty()) {
        // An ifstream opens a directory; its first read then fails as if the script were empty.
        std::error_code ec;
        if (std::filesystem::is_directory(options.script, ec)) {
            say("cannot read --script file '" + options.script + "': it is a directory");
            return exit_code::kUsage;
        }
        script.open(options.script);
        if (!script) {
            say("cannot read --script file '" + options.script + "'");
            return exit_code::kUsage;
        }
    }

    HostIo io;
    std::unique_ptr<Machine> machine;
    // stdin belongs to the command line here, not to the guest's serial port.
    if (auto failed = build_machine(plan, SerialInput::Off, io, machine)) return *failed;
    std::unique_ptr<TraceWriter> trace;
    if (!plan.trace.empty()) {
        try {
            trace = std::make_unique<TraceWriter>(plan.trace, plan.cpu_hz, plan.trace_mask);
        } catch (const std::runtime_error& e) {
            say(e.what());
            return exit_code::kUsage;
        }
    }

    attach_state_hash(*machine, plan);
    int status = 0;
    RunSummary summary;
    summary.outcome = "debugger";
    {
        dbg::Debugger d(*machine);
        d.set_forward_sink(trace.get());
        d.set_snapshot_identity(session_identity(plan));  // for savevm/loadvm
        d.set_cycle_limit(plan.max_cycles);
        if (!options.symbols.empty() || !plan.symbols.empty()) {
            // --symbols, else the manifest's `symbols` key (e.g. images/linux's System.map).
            const bool option = !options.symbols.empty();
            try {
                d.load_symbols(option ? options.symbols : plan.symbols);
            } catch (const dbg::DebugError& e) {
                say(std::string(option ? "error: --symbols: " : "error: the manifest's symbols: ") + e.what());
                return exit_code::kBadImage;
            }
        } else if (plan.boot == BootKind::Multiboot) {
            try {
                d.load_symbols(plan.kernel);
            } catch (const dbg::DebugError& e) {
                say(std::string("note: ") + e.what() + " (no symbols)");
            }
        }
        dbg::CommandInterpreter cli(d);
        SigintGuard sigint(d);
        if (script.is_open()) {
            Busy busy;
            if (!cli.run_script(script, std::cout, options.script)) status = 1;
            std::cout.flush();
        }
        if (status == 0 && !plan.gdb_port && (options.script.empty() || options.interactive)) repl(cli);
    }
    if (status == 0 && plan.gdb_port) {
        GdbSession g = serve_gdb(*machine, plan, trace.get());
        if (g.status) status = *g.status;
        else if (g.end != dbg::GdbServer::End::Killed) {
            if (trace) {
                machine->set_event_sink(trace.get(), trace->wants(TraceKind::Instruction) ? InstructionTrace::On
                                                                                            : InstructionTrace::Off);
            }
            RunPlan rest = plan;
            rest.timeout = g.timeout_left;  // --timeout covered the gdb session too
            status = run_machine_to_end(*machine, rest, summary);
        }
    }
    if (trace) {
        machine->set_event_sink(nullptr, InstructionTrace::Off);
        std::string err = trace->close();
        if (!err.empty()) say("warning: " + err);
    }
    summary.status = status;
    print_final_state_hash(*machine, plan);
    report_statistics(*machine, plan, summary);
    return status;
}

}  // namespace hm
