// Commands that explain paging: one address's walk, the TLBs, the page-table
// tree as ranges (info mem / info tlb) with filters, and the alias finder.
#include <cstdio>

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

std::string size_text(u8 log2) { return log2 == 12 ? "4 KiB" : log2 == 21 ? "2 MiB" : log2 == 22 ? "4 MiB" : "?"; }

std::string rights_text(bool w, bool u, bool nx, bool g) {
    std::string s;
    s += u ? 'u' : 's';
    s += 'r';
    s += w ? 'w' : '-';
    s += nx ? '-' : 'x';
    if (g) s += " G";
    return s;
}

std::string tlb_line(const TlbEntryView& e) {
    char b[160];
    std::snprintf(b, sizeof b, "%s 0x%08x -> 0x%09llx %s set %u way %u%s%s%s", e.tlb == TlbKind::Instruction ? "ITLB" : "DTLB",
                  e.lin_base, static_cast<unsigned long long>(e.frame), size_text(e.page_size_log2).c_str(), e.set, e.way,
                  (" " + rights_text(e.writable, e.user, e.nx, e.global)).c_str(), e.dirty ? " D" : "",
                  e.matches_memory ? ", matches memory" : ", STALE: memory no longer says this");
    return b;
}

}  // namespace

void CommandInterpreter::cmd_walk(Args& a, std::ostream& out) {
    const u64 addr = eval(a.next("linear address"));
    Access acc = Access::Read;
    Priv priv = Priv::Supervisor;
    while (!a.empty()) {
        const std::string w = a.next("option");
        if (w == "r" || w == "read") acc = Access::Read;
        else if (w == "w" || w == "write") acc = Access::Write;
        else if (w == "x" || w == "exec" || w == "fetch") acc = Access::Execute;
        else if (w == "user" || w == "u") priv = Priv::User;
        else if (w == "sup" || w == "supervisor" || w == "kernel" || w == "s") priv = Priv::Supervisor;
        else throw DebugError("walk: unknown option '" + w + "' (r|w|x, user|sup)");
    }
    if (addr > 0xFFFFFFFFu) throw DebugError("walk: a linear address is 32 bits (" + hex(addr, 1) + ")");
    const WalkView v = d_.walk(static_cast<u32>(addr), acc, priv);
    const RegisterFile r = d_.registers();
    out << "walk " << hex(v.linear) << " (" << access_name(acc) << ", " << (priv == Priv::User ? "user" : "supervisor")
        << "), " << (v.mode == PagingMode::None ? "paging off" : std::string(paging_mode_name(v.mode)) + " paging") << ", cr3 "
        << hex(r.cr.cr3) << "\n";
    if (v.mode == PagingMode::None) {
        out << "  paging is off: physical " << hex(v.phys) << " (linear, with A20 applied)\n";
        return;
    }
    for (const WalkLevel& l : v.levels) {
        char b[200];
        std::snprintf(b, sizeof b, "  %-5s[%4u] %s 0x%09llx = 0x%0*llx  %s", l.name, l.index, l.from_register ? "reg " : "at  ",
                      static_cast<unsigned long long>(l.entry_addr), v.mode == PagingMode::Pae ? 16 : 8,
                      static_cast<unsigned long long>(l.value), l.bits.text.c_str());
        out << b;
        if (l.bits.present) out << "  " << walk_target_text(l);
        if (l.sets_accessed || l.sets_dirty) out << "  (a real walk sets" << (l.sets_accessed ? " A" : "") << (l.sets_dirty ? " D" : "") << ")";
        out << "\n";
    }
    if (v.ok) {
        out << "  => physical " << hex(v.phys, 9) << " (" << size_text(v.page_size_log2) << " page, "
            << rights_text(v.writable, v.user, v.nx, v.global) << ")\n";
    } else {
        out << "  => " << v.fault << "\n";
        if (v.mapped) out << "     (the page is mapped at " << hex(v.phys, 9) << ", but not for this access)\n";
    }
    out << "  " << (v.itlb ? tlb_line(*v.itlb) : std::string("ITLB: no entry")) << "\n";
    out << "  " << (v.dtlb ? tlb_line(*v.dtlb) : std::string("DTLB: no entry")) << "\n";
}

