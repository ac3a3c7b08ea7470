#include "debug/gdb_server.hpp"

#include <cstdio>
#include <sstream>

#include "debug/debug_format.hpp"
#include "debug/gdb_x87.hpp"

namespace hm::dbg {

namespace {

// gdb's i386 register numbers: the core feature (general registers, segment
// selectors, then the x87 registers, gdb_x87.hpp), then hm386's system registers.
constexpr unsigned kNumCore = 32;
constexpr unsigned kFirstX87 = 16, kFirstX87Control = 24;
constexpr Reg kCoreRegs[16] = {Reg::EAX, Reg::ECX, Reg::EDX, Reg::EBX, Reg::ESP, Reg::EBP, Reg::ESI, Reg::EDI,
                               Reg::EIP, Reg::EFLAGS, Reg::CS, Reg::SS, Reg::DS, Reg::ES, Reg::FS, Reg::GS};
constexpr Reg kSysRegs[] = {Reg::CR0, Reg::CR2, Reg::CR3, Reg::CR4, Reg::EFER};
constexpr unsigned kNumRegs = kNumCore + std::size(kSysRegs);

static_assert(kFirstX87 + kGdbX87Count == kNumCore && kFirstX87Control == kFirstX87 + 8);

unsigned reg_size(unsigned n) {
    if (n >= kFirstX87 && n < kNumCore) return gdb_x87_size(n - kFirstX87);
    if (n == kNumCore + 4) return 8;  // EFER
    return 4;
}

std::optional<u64> parse_hex(const std::string& s) {
    if (s.empty() || s.size() > 16) return std::nullopt;
    u64 v = 0;
    for (char c : s) {
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return std::nullopt;
        v = v * 16 + static_cast<u64>(d);
    }
    return v;
}

u64 le_value(const std::vector<u8>& b) {
    u64 v = 0;
    for (size_t i = 0; i < b.size() && i < 8; ++i) v |= u64{b[i]} << (8 * i);
    return v;
}

// Commands that run the machine would leave gdb's view of the target stale.
bool runs_machine(const std::string& line) {
    std::istringstream in(line);
    std::string w;
    in >> w;
    for (const char* c : {"c", "cont", "continue", "s", "si", "stepi", "step", "n", "ni", "nexti", "next", "until", "finish",
                          "reverse-stepi", "rsi", "reverse-continue", "rc"}) {
        if (w == c) return true;
    }
    return false;
}

}  // namespace

GdbServer::GdbServer(Debugger& d) : d_(d), cli_(d) {}

GdbServer::End GdbServer::serve(std::optional<std::chrono::steady_clock::time_point> deadline) {
    conn_.set_deadline(deadline);
    try {
        if (!conn_.connected()) conn_.accept();
        last_ = d_.last_stop();
        for (;;) {
            auto p = conn_.read_packet();
            if (!p) return End::Disconnected;
            if (!handle(*p) || end_ == End::TimedOut) return end_;
        }
    } catch (const RspDeadlineReached&) {
        return End::TimedOut;
    }
}

bool GdbServer::handle(const std::string& p) {
    if (p == "\x03") {  // ^C while stopped: report the stop again
        char b[32];
        std::snprintf(b, sizeof b, "T02thread:%02x;", d_.selected_cpu() + 1);
        conn_.send(b);
        return true;
    }
    const char c = p[0];
    auto reply = [&](const std::string& r) { conn_.send(r); };
    switch (c) {
        case '?': reply(stop_reply(last_)); return true;
        case 'g': reply(read_registers()); return true;
        case 'G': reply(write_registers(p.substr(1)) ? "OK" : "E01"); return true;
        case 'p': {
            auto n = parse_hex(p.substr(1));
            reply(n && *n < kNumRegs ? read_register(static_cast<unsigned>(*n)) : "E01");
            return true;
        }
        case 'P': {
            const size_t eq = p.find('=');
            auto n = eq == std::string::npos ? std::nullopt : parse_hex(p.substr(1, eq - 1));
            reply(n && *n < kNumRegs && write_register(static_cast<unsigned>(*n), p.substr(eq + 1)) ? "OK" : "E01");
            return true;
        }
        case 'm': reply(read_memory(p.substr(1))); return true;
        case 'M':
        case 'X': {
            const size_t comma = p.find(','), colon = p.find(':');
            if (comma == std::string::npos || colon == std::string::npos || colon < comma) {
                reply("E01");
                return true;
            }
            auto addr = parse_hex(p.substr(1, comma - 1));
            auto len = parse_hex(p.substr(comma + 1, colon - comma - 1));
            std::vector<u8> bytes;
            if (c == 'M') {
                auto b = from_hex(p.substr(colon + 1));
                if (!b) {
                    reply("E01");
                    return true;
                }
                bytes = *b;
            } else {
                bytes = unescape_binary(p.substr(colon + 1));
            }
            if (!addr || !len || bytes.size() != *len) {
                reply("E01");
                return true;
            }
            reply(bytes.empty() || write_memory(*addr, bytes) ? "OK" : "E14");
            return true;
        }
        case 'b':
            if (p == "bs" || p == "bc") {
                reverse(p == "bc");
                return true;
            }
            reply("");
            return true;
        case 'c': resume(false); return true;
        case 's': resume(true); return true;
        case 'Z':
        case 'z': reply(breakpoint(c == 'Z', p.substr(1))); return true;
        case 'k':
            end_ = End::Killed;
            return false;
        case 'D':
            reply("OK");
            end_ = End::Detached;
            return false;
        // Threads are CPUs (-smp N): thread id = CPU index + 1. Hg selects the CPU
        // whose registers and linear memory gdb sees; Hc the one a step counts
        // (the machine always runs every CPU, in its fixed order).
        case 'H': {
            const long t = p.size() > 1 ? thread_id(p.substr(2)) : -2;
            const bool any = t == 0 || t == -1;
            if (p.size() < 2 || (p[1] != 'g' && p[1] != 'c') ||
                (!any && (t < 1 || t > static_cast<long>(d_.cpu_count())))) {
                reply("E01");
            } else if (p[1] == 'g') {
                if (!any) d_.select_cpu(static_cast<unsigned>(t - 1));
                reply("OK");
            } else {
                hc_thread_ = any ? 0 : t;
                reply("OK");
            }
            return true;
        }
        case 'T': {
            const long t = thread_id(p.substr(1));
            reply(t >= 1 && t <= static_cast<long>(d_.cpu_count()) ? "OK" : "E01");
            return true;
        }
        default: break;
    }
    if (p.rfind("qSupported", 0) == 0) {
        reply("PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+;ReverseStep+;ReverseContinue+");
    } else if (p == "QStartNoAckMode") {
        reply("OK");
        conn_.set_no_ack(true);
    } else if (p.rfind("qXfer:features:read:", 0) == 0) {
        reply(xfer_features(p.substr(20)));
    } else if (p == "qAttached") {
        reply("1");
    } else if (p == "qC") {
        char b[16];
        std::snprintf(b, sizeof b, "QC%02x", d_.selected_cpu() + 1);
        reply(b);
    } else if (p == "qfThreadInfo") {
        std::string ids = "m";
        for (unsigned i = 0; i < d_.cpu_count(); ++i) {
            char b[16];
            std::snprintf(b, sizeof b, "%s%02x", i ? "," : "", i + 1);
            ids += b;
        }
        reply(ids);
    } else if (p.rfind("qThreadExtraInfo,", 0) == 0) {
        const long t = thread_id(p.substr(17));
        if (t < 1 || t > static_cast<long>(d_.cpu_count())) {
            reply("E01");
        } else {
            const CpuState& s = d_.machine().cpu_state(static_cast<unsigned>(t - 1));
            reply(to_hex("CPU " + std::to_string(t - 1) +
                         (s.wait_for_sipi ? " (waiting for SIPI)" : s.halted ? " (halted)" : "")));
        }
    } else if (p == "qsThreadInfo") {
        reply("l");
    } else if (p.rfind("qRcmd,", 0) == 0) {
        reply(monitor(p.substr(6)));
    } else if (p == "vCont?") {
        reply("vCont;c;C;s;S");
    } else if (p.rfind("vCont;", 0) == 0) {
        if (!vcont(p.substr(6))) reply("E01");
    } else if (p.rfind("vKill", 0) == 0) {
        reply("OK");
        end_ = End::Killed;
        return false;
    } else if (p.rfind("Qqemu.PhyMemMode:", 0) == 0) {
        phys_mode_ = p.back() == '1';
        reply("OK");
    } else if (p == "qqemu.PhyMemMode") {
        reply(phys_mode_ ? "1" : "0");
    } else if (p.rfind("qSymbol", 0) == 0) {
        reply("OK");
    } else {
        reply("");  // not supported: gdb falls back
    }
    return true;
}

// Every CPU runs whatever the actions say (the machine's round-robin is one
// schedule), so the actions decide only what is counted: a step (s/S) of
// thread T steps CPU T-1 (the others run alongside, as gdb's non-stop-less
// "vCont;s:T;c" asks); c/C alone continues. Only the actions vCont? offers are
// valid; anything else (t, r, a typo, an unknown thread) is an error, never a
// silent continue.
bool GdbServer::vcont(const std::string& actions) {
    bool step = false, cont = false;
    long step_thread = kCurrent;
    size_t at = 0;
    while (at <= actions.size()) {
        const size_t semi = std::min(actions.find(';', at), actions.size());
        const std::string act = actions.substr(at, semi - at);
        at = semi + 1;
        if (act.empty()) return false;
        const char a = act[0];
        // C and S carry a signal number before the thread: "S05:2".
        const size_t colon = act.find(':');
        long t = kCurrent;
        if (colon != std::string::npos) {
            t = thread_id(act.substr(colon + 1));
            if (t == -1 || t == 0) t = kCurrent;
            else if (t < 1 || t > static_cast<long>(d_.cpu_count())) return false;
        }
        if (a == 's' || a == 'S') {
            if (act.size() > 1 && act[1] != ':' && a == 's') return false;
            if (!step) step_thread = t;  // the first step action decides
            step = true;
        } else if (a == 'c' || a == 'C') {
            if (act.size() > 1 && act[1] != ':' && a == 'c') return false;
            cont = true;
        } else {
            return false;
        }
    }
    if (!step && !cont) return false;
    resume(step, step ? (step_thread == kCurrent ? kCurrent : step_thread - 1) : kCurrent);
    return true;
}

void GdbServer::resume(bool step, long step_cpu) {
    // Run in slices so that a ^C from gdb is seen within a few milliseconds.
    const u64 slice = std::max<u64>(d_.machine().stats().cpu_hz / 200, 10000);
    StopInfo s;
    if (step) {
        // The CPU counted: the action's thread, else Hc's, else the selected one.
        if (step_cpu == kCurrent && hc_thread_ > 0) step_cpu = hc_thread_ - 1;
        if (step_cpu != kCurrent) d_.select_cpu(static_cast<unsigned>(step_cpu));
        s = d_.step(1);
    } else {
        for (;;) {
            s = d_.cont(slice);
            if (s.kind != StopKind::Budget) break;
            bool hung_up = false;
            if (conn_.poll_interrupt(hung_up)) {
                d_.interrupt();
                s = d_.cont(1);  // consumes the request: an Interrupted stop at once
                if (s.kind == StopKind::Budget) s.kind = StopKind::Interrupted;
                break;
            }
            if (hung_up) {
                end_ = End::Disconnected;
                return;
            }
            if (conn_.deadline_passed()) {
                end_ = End::TimedOut;
                return;
            }
        }
    }
    last_ = s;  // the debugger has selected the CPU that stopped: the stop names its thread
    // Say what happened in gdb's console for stops gdb has no words for.
    if (s.kind == StopKind::Event || s.kind == StopKind::Shutdown || s.kind == StopKind::Hang) {
        conn_.send("O" + to_hex("hm386: " + s.message + "\n"));
    }
    conn_.send(stop_reply(s));
}

// bs / bc: gdb's reverse-stepi and reverse-continue (docs/debugger.md). Where
// there is nothing before (the start of the recording), gdb is told so with the
// replaylog:begin stop reason ("No more reverse-execution history.").
void GdbServer::reverse(bool to_hit) {
    d_.select_cpu(0);
    StopInfo s;
    try {
        s = to_hit ? d_.reverse_continue() : d_.reverse_step();
    } catch (const DebugError& e) {
        if (std::string(e.what()).find("no checkpoint before") == std::string::npos || !d_.recording()) {
            conn_.send("O" + to_hex("hm386: " + std::string(e.what()) + "\n"));
            conn_.send("E01");
            return;
        }
        s = d_.last_stop();
        s.history_start = true;
    }
    last_ = s;
    if (s.history_start) {
        conn_.send("T05replaylog:begin;thread:01;");
        return;
    }
    conn_.send(stop_reply(s));
}

long GdbServer::thread_id(const std::string& text) {
    if (text == "-1") return -1;
    if (text.empty() || text.size() > 8 || text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) return -2;
    return std::stol(text, nullptr, 16);
}

std::string GdbServer::stop_reply(const StopInfo& s) {
    char b[96];
    char thread[24];
    std::snprintf(thread, sizeof thread, "thread:%02x;", s.cpu + 1);
    switch (s.kind) {
        case StopKind::Exited:
            std::snprintf(b, sizeof b, "W%02x", s.exit_status & 0xFF);
            return b;
        case StopKind::Shutdown: return "W7a";  // 122, hm386's status for a shutdown
        case StopKind::Hang: return "W7b";      // 123
        case StopKind::Interrupted: return std::string("T02") + thread;
        case StopKind::Breakpoint: return std::string("T05swbreak:;") + thread;
        case StopKind::Watchpoint: {
            const WatchHit& w = *s.watch;
            const char* kind = "awatch";
            for (const Watchpoint& wp : d_.watchpoints()) {
                if (wp.id != w.id) continue;
                kind = wp.kind == WatchKind::Write ? "watch" : wp.kind == WatchKind::Read ? "rwatch" : "awatch";
                // gdb matches the address against its watchpoint's range.
                const u64 at = wp.space == Space::Linear ? w.linear : w.phys;
                const u64 addr = std::max<u64>(at, wp.addr);
                std::snprintf(b, sizeof b, "T05%s:%llx;%s", kind, static_cast<unsigned long long>(addr), thread);
                return b;
            }
            return std::string("T05") + thread;
        }
        default: return std::string("T05") + thread;
    }
}

std::string GdbServer::read_registers() {
    std::string out;
    for (unsigned n = 0; n < kNumCore; ++n) out += read_register(n);
    return out;
}

std::string GdbServer::read_register(unsigned n) {
    const RegisterFile r = d_.registers();
    if (n < kFirstX87) return le_hex(r.get(kCoreRegs[n]), 4);
    if (n < kNumCore) return gdb_x87_read(d_.machine().cpu_state(d_.selected_cpu()).fpu, n - kFirstX87);
    return le_hex(r.get(kSysRegs[n - kNumCore]), reg_size(n));
}

bool GdbServer::write_register(unsigned n, const std::string& hex) {
    auto b = from_hex(hex);
    if (!b || b->size() != reg_size(n)) return false;
    if (n >= kFirstX87 && n < kNumCore) return gdb_x87_write(d_.machine().cpu_state(d_.selected_cpu()).fpu, n - kFirstX87, *b);
    const Reg r = n < kFirstX87 ? kCoreRegs[n] : kSysRegs[n - kNumCore];
    try {
        d_.set_register(r, le_value(*b));
        return true;
    } catch (const DebugError&) {
        return false;
    }
}

bool GdbServer::write_registers(const std::string& hex) {
    size_t at = 0;
    for (unsigned n = 0; n < kNumCore && at < hex.size(); ++n) {
        const size_t len = reg_size(n) * 2;
        if (at + len > hex.size()) return false;
        if (!write_register(n, hex.substr(at, len))) return false;
        at += len;
    }
    return true;
}

std::string GdbServer::read_memory(const std::string& args) {
    const size_t comma = args.find(',');
    if (comma == std::string::npos) return "E01";
    auto addr = parse_hex(args.substr(0, comma));
    auto len = parse_hex(args.substr(comma + 1));
    if (!addr || !len || *len > 0x10000) return "E01";
    const Space sp = phys_mode_ ? Space::Physical : Space::Linear;
    const MemoryBytes m = d_.read_memory(sp, *addr, static_cast<u32>(*len));
    size_t ok = 0;
    while (ok < m.valid.size() && m.valid[ok]) ++ok;
    if (ok == 0 && *len) return "E14";
    return to_hex(m.bytes.data(), ok);  // gdb accepts a shorter reply
}

bool GdbServer::write_memory(u64 addr, const std::vector<u8>& bytes) {
    try {
        d_.write_memory(phys_mode_ ? Space::Physical : Space::Linear, addr, bytes);
        return true;
    } catch (const DebugError&) {
        return false;
    }
}

std::string GdbServer::breakpoint(bool insert, const std::string& args) {
    // TYPE,ADDR,KIND
    const size_t c1 = args.find(','), c2 = args.find(',', c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos) return "E01";
    const auto type = parse_hex(args.substr(0, c1));
    const auto addr = parse_hex(args.substr(c1 + 1, c2 - c1 - 1));
    const auto kind = parse_hex(args.substr(c2 + 1, args.find(';', c2) - c2 - 1));
    if (!type || !addr || !kind || *type > 4) return "E01";
    try {
        if (*type <= 1) {  // software and hardware breakpoints are the same here
            if (insert) d_.add_breakpoint(Space::Linear, *addr);
            else if (!d_.remove_breakpoint_at(Space::Linear, *addr)) return "E01";
            return "OK";
        }
        const WatchKind wk = *type == 2 ? WatchKind::Write : *type == 3 ? WatchKind::Read : WatchKind::ReadWrite;
        if (*kind == 0 || *kind > 0xFFFFFFFFu) return "E01";
        if (insert) d_.add_watchpoint(Space::Linear, *addr, static_cast<u32>(*kind), wk);
        else if (!d_.remove_watchpoint_at(Space::Linear, *addr, static_cast<u32>(*kind), wk)) return "E01";
        return "OK";
    } catch (const DebugError&) {
        return "E01";
    }
}

std::string GdbServer::xfer_features(const std::string& args) {
    // target.xml:OFFSET,LENGTH
    const size_t colon = args.find(':');
    if (colon == std::string::npos || args.substr(0, colon) != "target.xml") return "E00";
    const std::string range = args.substr(colon + 1);
    const size_t comma = range.find(',');
    if (comma == std::string::npos) return "E01";
    const auto off = parse_hex(range.substr(0, comma));
    const auto len = parse_hex(range.substr(comma + 1));
    if (!off || !len) return "E01";
    const std::string& xml = gdb_target_xml();
    if (*off >= xml.size()) return "l";
    const std::string part = xml.substr(*off, *len);
    return (*off + part.size() >= xml.size() ? "l" : "m") + part;
}

std::string GdbServer::monitor(const std::string& hex) {
    auto b = from_hex(hex);
    if (!b) return "E01";
    const std::string line(b->begin(), b->end());
    std::string text;
    if (runs_machine(line)) {
        text = "error: run the machine with gdb's own commands (continue, stepi, ...), not monitor\n";
    } else {
        text = cli_.execute(line).output;
        if (text.empty()) text = "\n";
    }
    // Console output in pieces that fit a packet.
    for (size_t at = 0; at < text.size(); at += 1000) conn_.send("O" + to_hex(text.substr(at, 1000)));
    return "OK";
}

}  // namespace hm::dbg
