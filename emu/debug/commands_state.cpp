// Commands that show and change registers and memory, and the script helpers
// (print, assert).
#include <cstdio>
#include <sstream>

#include "debug/command_args.hpp"
#include "debug/command_interpreter.hpp"
#include "debug/debug_format.hpp"

namespace hm::dbg {

namespace {

std::string hex(u64 v, int width = 8) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%0*llx", width, static_cast<unsigned long long>(v));
    return b;
}

std::string eflags_text(u32 f) {
    static const struct {
        u32 bit;
        const char* name;
    } names[] = {{flag::CF, "CF"}, {flag::PF, "PF"}, {flag::AF, "AF"}, {flag::ZF, "ZF"}, {flag::SF, "SF"},
                 {flag::TF, "TF"}, {flag::IF, "IF"}, {flag::DF, "DF"}, {flag::OF, "OF"}, {flag::NT, "NT"},
                 {flag::RF, "RF"}, {flag::VM, "VM"}, {flag::AC, "AC"}, {flag::ID, "ID"}};
    std::string s;
    for (const auto& n : names) {
        if (f & n.bit) s += std::string(s.empty() ? "" : " ") + n.name;
    }
    s += std::string(s.empty() ? "" : " ") + "IOPL=" + std::to_string((f >> 12) & 3);
    return s;
}

std::string segment_text(const Segment& s) {
    if (s.attr & seg_attr::kUnusable) return "unusable (null selector)";
    std::string t;
    const u32 type = s.attr & seg_attr::kTypeMask;
    if (!(s.attr & seg_attr::kS)) {
        t = system_type_text(type);
    } else if (type & seg_attr::kCode) {
        t = std::string("code") + ((type & seg_attr::kReadable) ? " RX" : " X") + ((type & seg_attr::kConforming) ? " conforming" : "");
    } else {
        t = std::string("data") + ((type & seg_attr::kWritable) ? " RW" : " R") + ((type & seg_attr::kExpandDown) ? " expand-down" : "");
    }
    t += ", DPL " + std::to_string((s.attr & seg_attr::kDplMask) >> seg_attr::kDplShift);
    if (s.attr & seg_attr::kS) t += std::string(", ") + segment_width_text(s.attr);  // a system type names its width
    if (!(s.attr & seg_attr::kP)) t += ", not present";
    return t;
}

std::string bits_text(u64 v, std::initializer_list<std::pair<u64, const char*>> names) {
    std::string s;
    for (const auto& [bit, name] : names) {
        if (v & bit) s += std::string(s.empty() ? "" : " ") + name;
    }
    return s.empty() ? "-" : s;
}

}  // namespace

void CommandInterpreter::cmd_cpu(Args& a, std::ostream& out) {
    if (!a.words.empty()) {
        const std::string& w = a.words[0];
        unsigned n = 0;
        if (w.empty() || w.size() > 3 || w.find_first_not_of("0123456789") != std::string::npos) {
            throw DebugError("cpu " + w + ": expected a CPU number");
        }
        n = static_cast<unsigned>(std::stoul(w));
        a.words.erase(a.words.begin());
        a.done();
        d_.select_cpu(n);
    }
    Machine& m = d_.machine();
    for (unsigned i = 0; i < d_.cpu_count(); ++i) {
        const CpuState& s = m.cpu_state(i);
        out << (i == d_.selected_cpu() ? "* " : "  ") << "cpu " << i << "  apic " << unsigned{m.lapic(i).state().id}
            << "  " << (s.wait_for_sipi ? "waiting for SIPI" : s.halted ? "halted" : "running") << "  cs:eip "
            << hex(s.seg[sreg::CS].selector, 4) << ":" << hex(s.eip) << "  cycles " << s.cycles << "  instructions "
            << s.instructions << "\n";
    }
}

void CommandInterpreter::cmd_regs(Args& a, std::ostream& out) {
    a.done();
    const RegisterFile r = d_.registers();
    auto one = [&](Reg reg) {
        char b[48];
        std::snprintf(b, sizeof b, "%-6s 0x%08llx%c", reg_name(reg), static_cast<unsigned long long>(r.get(reg)),
                      r.was_changed(reg) ? '*' : ' ');
        return std::string(b);
    };
    for (unsigned i = 0; i < 8; ++i) out << one(static_cast<Reg>(i)) << ((i % 4 == 3) ? "\n" : "  ");
    const std::string sym = d_.symbolize(r.pc());
    out << one(Reg::EIP) << (sym.empty() ? "" : " <" + sym + ">") << "  " << one(Reg::EFLAGS) << " [" << eflags_text(r.eflags) << "]\n";
    if (d_.cpu_count() > 1) out << "cpu " << d_.selected_cpu() << "  ";
    out << "cs:eip " << hex(r.seg[sreg::CS].selector, 4) << ":" << hex(r.eip) << "  cpl " << unsigned{r.cpl}
        << "  paging " << paging_word(r.paging) << (r.halted ? "  halted" : "") << "  cycles " << r.cycles
        << "  instructions " << r.instructions << "\n";
}

