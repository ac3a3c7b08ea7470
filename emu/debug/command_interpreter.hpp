// The debugger's command language: short Bochs/gdb-like verbs over the Debugger
// core, for the `hm386 debug` REPL, script files, the gdb stub's `monitor`
// command and the tests. Every command and its syntax is listed by `help` and in
// docs/debugger.md.
//
// One command per line; `#` starts a comment. Addresses and values are
// expressions without spaces: numbers (decimal, or 0x hex), symbols of the
// loaded ELF (`kmap_high`, `pkmap_count`), registers (`$eax`, `$cr3`), `+ - *`,
// parentheses and `[expr]` for the 32-bit value at a linear address.
//
// A command that cannot be done (bad syntax, unknown symbol, unmapped address)
// produces one "error: ..." line and changes nothing; it never ends the session.
#pragma once
#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "debug/debugger.hpp"

namespace hm::dbg {

class CommandInterpreter {
public:
    struct Result {
        bool ok = true;     // false: the command failed (error text in output)
        bool quit = false;  // `quit`
        std::string output;
    };

    explicit CommandInterpreter(Debugger& d);

    Result execute(const std::string& line);
    // Runs commands from `in`, echoing each as "(hm386) CMD" before its output.
    // Stops at the first failing command (or failed assert) and returns false;
    // `name` prefixes the error with the line number.
    bool run_script(std::istream& in, std::ostream& out, const std::string& name);

    Syntax syntax() const { return syntax_; }
    Debugger& debugger() { return d_; }

    // The command-language expression evaluator (exposed for the gdb stub and tests).
    u64 eval(const std::string& expr) const;

    struct Args;
    using Handler = void (CommandInterpreter::*)(Args&, std::ostream&);
    struct Command {
        const char* name;
        const char* aliases;  // space separated
        const char* usage;
        const char* help;
        Handler run;
    };

private:
    static std::span<const Command> commands();
    const Command* find(const std::string& name) const;
    void stopped(const StopInfo& s, std::ostream& out);

    // run control and breakpoints (commands_run.cpp)
    void cmd_continue(Args&, std::ostream&);
    void cmd_step(Args&, std::ostream&);
    void cmd_next(Args&, std::ostream&);
    void cmd_until(Args&, std::ostream&);
    void cmd_finish(Args&, std::ostream&);
    void cmd_break(Args&, std::ostream&);
    void cmd_tbreak(Args&, std::ostream&);
    void cmd_pbreak(Args&, std::ostream&);
    void cmd_watch(Args&, std::ostream&);
    void cmd_break_on(Args&, std::ostream&);
    void cmd_delete(Args&, std::ostream&);
    void cmd_enable(Args&, std::ostream&);
    void cmd_disable(Args&, std::ostream&);
    void cmd_display(Args&, std::ostream&);
    void cmd_undisplay(Args&, std::ostream&);
    // registers and memory (commands_state.cpp)
    void cmd_cpu(Args&, std::ostream&);
    void cmd_regs(Args&, std::ostream&);
    void cmd_sregs(Args&, std::ostream&);
    void cmd_cregs(Args&, std::ostream&);
    void cmd_set(Args&, std::ostream&);
    void cmd_x(Args&, std::ostream&);
    void cmd_xp(Args&, std::ostream&);
    void cmd_write(Args&, std::ostream&);
    void cmd_print(Args&, std::ostream&);
    void cmd_assert(Args&, std::ostream&);
    void cmd_echo(Args&, std::ostream&);
    void examine(Space space, Args&, std::ostream&);
    // paging (commands_paging.cpp)
    void cmd_walk(Args&, std::ostream&);
    void cmd_tlb(Args&, std::ostream&);
    void cmd_aliases(Args&, std::ostream&);
    void info_map(MapMerge merge, Args&, std::ostream&);
    // code, symbols, kernel, log, statistics (commands_info.cpp)
    void cmd_info(Args&, std::ostream&);
    void cmd_disas(Args&, std::ostream&);
    void cmd_bt(Args&, std::ostream&);
    void cmd_sym(Args&, std::ostream&);
    void cmd_sym_file(Args&, std::ostream&);
    void cmd_pkmap(Args&, std::ostream&);
    void cmd_kmap_local(Args&, std::ostream&);
    void cmd_zones(Args&, std::ostream&);
    void cmd_stats(Args&, std::ostream&);
    void cmd_log(Args&, std::ostream&);
    void cmd_help(Args&, std::ostream&);
    // snapshots (commands_snapshot.cpp)
    void cmd_savevm(Args&, std::ostream&);
    void cmd_loadvm(Args&, std::ostream&);
    void cmd_reverse_stepi(Args&, std::ostream&);
    void cmd_reverse_continue(Args&, std::ostream&);
    void cmd_record(Args&, std::ostream&);
    void cmd_quit(Args&, std::ostream&);
    void list_breakpoints(std::ostream&);
    void print_disassembly(u32 at, unsigned n, Syntax syntax, std::ostream&);

    Debugger& d_;
    Syntax syntax_ = Syntax::Intel;
    std::vector<std::string> displays_;
    bool quit_ = false;
    bool in_display_ = false;
};

}  // namespace hm::dbg
