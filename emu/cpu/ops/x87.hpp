// Shared by the x87 instruction families (x87_*.cpp): the register stack with
// its tag word, the prologue every escape runs (#NM, pending exceptions, the
// last-instruction pointers), the stack-fault responses and how an
// operation's exceptions reach the status word. The arithmetic itself is
// emu/cpu/fpu/softfloat.hpp.
#pragma once
#include "cpu/fpu/softfloat.hpp"
#include "cpu/ops/forms.hpp"
#include "cpu/ops/operands.hpp"

namespace hm::cpu::x87 {

using fpu::Env;
using fpu::Float80;
namespace sw = fpu::sw;
namespace fcw = fpu::cw;

constexpr u8 kTagValid = 0, kTagZero = 1, kTagSpecial = 2, kTagEmpty = 3;
constexpr u16 kCcMask = sw::C0 | sw::C1 | sw::C2 | sw::C3;

inline u8 top(const FpuState& f) { return static_cast<u8>((f.sw >> sw::kTopShift) & 7); }
inline void set_top(FpuState& f, unsigned t) {
    f.sw = static_cast<u16>((f.sw & ~sw::kTopMask) | ((t & 7) << sw::kTopShift));
}
inline u8 phys(const FpuState& f, unsigned i) { return static_cast<u8>((top(f) + i) & 7); }
inline u8 tag_of_phys(const FpuState& f, unsigned p) { return (f.tag >> (2 * p)) & 3; }
inline void set_tag_phys(FpuState& f, unsigned p, u8 t) {
    f.tag = static_cast<u16>((f.tag & ~(3u << (2 * p))) | (u32{t} << (2 * p)));
}
inline bool empty(const FpuState& f, unsigned i) { return tag_of_phys(f, phys(f, i)) == kTagEmpty; }
inline Float80 get(const FpuState& f, unsigned i) { return f.st[phys(f, i)]; }

// The tag a value gets when written: zero, valid, or special (NaN, infinity,
// denormal, unsupported).
u8 tag_for(Float80 v);
// The full tag word as FNSTENV/FNSAVE report it: non-empty tags recomputed from the contents.
u16 tag_word(const FpuState& f);

inline void put(FpuState& f, unsigned i, Float80 v) {
    const u8 p = phys(f, i);
    f.st[p] = v;
    set_tag_phys(f, p, tag_for(v));
}
inline void pop(FpuState& f) {
    set_tag_phys(f, phys(f, 0), kTagEmpty);
    set_top(f, top(f) + 1);
}
inline void push(FpuState& f, Float80 v) {
    set_top(f, top(f) + 7);
    put(f, 0, v);
}

// Recomputes ES and B from the exception flags and masks (after FLDCW, FLDENV, FRSTOR).
void update_summary(Core& c);

// The pending-exception part of begin() alone (WAIT, whose #NM rule differs).
bool report_pending(Core& c, const Insn* i);

// What an escape does before anything else: #NM when CR0.EM or CR0.TS; then,
// for a waiting instruction, a pending unmasked exception is reported (#MF with
// CR0.NE, otherwise the FERR#/IGNNE# protocol, which may freeze the CPU on this
// instruction: returns false, and the handler must return nullptr at once).
// Inline (as record and commit below): every x87 instruction runs them, and
// the calls were a tenth of the x87 benchmark's time (docs/performance.md).
inline bool begin(Core& c, const Insn* i, bool waiting) {
    if (HM_UNLIKELY(c.s.cr.cr0 & (cr0::kEM | cr0::kTS))) raise(Vector::NM);
    return !waiting || !(c.s.fpu.sw & sw::ES) || report_pending(c, i);
}

// FOP's ModRM byte: a register form is known exactly; a memory form's mod bits
// are not kept by the decoder and are reconstructed from the displacement.
inline u16 fop_of(const Insn* i) {
    u8 mod = 3;
    if (i->flags & insn_flag::kMem) {
        const i32 d = static_cast<i32>(i->disp);
        if (i->base == reg::kNone) mod = 0;
        else if (d == 0 && i->base != reg::EBP) mod = 0;
        else mod = (d >= -128 && d <= 127) ? 1 : 2;
    }
    const u8 rm = (i->flags & insn_flag::kMem) ? 0 : i->rm;
    return static_cast<u16>(((i->opcode & 7) << 8) | (mod << 6) | ((i->reg & 7) << 3) | (rm & 7));
}

// Records the last-instruction pointers of a non-control instruction
// (FCS:FIP, FOP, and FDS:FDP for a memory operand).
inline void record(Core& c, const Insn* i) {
    FpuState& f = c.s.fpu;
    f.fcs = c.s.seg[sreg::CS].selector;
    f.fip = c.s.eip;
    f.fop = fop_of(i);
    if (i->flags & insn_flag::kMem) {
        f.fds = c.s.seg[i->seg].selector;
        f.fdp = ea(c, i);
    }
}

// Merges an operation's exceptions into the status word, with C1 from the
// rounding; true when the destination may be written.
inline bool commit(Core& c, const Env& e) {
    FpuState& f = c.s.fpu;
    f.sw = static_cast<u16>((f.sw & ~sw::C1) | e.flags | (e.c1 ? sw::C1 : 0));
    if (HM_UNLIKELY(e.flags & ~f.cw & sw::kExceptions)) update_summary(c);
    return !fpu::result_suppressed(e);
}

// Stack underflow (an empty source) / overflow (a push onto a full register):
// IE|SF, C1 = 0 / 1. True when IE is masked (the masked response follows).
bool stack_underflow(Core& c);
bool stack_overflow(Core& c);

inline Env env_of(const Core& c) { return Env{c.s.fpu.cw}; }

// Memory operands of arithmetic and compares.
enum class MemOperand : u8 { F32, F64, I16, I32 };

template <MemOperand M>
Float80 load_operand(Core& c, const Insn* i, bool& denormal) {
    const u32 a = ea(c, i);
    denormal = false;
    if constexpr (M == MemOperand::F32) return fpu::widen_f32(c.read<u32>(i->seg, a), denormal);
    else if constexpr (M == MemOperand::F64) return fpu::widen_f64(c.read<u64>(i->seg, a), denormal);
    else if constexpr (M == MemOperand::I16) return fpu::from_int(static_cast<i16>(c.read<u16>(i->seg, a)));
    else return fpu::from_int(static_cast<i32>(c.read<u32>(i->seg, a)));
}

// How the arithmetic and compare instructions with a memory operand start: the
// waiting prologue, the operand read (a fault there leaves the pointers as they
// were), then the pointers recorded. False when the instruction is frozen.
template <MemOperand M>
bool begin_with_operand(Core& c, const Insn* i, Env& e, Float80& operand) {
    if (!begin(c, i, true)) return false;
    e = env_of(c);
    operand = load_operand<M>(c, i, e.mem_denormal);
    record(c, i);
    return true;
}

// The register forms' start: the waiting prologue and the pointers. False when frozen.
inline bool begin_recorded(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return false;
    record(c, i);
    return true;
}

// Offset `k` bytes into the memory operand, wrapping at 64 KiB with 16-bit addressing.
inline u32 ea_plus(const Core& c, const Insn* i, u32 k) {
    const u32 a = ea(c, i) + k;
    return a32(i) ? a : (a & 0xFFFF);
}

// Checks that `size` bytes at the memory operand can be written (segment and
// paging) before a multi-part store writes any of them.
void probe_write(Core& c, const Insn* i, u32 size);

Float80 read_m80(Core& c, const Insn* i, u32 offset);
void write_m80(Core& c, const Insn* i, u32 offset, Float80 v);

// Adds the part of an instruction's cost that its table row cannot know
// (register forms sharing one row).
inline void charge(Core& c, u32 cycles) { c.s.cycles += cycles; }

}  // namespace hm::cpu::x87
