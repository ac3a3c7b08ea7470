// The interpreter's working set, shared by the run loop and every instruction
// handler (emu/cpu/ops/*). Internal to emu/cpu: front ends use cpu.hpp.
//
// Memory operands: handlers call read/write with a segment number and an offset.
// The segment check is one compare against the precomputed bound (state.hpp);
// everything unusual (expand-down, wrong type, limits, data breakpoints) takes
// segment_check_slow, which throws the right fault or lets the access through.
// The linear address then goes to the MMU's TLB hit path (mmu.hpp: the front
// entry's tag and a page-crossing test, two compares).
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "core/fault.hpp"
#include "cpu/block_cache.hpp"
#include "cpu/cpu.hpp"
#include "cpu/cpu_profile.hpp"
#include "cpu/flags.hpp"
#include "decode/dispatch_table.hpp"

namespace hm::cpu {

// What raised an event being delivered through the IVT/IDT.
enum class EventSource : u8 {
    Exception,  // a fault or trap detected by the CPU (EXT = 1 for nested faults)
    Software,   // INT n, INT3, INTO: gate DPL is checked against CPL
    External,   // INTR or NMI
};

constexpr u32 kDr6Bs = 1u << 14;  // DR6: single step
constexpr u32 kDr6Bt = 1u << 15;  // DR6: task switch (the TSS T bit)

// Bits of Core::pending: "look before running the next block".
namespace pending {
constexpr u32 kIntr = 1u << 0;   // the INTR line is asserted
constexpr u32 kNmi = 1u << 1;    // an NMI is latched
constexpr u32 kStop = 1u << 2;   // request_stop()
constexpr u32 kSlow = 1u << 3;   // run one instruction at a time (TF, breakpoints, shadow, trace)
constexpr u32 kHalt = 1u << 4;   // HLT executed
}  // namespace pending

// The decode table of a CPU model: every family's rows less the encodings the
// model lacks (they decode to #UD), with the model's base costs. Built once.
const DispatchTable& dispatch_table(CpuModel m = CpuModel::Default);

struct Core {
    Core(CpuState& state, Mmu& mmu, Bus& bus);

    CpuState& s;
    Mmu& mmu;
    Bus& bus;
    const DispatchTable* table;  // dispatch_table(s.model)
    const CpuProfile* profile;   // cpu_profile(s.model): the costs the handlers charge
    // profile->extra, copied: Jcc taken and MUL/DIV charge it on the hot path,
    // where the copy saves a dependent load through `profile` (set with it).
    ExtraCosts extra;
    Priv data_priv = Priv::Supervisor;  // User iff CPL 3 (for ordinary data accesses)
    BlockCache cache;
    CpuStats stats;
    InterruptController* pic = nullptr;
    std::function<void(bool)> on_ferr;  // the x87 FERR# pin changed (CR0.NE = 0 error reporting)
    EventSink* sink = nullptr;
    InstructionTrace trace = InstructionTrace::Off;
    bool intr_line = false;
    bool nmi_latched = false;
    bool shutdown = false;
    bool data_breakpoints_armed = false;
    bool alignment_check = false;  // CR0.AM && EFLAGS.AC && CPL 3: misaligned data accesses raise #AC(0)
    u32 data_breakpoint_hits = 0;  // DR6 B0-B3 bits collected during the current instruction
    bool task_trap = false;        // a task switch loaded a TSS with the T bit: #DB before its first instruction
    std::string shutdown_reason;
    std::atomic<u32> pending{0};
    std::vector<u32> breakpoints;      // sorted linear addresses (debugger)
    std::vector<u64> phys_breakpoints; // sorted physical addresses (debugger)
    bool breakpoints_armed = false;    // either list is non-empty: the one test on the hot path
    u32 breakpoint_resume = 1;         // linear address allowed to run once (1 = none)

    // The running block stops after the instruction that brings the cycle
    // counter to this value: the device deadline, lowered to 0 by whatever makes
    // an interrupt or stop pending mid-block (set_intr, refresh_pending, ...).
    u64 block_stop = ~u64{0};
    // The deadline of the run() in progress: the machine's next device event
    // when run() began, lowered by lower_deadline() when an instruction arms an
    // earlier one (a port or MMIO write programming a timer), so that event too
    // fires at the first boundary that reaches it, not at the end of the slice.
    u64 run_deadline = ~u64{0};
    void lower_deadline(u64 when) {
        if (when < run_deadline) run_deadline = when;
        if (when < block_stop) block_stop = when;
    }
    // -smp N: the machine's synchronized-TSC floor (Machine::tsc_floor_, saved in
    // snapshots); nullptr with one CPU.
    u64* tsc_floor = nullptr;
    // run() returns (StopReason::CycleLimit) once this many instructions have
    // retired, exactly, whatever the block size (Cpu::set_instruction_stop).
    u64 insn_stop = ~u64{0};
    u32 step_cost = 0;          // step_one's instruction: charged before it ran ...
    bool step_charged = false;  // ... and not yet retired (a fault takes it back)

