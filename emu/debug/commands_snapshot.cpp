// savevm FILE / loadvm FILE / record on|off / reverse-stepi [N] / reverse-continue: snapshots and stepping back from the
// REPL, scripts, the GUI's command line and gdb's `monitor` (docs/debugger.md, docs/snapshots.md).
#include "debug/command_args.hpp"

namespace hm::dbg {

void CommandInterpreter::cmd_savevm(Args& a, std::ostream& out) {
    const std::string path = a.next("FILE");
    a.done();
    const u64 bytes = d_.save_snapshot(path);
    const CpuState& s = d_.machine().cpu_state();
    out << "snapshot written to " << path << " (" << bytes << " bytes) at cycle " << s.cycles << ", instruction "
        << s.instructions << "\n";
}

void CommandInterpreter::cmd_loadvm(Args& a, std::ostream& out) {
    const std::string path = a.next("FILE");
    a.done();
    d_.load_snapshot(path);
    const CpuState& s = d_.machine().cpu_state();
    out << "machine restored from " << path << ": cycle " << s.cycles << ", instruction " << s.instructions << "\n";
}

void CommandInterpreter::cmd_record(Args& a, std::ostream& out) {
    const std::string what = a.next("on or off");
    a.done();
    if (what != "on" && what != "off") throw DebugError("record: expected on or off, not '" + what + "'");
    d_.set_recording(what == "on");
    out << (what == "on" ? "recording: checkpoints are kept from here on (reverse-stepi can go back to this point)\n"
                         : "recording off: checkpoints dropped\n");
}

void CommandInterpreter::cmd_reverse_stepi(Args& a, std::ostream& out) {
    const u64 n = a.empty() ? 1 : eval(a.next("count"));
    a.done();
    if (n == 0 || n > 1'000'000) {
        throw DebugError("reverse-stepi: the count must be at least 1 and at most 1000000 (got " +
                         std::to_string(static_cast<i64>(n)) + ")");
    }
    StopInfo s;
    for (u64 i = 0; i < n; ++i) s = d_.reverse_step();
    stopped(s, out);
    print_disassembly(s.pc, 1, syntax_, out);
}

void CommandInterpreter::cmd_reverse_continue(Args& a, std::ostream& out) {
    a.done();
    const StopInfo s = d_.reverse_continue();
    stopped(s, out);
    print_disassembly(s.pc, 1, syntax_, out);
}

}  // namespace hm::dbg