void CommandInterpreter::cmd_sregs(Args& a, std::ostream& out) {
    a.done();
    const RegisterFile r = d_.registers();
    char b[200];
    auto line = [&](const char* name, const Segment& s, Reg reg) {
        std::snprintf(b, sizeof b, "%-4s 0x%04x%c base 0x%08x limit 0x%08x attr 0x%05x  %s\n", name, s.selector,
                      r.was_changed(reg) ? '*' : ' ', s.base, s.limit, s.attr, segment_text(s).c_str());
        out << b;
    };
    static const char* const names[] = {"es", "cs", "ss", "ds", "fs", "gs"};
    for (unsigned i = 0; i < 6; ++i) line(names[i], r.seg[i], static_cast<Reg>(static_cast<unsigned>(Reg::ES) + i));
    line("ldtr", r.ldtr, Reg::LDTR);
    line("tr", r.tr, Reg::TR);
    std::snprintf(b, sizeof b, "gdtr base 0x%08x limit 0x%04x\nidtr base 0x%08x limit 0x%04x\n", r.gdtr.base, r.gdtr.limit,
                  r.idtr.base, r.idtr.limit);
    out << b;
}

void CommandInterpreter::cmd_cregs(Args& a, std::ostream& out) {
    a.done();
    const RegisterFile r = d_.registers();
    auto mark = [&](Reg reg) { return r.was_changed(reg) ? "*" : " "; };
    out << "cr0  " << hex(r.cr.cr0) << mark(Reg::CR0) << " "
        << bits_text(r.cr.cr0, {{cr0::kPE, "PE"}, {cr0::kMP, "MP"}, {cr0::kEM, "EM"}, {cr0::kTS, "TS"}, {cr0::kET, "ET"},
                                {cr0::kNE, "NE"}, {cr0::kWP, "WP"}, {cr0::kAM, "AM"}, {cr0::kNW, "NW"}, {cr0::kCD, "CD"},
                                {cr0::kPG, "PG"}})
        << "\n";
    out << "cr2  " << hex(r.cr.cr2) << mark(Reg::CR2) << " (last page-fault address)\n";
    const bool pae = r.paging == PagingMode::Pae;
    out << "cr3  " << hex(r.cr.cr3) << mark(Reg::CR3) << " " << (pae ? "PDPT at " : "page directory at ")
        << hex(pae ? (r.cr.cr3 & 0xFFFFFFE0u) : (r.cr.cr3 & 0xFFFFF000u)) << " "
        << bits_text(r.cr.cr3, {{1u << 3, "PWT"}, {1u << 4, "PCD"}}) << "\n";
    out << "cr4  " << hex(r.cr.cr4) << mark(Reg::CR4) << " "
        << bits_text(r.cr.cr4, {{cr4::kVME, "VME"}, {cr4::kPVI, "PVI"}, {cr4::kTSD, "TSD"}, {cr4::kDE, "DE"},
                                {cr4::kPSE, "PSE"}, {cr4::kPAE, "PAE"}, {cr4::kMCE, "MCE"}, {cr4::kPGE, "PGE"},
                                {cr4::kPCE, "PCE"}})
        << "\n";
    out << "efer " << hex(r.cr.efer) << mark(Reg::EFER) << " " << bits_text(r.cr.efer, {{efer::kNXE, "NXE"}}) << "\n";
    out << "paging " << paging_word(r.paging) << "\n";
    for (unsigned i = 0; i < 4; ++i) out << "dr" << i << "  " << hex(r.dr[i]) << (i == 1 || i == 3 ? "\n" : "   ");
    out << "dr6  " << hex(r.dr[6]) << "   dr7  " << hex(r.dr[7]) << "\n";
}

