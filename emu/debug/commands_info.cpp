// Commands that show code, symbols, the kernel's highmem state, statistics and
// the event log.
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
}  // namespace

void CommandInterpreter::cmd_info(Args& a, std::ostream& out) {
    const std::string what = a.next("what (mem, tlb, break, sym, display)");
    if (what == "mem") return info_map(MapMerge::Rights, a, out);
    if (what == "tlb") return info_map(MapMerge::None, a, out);
    if (what == "map") return info_map(MapMerge::Contiguous, a, out);
    if (what == "break" || what == "breakpoints" || what == "b" || what == "watch") {
        a.done();
        return list_breakpoints(out);
    }
    if (what == "sym" || what == "symbol") {
        const u64 addr = eval(a.next("address"));
        a.done();
        const std::string s = addr <= 0xFFFFFFFFu ? d_.symbolize(static_cast<u32>(addr)) : "";
        if (s.empty()) out << "no symbol matches " << hex(addr) << "\n";
        else out << hex(addr) << " is " << s << "\n";
        return;
    }
    if (what == "display") {
        a.done();
        Args none;
        return cmd_display(none, out);
    }
    throw DebugError("info: unknown topic '" + what + "' (mem, tlb, map, break, sym, display)");
}

void CommandInterpreter::print_disassembly(u32 at, unsigned n, Syntax syntax, std::ostream& out) {
    const u32 pc = d_.registers().pc();
    for (const Instruction& i : d_.disassemble(at, n, syntax)) {
        if (!i.symbol.empty() && i.symbol.find('+') == std::string::npos) out << "<" << i.symbol << ">:\n";
        char bytes[64] = "";
        size_t pos = 0;
        for (unsigned k = 0; k < i.length && k < 8; ++k) pos += std::snprintf(bytes + pos, sizeof bytes - pos, "%02x ", i.bytes[k]);
        char line[256];
        std::snprintf(line, sizeof line, "%s0x%08x: %-24s %-7s %s\n", i.linear == pc ? "=> " : "   ", i.linear, bytes,
                      i.mnemonic.c_str(), i.operands.c_str());
        out << line;
    }
}

void CommandInterpreter::cmd_disas(Args& a, std::ostream& out) {
    Syntax s = syntax_;
    if (a.flag("--att")) s = Syntax::Att;
    if (a.flag("--intel")) s = Syntax::Intel;
    const u64 at = a.empty() ? d_.registers().pc() : eval(a.next("address"));
    const u64 n = a.empty() ? 10 : eval(a.next("count"));
    a.done();
    if (at > 0xFFFFFFFFu) throw DebugError("disas: a linear address is 32 bits");
    if (n == 0 || n > 10000) throw DebugError("disas: count must be 1 to 10000");
    print_disassembly(static_cast<u32>(at), static_cast<unsigned>(n), s, out);
}

void CommandInterpreter::cmd_bt(Args& a, std::ostream& out) {
    const u64 n = a.empty() ? 32 : eval(a.next("frames"));
    a.done();
    if (n == 0 || n > 4096) throw DebugError("bt: 1 to 4096 frames");
    const auto frames = d_.backtrace(static_cast<unsigned>(n));
    for (size_t i = 0; i < frames.size(); ++i) {
        out << "#" << i << " " << hex(frames[i].pc) << (frames[i].symbol.empty() ? "" : " <" + frames[i].symbol + ">") << "\n";
    }
}

void CommandInterpreter::cmd_sym(Args& a, std::ostream& out) {
    const std::string name = a.next("name");
    a.done();
    if (d_.symbols().empty()) throw DebugError("no symbols loaded (sym-file ELF)");
    const auto v = d_.symbols().find(name);
    if (v.empty()) throw DebugError("no symbol '" + name + "'");
    for (const Symbol* s : v) {
        out << hex(s->addr) << " " << (s->function ? "function" : "object  ") << " size " << s->size << "  " << s->demangled;
        if (s->demangled != s->raw) out << "  [" << s->raw << "]";
        out << "\n";
    }
}

void CommandInterpreter::cmd_sym_file(Args& a, std::ostream& out) {
    const std::string path = a.next("ELF file");
    a.done();
    d_.load_symbols(path);
    out << "loaded " << d_.symbols().size() << " symbols from " << path << "\n";
}

void CommandInterpreter::cmd_pkmap(Args& a, std::ostream& out) {
    const bool all = a.flag("--all");
    a.done();
    const PkmapView v = d_.pkmap();
    out << "pkmap window: LAST_PKMAP " << v.last_pkmap << " slots at " << hex(v.pkmap_base) << ", last_pkmap_nr "
        << v.last_pkmap_nr << "; " << v.in_use << " in use, " << v.unused << " unused but mapped, " << v.free << " free\n";
    out << "slot  vaddr       count  state                  pte                 phys         page        TLB\n";
    for (const PkmapSlot& s : v.slots) {
        const bool interesting = s.count != 0 || s.pte_present || s.in_dtlb || s.in_itlb;
        if (!all && !interesting) continue;
        const char* tlb = s.in_dtlb && s.in_itlb ? "DI" : s.in_dtlb ? "D" : s.in_itlb ? "I" : "-";
        char line[200];
        std::snprintf(line, sizeof line, "%4u  0x%08x  %5d  %-21s  0x%016llx  %s  %s  %s%s\n", s.index, s.vaddr, s.count,
                      s.state.c_str(), static_cast<unsigned long long>(s.pte),
                      s.pte_present ? hex(s.phys, 9).c_str() : "-          ",
                      s.pte_present ? hex(s.page).c_str() : "-         ", tlb, s.tlb_stale ? " STALE" : "");
        out << line;
    }
}

