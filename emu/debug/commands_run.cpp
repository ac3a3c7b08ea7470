// Commands that run the machine and manage breakpoints, watchpoints and event
// breaks.
#include <cstdio>
#include <string>

#include "debug/command_args.hpp"
#include "debug/command_interpreter.hpp"

namespace hm::dbg {

namespace {
// 2^40 instructions: hours of guest time, far below what a negative number becomes.
constexpr u64 kMaxStepCount = u64{1} << 40;

std::string hex(u64 v, int width = 8) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%0*llx", width, static_cast<unsigned long long>(v));
    return b;
}

// "cpu K" at the end of a break command (gdb: `break ... thread N`).
int cpu_clause(CommandInterpreter::Args& a) {
    if (a.empty() || a.peek() != "cpu") return kAnyCpu;
    a.next("cpu");
    const std::string w = a.next("CPU number");
    if (w.empty() || w.size() > 2 || w.find_first_not_of("0123456789") != std::string::npos) {
        throw DebugError(a.command + ": expected a CPU number after 'cpu', got '" + w + "'");
    }
    return std::stoi(w);
}

std::string cpu_suffix(int cpu) { return cpu == kAnyCpu ? "" : " on cpu " + std::to_string(cpu); }

Space space_word(const std::string& w, const std::string& cmd) {
    if (w == "lin" || w == "linear" || w == "l") return Space::Linear;
    if (w == "phys" || w == "physical" || w == "p") return Space::Physical;
    throw DebugError(cmd + ": expected lin or phys, got '" + w + "'");
}
}  // namespace

void CommandInterpreter::cmd_continue(Args& a, std::ostream& out) {
    a.done();
    stopped(d_.cont(), out);
}

void CommandInterpreter::cmd_step(Args& a, std::ostream& out) {
    const u64 n = a.empty() ? 1 : eval(a.next("count"));
    a.done();
    // Arithmetic is 64-bit, so "-1" is 2^64-1: read as a count it would run to the end.
    if (n == 0 || n > kMaxStepCount) {
        throw DebugError("step: the count must be at least 1 and at most " + std::to_string(kMaxStepCount) + " (got " +
                         std::to_string(static_cast<i64>(n)) + ")");
    }
    const StopInfo s = d_.step(n);
    stopped(s, out);
    if (s.kind == StopKind::Step && n == 1) print_disassembly(s.pc, 1, syntax_, out);
}

void CommandInterpreter::cmd_next(Args& a, std::ostream& out) {
    a.done();
    const StopInfo s = d_.next();
    stopped(s, out);
    if (s.kind == StopKind::Step) print_disassembly(s.pc, 1, syntax_, out);
}

void CommandInterpreter::cmd_until(Args& a, std::ostream& out) {
    const u64 addr = eval(a.next("address"));
    a.done();
    if (addr > 0xFFFFFFFFu) throw DebugError("until: a linear address is 32 bits");
    stopped(d_.until(static_cast<u32>(addr)), out);
}

void CommandInterpreter::cmd_finish(Args& a, std::ostream& out) {
    a.done();
    stopped(d_.finish(), out);
}

void CommandInterpreter::cmd_break(Args& a, std::ostream& out) {
    const u64 addr = eval(a.next("address"));
    const int cpu = cpu_clause(a);
    a.done();
    const int id = d_.add_breakpoint(Space::Linear, addr, false, cpu);
    const std::string sym = d_.symbolize(static_cast<u32>(addr));
    out << "breakpoint " << id << " at linear " << hex(addr) << (sym.empty() ? "" : " <" + sym + ">")
        << cpu_suffix(cpu) << "\n";
}

void CommandInterpreter::cmd_tbreak(Args& a, std::ostream& out) {
    const u64 addr = eval(a.next("address"));
    const int cpu = cpu_clause(a);
    a.done();
    const int id = d_.add_breakpoint(Space::Linear, addr, true, cpu);
    out << "temporary breakpoint " << id << " at linear " << hex(addr) << cpu_suffix(cpu) << "\n";
}

void CommandInterpreter::cmd_pbreak(Args& a, std::ostream& out) {
    const u64 addr = eval(a.next("physical address"));
    const int cpu = cpu_clause(a);
    a.done();
    const int id = d_.add_breakpoint(Space::Physical, addr, false, cpu);
    out << "breakpoint " << id << " at physical " << hex(addr) << cpu_suffix(cpu) << "\n";
}