void CommandInterpreter::cmd_set(Args& a, std::ostream& out) {
    const std::string what = a.next("register or setting");
    if (what == "syntax") {
        const std::string v = a.next("intel or att");
        a.done();
        if (v == "intel") syntax_ = Syntax::Intel;
        else if (v == "att") syntax_ = Syntax::Att;
        else throw DebugError("set syntax: intel or att, not '" + v + "'");
        return;
    }
    if (what == "log") {
        const std::string v = a.next("event kinds");
        a.done();
        u32 mask = 0;
        std::istringstream in(v);
        std::string k;
        while (std::getline(in, k, ',')) {
            if (k == "exc") mask |= log_mask::kException;
            else if (k == "int") mask |= log_mask::kInterrupt;
            else if (k == "walk") mask |= log_mask::kWalk;
            else if (k == "flush") mask |= log_mask::kFlush;
            else if (k == "io") mask |= log_mask::kIo;
            else if (k == "stale") mask |= log_mask::kStale;
            else if (k == "watch") mask |= log_mask::kWatch;
            else if (k == "all") mask |= log_mask::kAll;
            else if (k == "none") mask = 0;
            else if (k == "default") mask |= log_mask::kDefault;
            else throw DebugError("set log: unknown kind '" + k + "' (exc,int,walk,flush,io,stale,watch,all,none,default)");
        }
        d_.set_log_mask(mask);
        return;
    }
    if (what == "log-size") {
        const u64 n = eval(a.next("entries"));
        a.done();
        if (n == 0 || n > 1000000) throw DebugError("set log-size: 1 to 1000000 entries");
        d_.set_log_capacity(n);
        return;
    }
    if (what == "track-tables") {
        const std::string v = a.next("on or off");
        a.done();
        if (v != "on" && v != "off") throw DebugError("set track-tables: on or off");
        d_.set_page_table_tracking(v == "on");
        return;
    }
    const auto reg = reg_from_name(what);
    if (!reg) throw DebugError("set: no register or setting '" + what + "' (see: help set)");
    std::string v = a.next("value");
    if (v == "=") v = a.next("value");
    a.done();
    const u64 value = eval(v);
    d_.set_register(*reg, value);
    out << reg_name(*reg) << " = " << hex(d_.registers().get(*reg)) << "\n";
}

void CommandInterpreter::cmd_x(Args& a, std::ostream& out) { examine(Space::Linear, a, out); }
void CommandInterpreter::cmd_xp(Args& a, std::ostream& out) { examine(Space::Physical, a, out); }

void CommandInterpreter::examine(Space space, Args& a, std::ostream& out) {
    u64 count = 1;
    char fmt = 'x';
    unsigned unit = 4;
    if (!a.empty() && a.peek()[0] == '/') {
        const std::string f = a.next("format");
        size_t i = 1;
        if (i < f.size() && std::isdigit(static_cast<unsigned char>(f[i]))) {
            count = 0;
            while (i < f.size() && std::isdigit(static_cast<unsigned char>(f[i]))) count = count * 10 + static_cast<u64>(f[i++] - '0');
        }
        for (; i < f.size(); ++i) {
            switch (f[i]) {
                case 'x': case 'd': case 'u': case 'c': case 's': case 'i': fmt = f[i]; break;
                case 'b': unit = 1; break;
                case 'h': unit = 2; break;
                case 'w': unit = 4; break;
                case 'g': unit = 8; break;
                default: throw DebugError(a.command + ": unknown format letter '" + std::string(1, f[i]) + "' in " + f + " (N, then x d u c s i, then b h w g)");
            }
        }
    }
    const u64 addr = eval(a.next("address"));
    a.done();
    if (count == 0 || count > 65536) throw DebugError(a.command + ": count must be 1 to 65536");
    if (fmt == 'i') {
        if (space == Space::Physical) throw DebugError("xp: /i needs a linear address (use x /i or disas)");
        if (addr > 0xFFFFFFFFu) throw DebugError("x: a linear address is 32 bits");
        print_disassembly(static_cast<u32>(addr), static_cast<unsigned>(count), syntax_, out);
        return;
    }
    if (fmt == 'c') unit = 1;
    if (fmt == 's') {
        u64 at = addr;
        for (u64 n = 0; n < count; ++n) {
            MemoryBytes m = d_.read_memory(space, at, 256);
            std::string s;
            size_t i = 0;
            for (; i < m.bytes.size() && m.valid[i] && m.bytes[i]; ++i) s += static_cast<char>(m.bytes[i]);
            if (i < m.bytes.size() && !m.valid[i]) {
                if (i == 0) throw DebugError(m.error);
            }
            out << hex(at) << ": \"";
            for (char c : s) {
                if (c == '"' || c == '\\') out << '\\' << c;
                else if (std::isprint(static_cast<unsigned char>(c))) out << c;
                else {
                    char e[8];
                    std::snprintf(e, sizeof e, "\\x%02x", static_cast<unsigned char>(c));
                    out << e;
                }
            }
            out << "\"\n";
            at += i + 1;
        }
        return;
    }
    const u64 bytes = count * unit;
    const MemoryBytes m = d_.read_memory(space, addr, static_cast<u32>(bytes));
    if (!m.valid.empty() && !m.valid[0]) throw DebugError(m.error);
    const unsigned per_line = fmt == 'c' ? 16 : (16 / unit);
    const std::string sp = space == Space::Physical ? "p " : "";
    for (u64 n = 0; n < count; ++n) {
        const u64 at = addr + n * unit;
        if (n % per_line == 0) {
            if (n) out << "\n";
            out << sp << hex(at) << (fmt == 'c' ? ": " : ":");  // characters run together, as in a hexdump
        }
        bool ok = true;
        u64 v = 0;
        for (unsigned k = 0; k < unit; ++k) {
            ok = ok && m.valid[n * unit + k];
            v |= u64{m.bytes[n * unit + k]} << (8 * k);
        }
        char cell[40];
        if (!ok) {
            std::snprintf(cell, sizeof cell, fmt == 'c' ? "?" : " %s", std::string(unit * 2 + 2, '?').c_str());
        } else if (fmt == 'x') {
            std::snprintf(cell, sizeof cell, " 0x%0*llx", static_cast<int>(unit * 2), static_cast<unsigned long long>(v));
        } else if (fmt == 'u') {
            std::snprintf(cell, sizeof cell, " %llu", static_cast<unsigned long long>(v));
        } else if (fmt == 'd') {
            const unsigned shift = 64 - unit * 8;
            const long long sv = static_cast<long long>(v << shift) >> shift;
            std::snprintf(cell, sizeof cell, " %lld", sv);
        } else {  // 'c'
            std::snprintf(cell, sizeof cell, "%c", std::isprint(static_cast<int>(v)) ? static_cast<int>(v) : '.');
        }
        out << cell;
    }
    out << "\n";
    if (!m.all_valid()) out << "(" << m.error << ")\n";
}