void CommandInterpreter::cmd_kmap_local(Args& a, std::ostream& out) {
    a.done();
    const std::vector<TaskView> tasks = d_.tasks();  // before the header: an error is then the only line
    const bool linux_tasks = !tasks.empty() && tasks.front().cpu >= 0;
    if (d_.cpu_count() > 1 && !linux_tasks) {
        // -smp N: whose block of fixmap slots this is.
        const KmapLocalPlace p = d_.kmap_local_place();
        out << "cpu " << p.cpu << ": fixmap block " << p.block << " of " << p.blocks
            << (p.blocks_found ? "" : " (assumed)") << (p.guard_slots ? ", guard slots (debug_kmap_local)" : "")
            << "\n";
        if (!p.note.empty()) out << "note: " << p.note << "\n";
    }
    for (const TaskView& t : tasks) {
        if (t.cpu >= 0) {  // Linux: each CPU's current task (linux_view.hpp)
            out << "CPU " << t.cpu << ": current task " << hex(t.addr) << ": " << t.kmap_idx << " kmap_local slot"
                << (t.kmap_idx == 1 ? "" : "s") << "\n";
        } else {
            out << "pid " << t.pid << " " << t.comm << (t.current ? " (current)" : "") << (t.kthread ? "" : " [user]");
            // -smp N: where it runs, and whose block its slots are in (the CPU it last ran on).
            if (d_.cpu_count() > 1) {
                if (t.runs_on >= 0 && !t.current) out << " (running on cpu " << t.runs_on << ")";
                if (t.kmap_idx > 0) out << " [block " << t.slot_cpu << "]";
            }
            out << " task " << hex(t.addr) << ": " << t.kmap_idx << " kmap_local slot" << (t.kmap_idx == 1 ? "" : "s") << "\n";
        }
        for (const KmapLocalSlot& s : t.kmap_local) {
            out << "  [" << s.depth << "] " << hex(s.vaddr) << " pte " << hex(s.pteval, 16) << " -> " << hex(s.phys, 9)
                << (s.installed ? "  installed" : "  saved (not installed)") << (s.in_dtlb ? ", in DTLB" : "") << "\n";
        }
    }
}

void CommandInterpreter::cmd_zones(Args& a, std::ostream& out) {
    a.done();
    const std::vector<ZoneView> zones = d_.zones();  // before the header: an error is then the only line
    out << "zone      start_pfn   spanned   present   managed      free    min    low   high  free blocks by order 0..10\n";
    for (const ZoneView& z : zones) {
        char line[200];
        std::snprintf(line, sizeof line, "%-8s %10u %9u %9u %9u %9u %6u %6u %6u ", z.name.c_str(), z.start_pfn, z.spanned, z.present,
                      z.managed, z.free, z.watermark[0], z.watermark[1], z.watermark[2]);
        out << line;
        for (u32 n : z.nr_free) out << " " << n;
        out << "\n";
    }
}

void CommandInterpreter::cmd_stats(Args& a, std::ostream& out) {
    a.done();
    const MachineStats s = d_.stats();
    out << "cycles " << s.cycles << ", instructions " << s.instructions << ", halted cycles " << s.halted_cycles << "\n";
    for (int k = 0; k < 2; ++k) {
        const TlbStats& t = k ? s.mmu.dtlb : s.mmu.itlb;
        out << (k ? "DTLB" : "ITLB") << ": lookups " << t.lookups << " hits " << t.hits << " misses " << t.misses << " walks "
            << t.walks << " (memory accesses " << t.walk_memory_accesses << ") evictions " << t.evictions << "; flushes: invlpg "
            << t.flush_invlpg << " cr3 " << t.flush_cr3 << " cr0/cr4 " << t.flush_cr4_cr0 << ", entries invalidated "
            << t.entries_invalidated << "; fills 4K " << t.fills_4k << " large " << t.fills_large << "\n";
    }
    out << "page faults " << s.page_faults << ", stale translations " << s.stale_reports << ", PDPTE loads " << s.mmu.pdpte_loads << "\n";
    out << "exceptions:";
    bool any = false;
    for (unsigned v = 0; v < 32; ++v) {
        if (!s.cpu.exceptions[v]) continue;
        out << " " << vector_text(static_cast<u8>(v)) << " " << s.cpu.exceptions[v];
        any = true;
    }
    out << (any ? "" : " none") << "\ninterrupts:";
    any = false;
    for (unsigned v = 0; v < 256; ++v) {
        if (!s.cpu.interrupts[v]) continue;
        out << " " << hex(v, 2) << " " << s.cpu.interrupts[v];
        any = true;
    }
    out << (any ? "" : " none") << "\n";
    out << "blocks executed " << s.cpu.blocks_executed << ", built " << s.cpu.blocks_built << ", slow steps " << s.cpu.slow_steps
        << "; port reads " << s.bus.io_reads << " writes " << s.bus.io_writes << "\n";
}

void CommandInterpreter::cmd_log(Args& a, std::ostream& out) {
    if (!a.empty() && a.peek() == "clear") {
        a.next("clear");
        a.done();
        d_.clear_log();
        return;
    }
    const u64 n = a.empty() ? 20 : eval(a.next("count"));
    a.done();
    const auto& log = d_.event_log();
    const size_t first = log.size() > n ? log.size() - n : 0;
    if (log.empty()) out << "the event log is empty\n";
    for (size_t i = first; i < log.size(); ++i) {
        out << "#" << log[i].seq << " cycle " << log[i].cycle << ": " << describe_record(log[i].record) << "\n";
    }
}

}  // namespace hm::dbg
