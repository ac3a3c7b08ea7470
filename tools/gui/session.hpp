// One debugging session: the machine booted from a RunPlan (exactly as `hm386 run`
// boots it), the debugger core attached to it, the command interpreter over the
// core, and the guest's console output captured for the console panel. The GUI
// owns one Session; nothing in it knows about the window.
#pragma once
#include <memory>
#include <string>

#include "console_buffer.hpp"
#include "debug/command_interpreter.hpp"
#include "debug/debugger.hpp"
#include "debug/trace_writer.hpp"
#include "machine.hpp"
#include "run_options.hpp"

namespace hm::gui {

// A session that cannot be built: the message is one line, exit_status one of
// tools/cli/exit_codes.hpp (64 bad usage, 65 bad image, 70 internal).
struct SessionError {
    int exit_status;
    std::string message;
};

class Session {
public:
    // Builds and boots the machine; the CPU stands at its first instruction.
    // Throws SessionError.
    explicit Session(const RunPlan& plan);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    Machine& machine() { return *machine_; }
    dbg::Debugger& debugger() { return *debugger_; }
    dbg::CommandInterpreter& interpreter() { return *interp_; }
    ConsoleBuffer& serial() { return serial_; }
    ConsoleBuffer& debugcon() { return debugcon_; }
    const RunPlan& plan() const { return plan_; }
    // Loads symbols (the GUI's --symbols, else the kernel ELF); returns a line for
    // the log: what was loaded, or why nothing was.
    std::string load_symbols(const std::string& elf_path);
    // Closes the trace file (if --trace); returns a warning or "".
    std::string close();

private:
    RunPlan plan_;
    ConsoleBuffer serial_, debugcon_;
    std::unique_ptr<CharSink> serial_tee_, debugcon_tee_, post_log_;
    std::unique_ptr<Machine> machine_;
    std::unique_ptr<TraceWriter> trace_;
    std::unique_ptr<dbg::Debugger> debugger_;
    std::unique_ptr<dbg::CommandInterpreter> interp_;
};

}  // namespace hm::gui