void CommandInterpreter::cmd_write(Args& a, std::ostream& out) {
    const std::string w = a.next("lin or phys");
    Space sp;
    if (w == "lin" || w == "linear") sp = Space::Linear;
    else if (w == "phys" || w == "physical") sp = Space::Physical;
    else throw DebugError("write: expected lin or phys, got '" + w + "'");
    const u64 addr = eval(a.next("address"));
    const u64 value = eval(a.next("value"));
    const u64 size = a.empty() ? 4 : eval(a.next("size"));
    a.done();
    if (size != 1 && size != 2 && size != 4 && size != 8) throw DebugError("write: size is 1, 2, 4 or 8");
    if (size < 8 && (value >> (8 * size)) != 0) throw DebugError("write: " + hex(value, 1) + " does not fit in " + std::to_string(size) + " bytes");
    std::vector<u8> bytes(size);
    for (u64 i = 0; i < size; ++i) bytes[i] = static_cast<u8>(value >> (8 * i));
    d_.write_memory(sp, addr, bytes);
    out << "wrote " << hex(value, static_cast<int>(size * 2)) << " at " << space_name(sp) << " " << hex(addr) << "\n";
}

void CommandInterpreter::cmd_print(Args& a, std::ostream& out) {
    const std::string e = a.rest();
    const u64 v = eval(e);
    out << e << " = " << hex(v, 1) << " (" << v << ")";
    if (v <= 0xFFFFFFFFu) {
        const std::string sym = d_.symbolize(static_cast<u32>(v));
        if (!sym.empty()) out << " <" << sym << ">";
    }
    out << "\n";
}

void CommandInterpreter::cmd_assert(Args& a, std::ostream& out) {
    const std::string lhs = a.next("expression");
    if (a.empty()) {
        const u64 v = eval(lhs);
        if (v == 0) throw DebugError("assertion failed: " + lhs + " is 0");
        out << "ok: " << lhs << " = " << hex(v, 1) << "\n";
        return;
    }
    const std::string op = a.next("comparison");
    const std::string rhs = a.next("expression");
    a.done();
    const u64 l = eval(lhs), r = eval(rhs);
    bool ok;
    if (op == "==") ok = l == r;
    else if (op == "!=") ok = l != r;
    else if (op == "<") ok = l < r;
    else if (op == "<=") ok = l <= r;
    else if (op == ">") ok = l > r;
    else if (op == ">=") ok = l >= r;
    else throw DebugError("assert: unknown comparison '" + op + "' (== != < <= > >=)");
    const std::string text = lhs + " " + op + " " + rhs + " (" + hex(l, 1) + " vs " + hex(r, 1) + ")";
    if (!ok) throw DebugError("assertion failed: " + text);
    out << "ok: " << text << "\n";
}

}  // namespace hm::dbg
