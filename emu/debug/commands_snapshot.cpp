// savevm FILE / loadvm FILE: snapshots from the REPL, scripts, the GUI's command
// line and gdb's `monitor` (docs/debugger.md, docs/snapshots.md).
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

}  // namespace hm::dbg
