// Everything the panels draw, read from the debugger core in one go when the
// machine is stopped (after every command and every view change). Panels never
// query the core themselves: while a command runs on the worker thread they keep
// drawing the last snapshot.
//
// "Since the last stop": a snapshot keeps the values of the previous stop
// (registers, TLB contents, statistics, the memory on view) as its baselines,
// so that panels can colour what the last run changed. A refresh after a run
// (the cycle counter moved) makes the current values the new baselines; a
// refresh after a query or a view change keeps them.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "debug/debugger.hpp"
#include "view_state.hpp"

namespace hm::gui {

// One TLB entry as the TLB panel shows it.
struct TlbRow {
    TlbEntryView entry;
    bool filled = false;  // not in the TLB at the previous stop (a walk put it there)
    bool stale = false;   // the tables in memory no longer give this translation
    u64 hits = 0;         // lookups it served since the previous stop (the session tracks hits)
};

struct TlbDiff {
    std::vector<TlbRow> rows;           // the entries now
    std::vector<TlbEntryView> dropped;  // at the previous stop but gone now (flushed or evicted)
};
// Entries are the same when the same slot holds the same translation.
TlbDiff diff_tlb(const std::vector<TlbEntryView>& before, const std::vector<TlbEntryView>& now);

// Bit (1 << Reg) set for each register whose value differs (segment registers:
// selector, base, limit or attributes; GDTR/IDTR: base or limit).
u64 changed_registers(const dbg::RegisterFile& before, const dbg::RegisterFile& now);

// Per byte: 1 where both reads are valid and differ. Only when both cover the
// same space and address; otherwise nothing is marked.
std::vector<u8> changed_bytes(const dbg::MemoryBytes& before, const dbg::MemoryBytes& now);

// Where the disassembly listing of `lines` instructions should start so that it
// shows `pc`: the previous start when pc is comfortably inside that listing,
// else from the covering function's start when pc is near it, else a few
// instructions before pc when the previous listing knows them, else pc itself.
// `decode(start, n)` lists n instructions from start (may throw DebugError).
template <typename Decode>
u32 disassembly_start(u32 pc, u32 previous_start, const std::vector<dbg::Instruction>& previous, unsigned lines,
                      std::optional<u32> function_start, Decode decode);

struct VgaScreen {
    unsigned columns = 0, rows = 0;
    std::vector<u8> chars, attrs;  // row-major
    unsigned cursor = 0;
    bool cursor_visible = false;
};

// One CPU's values that change marks compare against (-smp N keeps one per CPU,
// so that switching the CPU on view compares each with its own previous stop).
struct CpuBaseline {
    dbg::RegisterFile regs;
    std::vector<TlbEntryView> itlb, dtlb;
};

struct Snapshot {
    u64 serial = 0;  // grows with every refresh
    dbg::StopInfo stop;
    bool can_continue = true;
    bool recording = false;  // `record on`: the step-back buttons work

    // -smp N: the CPU the per-CPU panels show (registers, disassembly, page walk,
    // TLB, memory by linear address, its statistics): the debugger's selected
    // CPU, which the menu bar's CPU selector sets with `cpu N`. cpu_labels: one
    // per CPU for the selector ("CPU 1 (halted)").
    unsigned cpu = 0;
    std::vector<std::string> cpu_labels;
    std::vector<CpuBaseline> cpus_now, cpus_prev;

    dbg::RegisterFile regs, prev_regs;
    u64 changed = 0;  // registers changed since the previous stop

    u32 disasm_start = 0;
    std::vector<dbg::Instruction> disasm;
    std::string disasm_error;
    std::vector<dbg::Breakpoint> breakpoints;
    std::vector<std::string> breakpoint_symbols;  // "kmap_high+0x4" or "", one per breakpoint
    std::vector<dbg::Watchpoint> watchpoints;
    std::vector<dbg::EventBreak> event_breaks;

    dbg::MemoryBytes mem, prev_mem;
    std::vector<u8> mem_changed;

    dbg::WalkView walk;
    std::string walk_error;

    std::vector<TlbEntryView> itlb_now, dtlb_now, itlb_prev, dtlb_prev;
    TlbDiff itlb, dtlb;

    std::optional<dbg::PkmapView> pkmap;
    std::string pkmap_error;
    std::vector<dbg::TaskView> tasks;
    std::string tasks_error;
    std::optional<dbg::KmapLocalPlace> kmap_place;  // -smp N: whose block of fixmap slots the stacks are read from

    MachineStats stats, prev_stats;
    VgaScreen vga;
    std::vector<dbg::LogEntry> events;  // the newest ones last
    size_t symbols = 0;
};

enum class NewStop : unsigned char { No, Yes };

// Reads the core. `previous` gives the baselines (and the previous listing);
// with NewStop::Yes its current values become the baselines.
Snapshot take_snapshot(dbg::Debugger& d, const ViewState& view, const Snapshot& previous, NewStop new_stop);

// ---------------------------------------------------------------- template body

template <typename Decode>
u32 disassembly_start(u32 pc, u32 previous_start, const std::vector<dbg::Instruction>& previous, unsigned lines,
                      std::optional<u32> function_start, Decode decode) {
    const unsigned margin = lines >= 12 ? 6 : lines / 2;  // keep a few lines of context below pc
    // 1. pc inside the previous listing, not too close to its end: keep it still.
    for (size_t i = 0; i < previous.size(); ++i) {
        if (previous[i].linear == pc && previous.front().linear == previous_start) {
            if (i + margin < previous.size()) return previous_start;
            break;
        }
    }
    // 2. From the function's first instruction, if pc lies on an instruction boundary early enough.
    if (function_start && *function_start <= pc && pc - *function_start < 16 * lines) {
        try {
            const std::vector<dbg::Instruction> from_fn = decode(*function_start, lines);
            for (size_t i = 0; i < from_fn.size(); ++i) {
                if (from_fn[i].linear == pc && i + margin < from_fn.size()) return *function_start;
            }
        } catch (const dbg::DebugError&) {
        }
    }
    // 3. A few instructions of context above pc from the previous listing (known boundaries).
    for (size_t i = 0; i < previous.size(); ++i) {
        if (previous[i].linear == pc) return previous[i >= 3 ? i - 3 : 0].linear;
    }
    return pc;
}

}  // namespace hm::gui
