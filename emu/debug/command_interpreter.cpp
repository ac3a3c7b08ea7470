// The command table, dispatch, scripts, displays and help. The commands
// themselves live in commands_*.cpp by topic.
#include "debug/command_interpreter.hpp"

#include <cctype>
#include <istream>
#include <sstream>

#include "debug/command_args.hpp"
#include "debug/debug_format.hpp"

namespace hm::dbg {

// Every command: name, aliases, usage, one line of help. `help` prints this
// table; docs/debugger.md describes each with an example.
std::span<const CommandInterpreter::Command> CommandInterpreter::commands() {
    using C = CommandInterpreter;
    static const Command kCommands[] = {
    {"continue", "c cont", "continue", "run until a breakpoint, watchpoint, event, the guest's end or Ctrl-C", &C::cmd_continue},
    {"step", "s si stepi", "step [N]", "execute N instructions (default 1), entering calls and interrupt handlers; -smp N: N of the selected CPU's, every CPU running", &C::cmd_step},
    {"next", "n ni nexti", "next", "step over CALL, INT n and REP string instructions (same frame)", &C::cmd_next},
    {"until", "", "until ADDR", "run until the instruction at linear ADDR (a temporary breakpoint; -smp N: on the selected CPU)", &C::cmd_until},
    {"finish", "", "finish", "run until the current function returns (frame pointer based)", &C::cmd_finish},
    {"break", "b lb", "break ADDR [cpu K]", "breakpoint at a linear address (symbols allowed); cpu K: only CPU K stops there", &C::cmd_break},
    {"tbreak", "tb", "tbreak ADDR [cpu K]", "temporary linear breakpoint: deleted when hit", &C::cmd_tbreak},
    {"pbreak", "pb", "pbreak PADDR [cpu K]", "breakpoint at a physical address: catches every linear alias, paging on or off", &C::cmd_pbreak},
    {"watch", "", "watch r|w|rw lin|phys ADDR [LEN]", "stop after an instruction that reads/writes the range (physical: through any alias)", &C::cmd_watch},
    {"break-on", "", "break-on pf|exc [N]|cr3|invlpg|flush|triple|io [PORT]", "stop on an event: page fault, exception (vector N or any), CR3 write, INVLPG, any TLB flush, triple fault, port I/O", &C::cmd_break_on},
    {"delete", "d", "delete [ID...]", "delete breakpoints, watchpoints, event breaks (all without IDs)", &C::cmd_delete},
    {"enable", "", "enable ID...", "enable breakpoints, watchpoints or event breaks", &C::cmd_enable},
    {"disable", "", "disable ID...", "disable them without deleting them", &C::cmd_disable},
    {"display", "", "display [COMMAND]", "run COMMAND at every stop (no argument: list)", &C::cmd_display},
    {"undisplay", "", "undisplay [N]", "remove display N (all without N)", &C::cmd_undisplay},
    {"cpu", "", "cpu [N]", "-smp N: list the CPUs, or select CPU N for regs, tlb, walk, info, disas, x, set, kmap-local and run control (step, next, until, finish)", &C::cmd_cpu},
    {"regs", "r registers", "regs", "general registers, EIP, EFLAGS; * marks what changed since the previous stop", &C::cmd_regs},
    {"sregs", "", "sregs", "segment registers with their descriptor caches, LDTR, TR, GDTR, IDTR", &C::cmd_sregs},
    {"cregs", "creg", "cregs", "CR0, CR2, CR3, CR4, EFER and DR0-DR7, bits decoded", &C::cmd_cregs},
    {"set", "", "set REG VALUE | set syntax intel|att | set log LIST | set log-size N | set track-tables on|off", "change a register or a setting", &C::cmd_set},
    {"x", "", "x [/NFU] ADDR", "examine memory at a linear address: N units, F = x d u c s i, U = b h w g", &C::cmd_x},
    {"xp", "", "xp [/NFU] PADDR", "examine memory at a physical address", &C::cmd_xp},
    {"write", "poke", "write lin|phys ADDR VALUE [1|2|4|8]", "store VALUE (default 4 bytes) into guest RAM", &C::cmd_write},
    {"print", "p", "print EXPR", "evaluate an expression: hex, decimal and symbol", &C::cmd_print},
    {"assert", "", "assert EXPR [==|!=|<|<=|>|>= EXPR]", "fail the script unless the comparison holds (alone: EXPR != 0)", &C::cmd_assert},
    {"echo", "", "echo TEXT", "print TEXT", &C::cmd_echo},
    {"walk", "page", "walk ADDR [r|w|x] [user|sup]", "the page walk of a linear address: every level's entry, its bits, the result or the #PF", &C::cmd_walk},
    {"tlb", "", "tlb [i|d] [--stale]", "the TLB entries (instruction, data or both), stale ones marked", &C::cmd_tlb},
    {"aliases", "", "aliases PADDR", "every linear page that maps this physical page", &C::cmd_aliases},
    {"info", "i", "info mem|map|tlb [filters] | info break | info sym ADDR | info display", "info mem: mapped ranges with equal rights; info map: the same, merged only while the physical pages are contiguous too; info tlb: every mapped page. Filters: --writable --ro --user --kernel --exec --nx --global --range LO HI --phys PADDR", &C::cmd_info},
    {"disas", "u disassemble", "disas [ADDR] [N] [--att|--intel]", "disassemble N instructions (default 10) from ADDR (default EIP)", &C::cmd_disas},
    {"bt", "backtrace where", "bt [N]", "the call chain by frame pointers (N frames, default 32)", &C::cmd_bt},
    {"sym", "", "sym NAME", "the address of a symbol (all matches)", &C::cmd_sym},
    {"sym-file", "symbol-file", "sym-file ELF", "load symbols from an ELF file", &C::cmd_sym_file},
    {"pkmap", "", "pkmap [--all]", "the kernel's pkmap window: each slot's count, page, PTE and TLB state", &C::cmd_pkmap},
    {"kmap-local", "tasks", "kmap-local", "each task with its kmap_local stack (fixmap slots, saved PTEs, installed or not)", &C::cmd_kmap_local},
    {"zones", "", "zones", "the kernel's zones: free pages, watermarks, free blocks per order", &C::cmd_zones},
    {"stats", "", "stats", "CPU, TLB and device statistics", &C::cmd_stats},
    {"log", "", "log [N] | log clear", "the last N logged events (exceptions, interrupts, flushes, ...)", &C::cmd_log},
    {"savevm", "", "savevm FILE", "write a snapshot of the whole machine to FILE (docs/snapshots.md)", &C::cmd_savevm},
    {"loadvm", "", "loadvm FILE", "restore the machine from a snapshot of this image (breakpoints and displays stay)", &C::cmd_loadvm},
    {"record", "", "record on|off", "keep in-memory checkpoints as the machine runs, so that reverse-stepi can go back (off by default)", &C::cmd_record},
    {"reverse-stepi", "rsi", "reverse-stepi [N]", "go back N instructions (default 1): to the stops `step` made before this one, by re-executing from a checkpoint", &C::cmd_reverse_stepi},
    {"reverse-continue", "rc", "reverse-continue", "go back to the latest breakpoint or watchpoint hit before now (or to where recording began), by re-executing from checkpoints", &C::cmd_reverse_continue},
    {"help", "h ?", "help [COMMAND]", "this list, or one command", &C::cmd_help},
    {"quit", "q exit", "quit", "leave the debugger", &C::cmd_quit},
    };
    return kCommands;
}

namespace {

std::vector<std::string> split_words(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

}  // namespace

CommandInterpreter::CommandInterpreter(Debugger& d) : d_(d) {}

const CommandInterpreter::Command* CommandInterpreter::find(const std::string& name) const {
    for (const Command& c : commands()) {
        if (name == c.name) return &c;
        std::istringstream al(c.aliases);
        std::string a;
        while (al >> a) {
            if (a == name) return &c;
        }
    }
    return nullptr;
}

CommandInterpreter::Result CommandInterpreter::execute(const std::string& raw) {
    Result r;
    std::string line = raw;
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::vector<std::string> words = split_words(line);
    if (words.empty()) return r;
    // gdb's "x/4xw ADDR": the format may stick to the command name.
    if (size_t slash = words[0].find('/'); slash != std::string::npos && slash > 0) {
        words.insert(words.begin() + 1, words[0].substr(slash));
        words[0].resize(slash);
    }
    std::ostringstream out;
    const Command* c = find(words[0]);
    try {
        if (!c) throw DebugError("unknown command '" + words[0] + "' (try: help)");
        Args args;
        args.command = words[0];
        args.words.assign(words.begin() + 1, words.end());
        (this->*(c->run))(args, out);
    } catch (const DebugError& e) {
        out << "error: " << e.what() << "\n";
        r.ok = false;
    } catch (const std::exception& e) {
        // An emulator failure (e.g. an unimplemented instruction) during a run.
        out << "error: the emulator failed: " << e.what() << "\n";
        r.ok = false;
    }
    r.output = out.str();
    r.quit = quit_;
    return r;
}

bool CommandInterpreter::run_script(std::istream& in, std::ostream& out, const std::string& name) {
    std::string line;
    unsigned n = 0;
    while (std::getline(in, line)) {
        ++n;
        std::string trimmed = line;
        if (size_t hash = trimmed.find('#'); hash != std::string::npos) trimmed.resize(hash);
        if (trimmed.find_first_not_of(" \t\r") == std::string::npos) continue;
        out << "(hm386) " << line << "\n";
        Result r = execute(line);
        out << r.output;
        out.flush();
        if (!r.ok) {
            out << name << ":" << n << ": the script stops here\n";
            return false;
        }
        if (r.quit) return true;
    }
    return true;
}

void CommandInterpreter::stopped(const StopInfo& s, std::ostream& out) {
    out << s.message << "\n";
    if (!s.can_continue() || in_display_) return;
    in_display_ = true;  // a display that runs the machine must not recurse
    for (size_t i = 0; i < displays_.size(); ++i) {
        out << "[display " << i + 1 << "] " << displays_[i] << "\n";
        Result r = execute(displays_[i]);
        out << r.output;
    }
    in_display_ = false;
}

void CommandInterpreter::cmd_help(Args& a, std::ostream& out) {
    if (!a.empty()) {
        const std::string name = a.next("command");
        const Command* c = find(name);
        if (!c) throw DebugError("help: no command '" + name + "'");
        out << c->usage << "\n  " << c->help << "\n";
        if (c->aliases[0]) out << "  aliases: " << c->aliases << "\n";
        return;
    }
    out << "Commands (help COMMAND for one; addresses are expressions: 0x10, 16, kmap_high+4, $esp, [$esp+4]):\n";
    for (const Command& c : commands()) {
        std::string u = c.usage;
        if (u.size() < 40) u.resize(40, ' ');
        out << "  " << u << " " << c.help << "\n";
    }
}

void CommandInterpreter::cmd_quit(Args& a, std::ostream&) {
    a.done();
    quit_ = true;
}

void CommandInterpreter::cmd_echo(Args& a, std::ostream& out) { out << a.rest() << "\n"; }

void CommandInterpreter::cmd_display(Args& a, std::ostream& out) {
    if (a.empty()) {
        if (displays_.empty()) out << "no displays\n";
        for (size_t i = 0; i < displays_.size(); ++i) out << i + 1 << ": " << displays_[i] << "\n";
        return;
    }
    std::string cmd = a.rest();
    std::vector<std::string> w = split_words(cmd);
    if (!find(w[0].substr(0, w[0].find('/')))) throw DebugError("display: unknown command '" + w[0] + "'");
    displays_.push_back(cmd);
    out << "display " << displays_.size() << ": " << cmd << "\n";
}

void CommandInterpreter::cmd_undisplay(Args& a, std::ostream& out) {
    if (a.empty()) {
        displays_.clear();
        out << "all displays removed\n";
        return;
    }
    const u64 n = eval(a.next("display number"));
    a.done();
    if (n == 0 || n > displays_.size()) throw DebugError("undisplay: no display " + std::to_string(n));
    displays_.erase(displays_.begin() + static_cast<std::ptrdiff_t>(n - 1));
}

}  // namespace hm::dbg
