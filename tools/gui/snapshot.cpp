#include "snapshot.hpp"

#include <algorithm>

namespace hm::gui {

namespace {

constexpr unsigned kDisasmLines = 48;
constexpr size_t kEventsShown = 200;

bool same_slot(const TlbEntryView& a, const TlbEntryView& b) {
    return a.large == b.large && a.set == b.set && a.way == b.way && a.lin_base == b.lin_base && a.frame == b.frame &&
           a.page_size_log2 == b.page_size_log2;
}

bool same_segment(const Segment& a, const Segment& b) {
    return a.selector == b.selector && a.base == b.base && a.limit == b.limit && a.attr == b.attr;
}

VgaScreen read_vga(Machine& m) {
    VgaScreen s;
    s.columns = VgaText::kColumns;
    s.rows = VgaText::kRows;
    s.chars.resize(s.columns * s.rows);
    s.attrs.resize(s.columns * s.rows);
    for (unsigned r = 0; r < s.rows; ++r) {
        for (unsigned c = 0; c < s.columns; ++c) {
            s.chars[r * s.columns + c] = m.vga().character(r, c);
            s.attrs[r * s.columns + c] = m.vga().attribute(r, c);
        }
    }
    s.cursor = m.vga().cursor_offset() - m.vga().start_offset();
    s.cursor_visible = m.vga().cursor_visible();
    return s;
}

}  // namespace

TlbDiff diff_tlb(const std::vector<TlbEntryView>& before, const std::vector<TlbEntryView>& now) {
    TlbDiff d;
    for (const TlbEntryView& e : now) {
        const auto prev = std::find_if(before.begin(), before.end(), [&](const TlbEntryView& b) { return same_slot(b, e); });
        const bool was = prev != before.end();
        const u64 hits_then = was && prev->hits <= e.hits ? prev->hits : 0;
        d.rows.push_back({e, !was, !e.matches_memory, e.hits - hits_then});
    }
    for (const TlbEntryView& b : before) {
        const bool still = std::any_of(now.begin(), now.end(), [&](const TlbEntryView& e) { return same_slot(b, e); });
        if (!still) d.dropped.push_back(b);
    }
    return d;
}

u64 changed_registers(const dbg::RegisterFile& a, const dbg::RegisterFile& b) {
    u64 mask = 0;
    auto mark = [&](dbg::Reg r) { mask |= u64{1} << static_cast<unsigned>(r); };
    for (unsigned i = 0; i < static_cast<unsigned>(dbg::Reg::Count); ++i) {
        const auto r = static_cast<dbg::Reg>(i);
        if (a.get(r) != b.get(r)) mark(r);
    }
    for (unsigned s = 0; s < 6; ++s) {
        if (!same_segment(a.seg[s], b.seg[s])) mark(static_cast<dbg::Reg>(static_cast<unsigned>(dbg::Reg::ES) + s));
    }
    if (!same_segment(a.ldtr, b.ldtr)) mark(dbg::Reg::LDTR);
    if (!same_segment(a.tr, b.tr)) mark(dbg::Reg::TR);
    if (a.gdtr.limit != b.gdtr.limit) mark(dbg::Reg::GDTR);
    if (a.idtr.limit != b.idtr.limit) mark(dbg::Reg::IDTR);
    return mask;
}

std::vector<u8> changed_bytes(const dbg::MemoryBytes& before, const dbg::MemoryBytes& now) {
    std::vector<u8> out(now.bytes.size(), 0);
    if (before.space != now.space || before.addr != now.addr) return out;
    const size_t n = std::min(before.bytes.size(), now.bytes.size());
    for (size_t i = 0; i < n; ++i) {
        out[i] = before.valid[i] && now.valid[i] && before.bytes[i] != now.bytes[i];
    }
    return out;
}

Snapshot take_snapshot(dbg::Debugger& d, const ViewState& view, const Snapshot& previous, NewStop new_stop) {
    Snapshot s;
    s.serial = previous.serial + 1;
    s.stop = d.last_stop();
    s.can_continue = s.stop.can_continue();
    s.recording = d.recording();
    s.regs = d.registers();
    const bool first = previous.serial == 0;
    // Baselines: the previous snapshot's values when a run happened since, else
    // the baselines it already had; per CPU, so that the CPU on view can change.
    const bool shift = new_stop == NewStop::Yes || first;
    const unsigned n = d.cpu_count();
    s.cpu = d.selected_cpu();
    for (unsigned i = 0; i < n; ++i) {
        const Mmu& mmu = d.machine().mmu(i);
        s.cpus_now.push_back({d.raw_registers(i), mmu.tlb_entries(TlbKind::Instruction), mmu.tlb_entries(TlbKind::Data)});
        if (n > 1) {
            const CpuState& st = d.machine().cpu_state(i);
            s.cpu_labels.push_back("CPU " + std::to_string(i) +
                                   (st.wait_for_sipi ? " (waiting for SIPI)" : st.halted ? " (halted)" : ""));
        }
    }
    const bool same_cpus = previous.cpus_now.size() == n && previous.cpus_prev.size() == n;
    s.cpus_prev = shift ? (first || !same_cpus ? s.cpus_now : previous.cpus_now)
                        : (same_cpus ? previous.cpus_prev : s.cpus_now);
    const CpuBaseline& now = s.cpus_now[s.cpu];
    const CpuBaseline& before = s.cpus_prev[s.cpu];
    s.prev_regs = before.regs;
    s.changed = changed_registers(s.prev_regs, s.regs);

    // Disassembly around EIP.
    const u32 pc = s.regs.pc();
    const dbg::Symbol* fn = d.symbols().covering(pc);
    std::optional<u32> fn_start;
    if (fn && fn->function) fn_start = fn->addr;
    auto decode = [&](u32 at, unsigned n) { return d.disassemble(at, n); };
    try {
        s.disasm_start = disassembly_start(pc, previous.disasm_start, previous.disasm, kDisasmLines, fn_start, decode);
        s.disasm = d.disassemble(s.disasm_start, kDisasmLines);
        // A start that no longer decodes onto pc (code changed, or a bad guess): start at pc.
        const bool shows_pc = std::any_of(s.disasm.begin(), s.disasm.end(), [&](const dbg::Instruction& i) { return i.linear == pc; });
        if (!shows_pc) {
            s.disasm_start = pc;
            s.disasm = d.disassemble(pc, kDisasmLines);
        }
    } catch (const dbg::DebugError& e) {
        s.disasm_error = e.what();
        s.disasm.clear();
    }
    s.breakpoints = d.breakpoints();
    for (const dbg::Breakpoint& b : s.breakpoints) {
        s.breakpoint_symbols.push_back(b.space == dbg::Space::Linear ? d.symbolize(static_cast<u32>(b.addr)) : "");
    }
    s.watchpoints = d.watchpoints();
    s.event_breaks = d.event_breaks();

    // Memory on view.
    const u64 mem_addr = view.mem_addr.value_or(s.regs.gpr[reg::ESP] & ~u64{0xF});
    try {
        s.mem = d.read_memory(view.mem_space, mem_addr, view.mem_rows * 16);
    } catch (const dbg::DebugError& e) {
        s.mem.space = view.mem_space;
        s.mem.addr = mem_addr;
        s.mem.error = e.what();
    }
    s.prev_mem = shift ? (first ? s.mem : previous.mem) : previous.prev_mem;
    s.mem_changed = changed_bytes(s.prev_mem, s.mem);

    // The page walk.
    const u32 walk_addr = view.walk_addr.value_or(pc);
    try {
        s.walk = d.walk(walk_addr, view.walk_access, view.walk_priv);
    } catch (const dbg::DebugError& e) {
        s.walk_error = e.what();
    }

    // TLBs.
    s.itlb_now = now.itlb;
    s.dtlb_now = now.dtlb;
    s.itlb_prev = before.itlb;
    s.dtlb_prev = before.dtlb;
    s.itlb = diff_tlb(s.itlb_prev, s.itlb_now);
    s.dtlb = diff_tlb(s.dtlb_prev, s.dtlb_now);

    // Kernel awareness (needs the kernel's symbols and its page tables).
    s.symbols = d.symbols().size();
    try {
        s.pkmap = d.pkmap();
    } catch (const dbg::DebugError& e) {
        s.pkmap_error = e.what();
    }
    try {
        s.tasks = d.tasks();
        if (n > 1) s.kmap_place = d.kmap_local_place();
    } catch (const dbg::DebugError& e) {
        s.tasks_error = e.what();
    }

    s.stats = d.stats();
    s.prev_stats = shift ? (first ? s.stats : previous.stats) : previous.prev_stats;
    // After stepping back (reverse-stepi, reverse-continue) the counters are
    // lower than at the stop before: "since the stop" starts again from here
    // rather than showing a negative count (the registers keep their marks).
    if (s.stats.cycles < s.prev_stats.cycles) s.prev_stats = s.stats;
    s.vga = read_vga(d.machine());
    const auto& log = d.event_log();
    const size_t from = log.size() > kEventsShown ? log.size() - kEventsShown : 0;
    s.events.assign(log.begin() + static_cast<long>(from), log.end());
    return s;
}

}  // namespace hm::gui