void CommandInterpreter::cmd_tlb(Args& a, std::ostream& out) {
    const bool stale_only = a.flag("--stale");
    bool want_i = true, want_d = true;
    if (!a.empty()) {
        const std::string w = a.next("i or d");
        if (w == "i") want_d = false;
        else if (w == "d") want_i = false;
        else throw DebugError("tlb: expected i or d, got '" + w + "'");
    }
    a.done();
    const MmuStats st = d_.machine().mmu(d_.selected_cpu()).stats();  // the selected CPU's TLBs
    for (TlbKind k : {TlbKind::Instruction, TlbKind::Data}) {
        if ((k == TlbKind::Instruction && !want_i) || (k == TlbKind::Data && !want_d)) continue;
        const auto entries = d_.tlb(k);
        const TlbStats& s = k == TlbKind::Instruction ? st.itlb : st.dtlb;
        unsigned stale = 0;
        for (const auto& e : entries) stale += !e.matches_memory;
        out << (k == TlbKind::Instruction ? "ITLB" : "DTLB") << ": " << count_text(entries.size(), "entry", "entries") << ", " << stale
            << " stale; lookups " << s.lookups << ", hits " << s.hits << ", misses " << s.misses << "\n";
        for (const auto& e : entries) {
            if (stale_only && e.matches_memory) continue;
            const std::string sym = d_.symbolize(e.lin_base);
            out << "  " << tlb_line(e) << "\n";
        }
    }
}

void CommandInterpreter::cmd_aliases(Args& a, std::ostream& out) {
    const u64 phys = eval(a.next("physical address"));
    a.done();
    const auto v = d_.aliases(phys);
    out << "physical page " << hex(phys & ~u64{0xFFF}, 9) << " is mapped at " << v.size() << " linear page" << (v.size() == 1 ? "" : "s")
        << (v.empty() ? "" : ":") << "\n";
    for (u32 lin : v) {
        const std::string sym = d_.symbolize(lin);
        out << "  " << hex(lin) << (sym.empty() ? "" : " <" + sym + ">") << "\n";
    }
}

void CommandInterpreter::info_map(MapMerge merge, Args& a, std::ostream& out) {
    MapFilter f;
    if (a.flag("--writable") || a.flag("-w")) f.writable = true;
    if (a.flag("--ro")) f.writable = false;
    if (a.flag("--user") || a.flag("-u")) f.user = true;
    if (a.flag("--kernel") || a.flag("--supervisor")) f.user = false;
    if (a.flag("--exec") || a.flag("-x")) f.executable = true;
    if (a.flag("--nx")) f.executable = false;
    if (a.flag("--global")) f.global = true;
    if (a.flag("--nonglobal")) f.global = false;
    if (auto p = a.option("--phys")) f.phys_page = eval(*p);
    if (auto it = std::find(a.words.begin() + static_cast<std::ptrdiff_t>(a.pos), a.words.end(), std::string("--range"));
        it != a.words.end()) {
        if (a.words.end() - it < 3) throw DebugError("info: --range needs LO and HI");
        const u64 lo = eval(*(it + 1)), hi = eval(*(it + 2));
        if (lo > 0xFFFFFFFFu || hi > (u64{1} << 32) || hi <= lo) throw DebugError("info: --range LO HI needs LO < HI <= 0x100000000");
        f.lo = static_cast<u32>(lo);
        f.hi = hi;
        a.words.erase(it, it + 3);
    }
    a.done();
    if (d_.registers().paging == PagingMode::None) {
        out << "paging is off: every linear address is the physical address (A20 applied)\n";
        return;
    }
    const auto ranges = d_.page_map(f, merge);
    u64 pages = 0;
    for (const PageRange& r : ranges) {
        char b[200];
        if (merge == MapMerge::None) {
            std::snprintf(b, sizeof b, "0x%08x -> 0x%09llx %-5s %s%s%s%s\n", r.lin_start,
                          static_cast<unsigned long long>(r.phys_start), size_text(r.page_size_log2).c_str(),
                          rights_text(r.writable, r.user, r.nx, r.global).c_str(), r.accessed ? " A" : "", r.dirty ? " D" : "",
                          r.changed ? "  (changed)" : "");
        } else {
            std::snprintf(b, sizeof b, "0x%08x-0x%08llx 0x%08llx %-6s -> 0x%09llx%s%s\n", r.lin_start,
                          static_cast<unsigned long long>(r.lin_end), static_cast<unsigned long long>(r.lin_end - r.lin_start),
                          rights_text(r.writable, r.user, r.nx, r.global).c_str(), static_cast<unsigned long long>(r.phys_start),
                          r.phys_contiguous ? "" : " (not contiguous)", r.changed ? "  (changed)" : "");
        }
        out << b;
        pages += r.pages;
    }
    out << (merge == MapMerge::None ? count_text(ranges.size(), "page", "pages") : count_text(ranges.size(), "range", "ranges"))
        << ", " << count_text(pages, "leaf", "leaves") << "\n";
}

}  // namespace hm::dbg