    // The block being executed (for cycle corrections).
    const Block* cur_block = nullptr;
    u32 cur_block_eip = 0;
    const Insn* exit_insn = nullptr;  // where a killed block was left

    // ---------------- mode ----------------
    bool pe() const { return s.cr.cr0 & cr0::kPE; }
    bool v86() const { return s.eflags & flag::VM; }
    bool protected_mode() const { return pe() && !v86(); }
    u8 iopl() const { return static_cast<u8>((s.eflags >> 12) & 3); }
    bool code32() const { return s.seg[sreg::CS].attr & seg_attr::kDB; }
    bool stack32() const { return s.seg[sreg::SS].attr & seg_attr::kDB; }
    void set_cpl(u8 cpl);

    // ---------------- memory operands ----------------
    [[noreturn]] void segment_fault(u8 seg);
    void segment_check_slow(u8 seg, u32 ea, unsigned size, Access a);

    template <typename T>
    HM_ALWAYS_INLINE u32 lin_read(u8 seg, u32 ea) {
        const Segment& sg = s.seg[seg];
        if (HM_UNLIKELY(u64{ea} + sizeof(T) > sg.read_end)) segment_check_slow(seg, ea, sizeof(T), Access::Read);
        return sg.base + ea;
    }
    template <typename T>
    HM_ALWAYS_INLINE u32 lin_write(u8 seg, u32 ea) {
        const Segment& sg = s.seg[seg];
        if (HM_UNLIKELY(u64{ea} + sizeof(T) > sg.write_end)) segment_check_slow(seg, ea, sizeof(T), Access::Write);
        return sg.base + ea;
    }
    // The fast paths of read/write alone (segment bound compare, front TLB
    // hit): false, with nothing done, where those would call their slow paths.
    template <typename T>
    HM_ALWAYS_INLINE bool try_read(u8 seg, u32 ea, T& v) {
        const Segment& sg = s.seg[seg];
        return u64{ea} + sizeof(T) <= sg.read_end && mmu.try_read<T>(LinearAddr{sg.base + ea}, data_priv, v);
    }
    template <typename T>
    HM_ALWAYS_INLINE bool try_write(u8 seg, u32 ea, T v) {
        const Segment& sg = s.seg[seg];
        return u64{ea} + sizeof(T) <= sg.write_end && mmu.try_write<T>(LinearAddr{sg.base + ea}, v, data_priv);
    }
    template <typename T>
    HM_ALWAYS_INLINE T read(u8 seg, u32 ea) {
        return mmu.read<T>(LinearAddr{lin_read<T>(seg, ea)}, data_priv);
    }
    template <typename T>
    HM_ALWAYS_INLINE void write(u8 seg, u32 ea, T v) {
        mmu.write<T>(LinearAddr{lin_write<T>(seg, ea)}, v, data_priv);
    }

    // Supervisor (implicit) accesses by linear address: descriptor tables, TSS, IDT.
    template <typename T>
    T sys_read(u32 lin) {
        return mmu.read<T>(LinearAddr{lin}, Priv::Supervisor);
    }
    template <typename T>
    void sys_write(u32 lin, T v) {
        mmu.write<T>(LinearAddr{lin}, v, Priv::Supervisor);
    }

    // ---------------- stack ----------------
    template <typename T>
    HM_ALWAYS_INLINE void push(T v) {
        if (stack32()) {
            u32 sp = s.r[reg::ESP] - sizeof(T);
            write<T>(sreg::SS, sp, v);
            s.r[reg::ESP] = sp;
        } else {
            u16 sp = static_cast<u16>(s.r[reg::ESP] - sizeof(T));
            write<T>(sreg::SS, sp, v);
            s.r[reg::ESP] = (s.r[reg::ESP] & 0xFFFF0000u) | sp;
        }
    }
    template <typename T>
    HM_ALWAYS_INLINE T pop() {
        if (stack32()) {
            T v = read<T>(sreg::SS, s.r[reg::ESP]);
            s.r[reg::ESP] += sizeof(T);
            return v;
        }
        T v = read<T>(sreg::SS, s.r[reg::ESP] & 0xFFFF);
        s.r[reg::ESP] = (s.r[reg::ESP] & 0xFFFF0000u) | static_cast<u16>(s.r[reg::ESP] + sizeof(T));
        return v;
    }
    // Reads the stack without moving ESP (for instructions that commit at the end).
    template <typename T>
    T stack_peek(u32 offset) {
        u32 sp = s.r[reg::ESP] + offset;
        return read<T>(sreg::SS, stack32() ? sp : (sp & 0xFFFF));
    }