void CommandInterpreter::cmd_watch(Args& a, std::ostream& out) {
    const std::string kind = a.next("r, w or rw");
    WatchKind k;
    if (kind == "r") k = WatchKind::Read;
    else if (kind == "w") k = WatchKind::Write;
    else if (kind == "rw" || kind == "a") k = WatchKind::ReadWrite;
    else throw DebugError("watch: expected r, w or rw, got '" + kind + "'");
    const Space sp = space_word(a.next("lin or phys"), "watch");
    const u64 addr = eval(a.next("address"));
    const u64 len = a.empty() ? 4 : eval(a.next("length"));
    a.done();
    if (len > 0xFFFFFFFFu) throw DebugError("watch: length too large");
    const int id = d_.add_watchpoint(sp, addr, static_cast<u32>(len), k);
    out << "watchpoint " << id << ": " << watch_kind_name(k) << " " << space_name(sp) << " " << hex(addr) << " len " << len << "\n";
}

void CommandInterpreter::cmd_break_on(Args& a, std::ostream& out) {
    const std::string what = a.next("event (pf, exc, cr3, invlpg, flush, triple, io)");
    EventKind k;
    u32 arg = kAnyArg;
    if (what == "pf") k = EventKind::PageFault;
    else if (what == "exc") k = EventKind::Exception;
    else if (what == "cr3") k = EventKind::Cr3Write;
    else if (what == "invlpg") k = EventKind::Invlpg;
    else if (what == "flush") k = EventKind::TlbFlush;
    else if (what == "triple") k = EventKind::TripleFault;
    else if (what == "io") k = EventKind::PortIo;
    else throw DebugError("break-on: unknown event '" + what + "' (pf, exc, cr3, invlpg, flush, triple, io)");
    if ((k == EventKind::Exception || k == EventKind::PortIo) && !a.empty()) {
        const u64 v = eval(a.next("number"));
        if (v > 0xFFFF) throw DebugError("break-on: " + hex(v, 1) + " is out of range");
        arg = static_cast<u32>(v);
    }
    a.done();
    const int id = d_.add_event_break(k, arg);
    out << "event break " << id << ": " << event_kind_name(k);
    if (arg != kAnyArg) out << " " << (k == EventKind::PortIo ? hex(arg, 4) : std::to_string(arg));
    out << "\n";
}

void CommandInterpreter::cmd_delete(Args& a, std::ostream& out) {
    if (a.empty()) {
        d_.remove_all();
        out << "deleted every breakpoint, watchpoint and event break\n";
        return;
    }
    while (!a.empty()) {
        const u64 id = eval(a.next("id"));
        d_.remove(static_cast<int>(id));
        out << "deleted " << id << "\n";
    }
}

void CommandInterpreter::cmd_enable(Args& a, std::ostream&) {
    a.next("id");
    --a.pos;
    while (!a.empty()) d_.set_enabled(static_cast<int>(eval(a.next("id"))), true);
}

void CommandInterpreter::cmd_disable(Args& a, std::ostream&) {
    a.next("id");
    --a.pos;
    while (!a.empty()) d_.set_enabled(static_cast<int>(eval(a.next("id"))), false);
}

void CommandInterpreter::list_breakpoints(std::ostream& out) {
    if (d_.breakpoints().empty() && d_.watchpoints().empty() && d_.event_breaks().empty()) {
        out << "no breakpoints, watchpoints or event breaks\n";
        return;
    }
    out << "id  type        enabled  hits  where\n";
    char line[200];
    for (const Breakpoint& b : d_.breakpoints()) {
        const std::string sym = b.space == Space::Linear ? d_.symbolize(static_cast<u32>(b.addr)) : "";
        std::snprintf(line, sizeof line, "%-3d %-11s %-8s %5llu  %s %s%s%s\n", b.id, b.temporary ? "tbreak" : "break",
                      b.enabled ? "yes" : "no", static_cast<unsigned long long>(b.hits), space_name(b.space),
                      hex(b.addr).c_str(), sym.empty() ? "" : (" <" + sym + ">").c_str(), cpu_suffix(b.cpu).c_str());
        out << line;
    }
    for (const Watchpoint& w : d_.watchpoints()) {
        std::snprintf(line, sizeof line, "%-3d %-11s %-8s %5llu  %s %s len %u\n", w.id,
                      (std::string("watch ") + watch_kind_name(w.kind)).c_str(), w.enabled ? "yes" : "no",
                      static_cast<unsigned long long>(w.hits), space_name(w.space), hex(w.addr).c_str(), w.len);
        out << line;
    }
    for (const EventBreak& e : d_.event_breaks()) {
        std::string what = event_kind_name(e.kind);
        if (e.arg != kAnyArg) what += " " + (e.kind == EventKind::PortIo ? hex(e.arg, 4) : std::to_string(e.arg));
        std::snprintf(line, sizeof line, "%-3d %-11s %-8s %5llu  %s\n", e.id, "break-on", e.enabled ? "yes" : "no",
                      static_cast<unsigned long long>(e.hits), what.c_str());
        out << line;
    }
}

}  // namespace hm::dbg