    // ---------------- segments (segment.cpp) ----------------
    void refresh_bounds(u8 seg);
    void update_alignment_check();  // after CR0.AM, EFLAGS.AC or CPL changes
    void refresh_all_bounds();
    void load_segment_real(u8 seg, u16 selector);   // real mode and v86: base = selector << 4
    void load_segment(u8 seg, u16 selector);        // by the current mode's rules (MOV/POP/LxS)
    void load_code_segment_pm(u16 selector, u64 desc, u8 new_cpl);  // CS after checks by the caller
    u64 read_descriptor(u16 selector, u32 error_code);  // #GP(error_code) if outside GDT/LDT
    bool descriptor_in_table(u16 selector) const;
    void set_accessed(u16 selector, u64& desc);
    static void fill_segment(Segment& sg, u16 selector, u64 desc);

    // ---------------- eflags ----------------
    u32 eflags() const { return read_eflags(s); }
    // Writes EFLAGS bits within `mask` (callers choose the mask by privilege rules).
    void write_eflags(u32 value, u32 mask);

    // ---------------- events (exceptions.cpp) ----------------
    // Delivers an event through the IVT or IDT; throws GuestFault on failure.
    void deliver_event(u8 vector, EventSource src, bool has_error, u32 error, u32 return_eip);
    // Delivers an exception with the #DF/triple-fault rules. A fault of the
    // current instruction (ImageRf::Fault) pushes EFLAGS with RF set, as P6
    // processors do (SDM 17.3.1.1), so the handler's IRETD does not meet an
    // instruction breakpoint on the restarted instruction; traps and the
    // instruction-breakpoint fault itself push RF as it is (ImageRf::Keep).
    enum class ImageRf : u8 { Keep, Fault };
    void deliver_exception(const GuestFault& f, ImageRf rf);
    void deliver_interrupt(u8 vector, EventSource src, u32 return_eip);
    void enter_shutdown(const std::string& why);

    // ---------------- run loop (run_loop.cpp) ----------------
    StopReason run(u64 deadline);
    void refresh_pending();
    void request_stop() { pending.fetch_or(pending::kStop, std::memory_order_relaxed); }
    u64 cycles_now(const Insn* current) const;  // the cycle count seen by `current` (charged already)
    // The TSC as RDTSC/RDMSR read it: cycles + tsc_adjust, and with -smp N never
    // below a value another CPU has already read (tsc_floor; docs/devices.md "SMP").
    u64 read_tsc(const Insn* current) {
        u64 tsc = cycles_now(current) + s.tsc_adjust;
        if (tsc_floor) {
            if (tsc < *tsc_floor) tsc = *tsc_floor;
            *tsc_floor = tsc;
        }
        return tsc;
    }
    void invalidate_code(u64 phys, u64 len) { cache.invalidate_range(phys, len); }

    // ---------------- I/O ----------------
    void check_io_permission(u16 port, unsigned size);

    // ---------------- misc ----------------
    void reset();
    std::string dump_state() const;
    // Selects s.model's table, profile and walk cost, and drops decoded code
    // (its base costs are the old model's). At a block boundary only.
    void apply_model(CpuModel m);

private:
    StopReason run_inner();
    enum class Pending : u8 { Proceed, Stepped, Halted, Stop, Breakpoint };
    // Debugger breakpoints (debug_breakpoints.cpp): one at the instruction at lin,
    // or anywhere in block b entered at lin.
    bool breakpoint_at(u32 lin) const;
    bool breakpoint_in_block(const Block& b, u32 lin) const;
    bool breakpoint_at_block_start(const Block& b, u32 lin) const;
    Pending service_pending();
    void step_one();
    Block* build_block(u32 lin, CodeTranslation t, bool code32);
    void fix_counts_after_fault();
    void correct_counts(const Insn* first_not_retired, bool charged);
    void deliver_protected(u8 vector, EventSource src, bool has_error, u32 error, u32 return_eip);
    void deliver_real(u8 vector, u32 return_eip);
};

// Handler tail for instructions that fall through to the next one: threaded
// dispatch. While the cycle counter is below block_stop (the test the run
// loop makes after every handler), the next instruction is charged its base
// cost and its handler entered from here, a tail call (a jump), so each
// handler has an indirect jump of its own that the host's branch predictor
// learns per opcode instead of one shared call site in the loop (profile in
// docs/performance.md). Otherwise the next instruction, not run and not
// charged, goes back to the loop, exactly as if the loop had made the test.
// Blocks end at kMaxInsns, so even without the tail call (an unoptimised
// build) the depth stays bounded.
HM_ALWAYS_INLINE const Insn* next(Core& c, const Insn* i) {
    c.s.eip += i->len;
    const Insn* n = i + 1;
    if (HM_LIKELY(c.s.cycles < c.block_stop)) {
        c.s.cycles += n->cycles;  // the sentinel costs 0
        return n->fn(c, n);
    }
    return n;
}

}  // namespace hm::cpu
