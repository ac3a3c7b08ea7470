// Operand access shared by the instruction families: registers by width, the
// effective address of the ModRM operand, and E-operand loads/stores that are
// specialised at compile time for the register or the memory form.
#pragma once
#include <cstring>

#include "cpu/core.hpp"

namespace hm::cpu {

enum class Form : u8 { Reg, Mem };

template <typename T>
HM_ALWAYS_INLINE T get_reg(const CpuState& s, u8 idx) {
    if constexpr (sizeof(T) == 1) return reinterpret_cast<const u8*>(s.r)[idx];
    else return static_cast<T>(s.r[idx]);
}

template <typename T>
HM_ALWAYS_INLINE void set_reg(CpuState& s, u8 idx, T v) {
    if constexpr (sizeof(T) == 1) reinterpret_cast<u8*>(s.r)[idx] = v;
    else if constexpr (sizeof(T) == 2) std::memcpy(reinterpret_cast<u8*>(&s.r[idx]), &v, 2);
    else s.r[idx] = v;
}

// Effective address of the ModRM memory operand (offset within its segment).
HM_ALWAYS_INLINE u32 ea(const Core& c, const Insn* i) {
    const u32 mask = 0xFFFFu | (0u - (i->flags & insn_flag::kA32));
    return (c.s.r[i->base] + (c.s.r[i->index] << i->scale) + i->disp) & mask;
}

HM_ALWAYS_INLINE bool o32(const Insn* i) { return i->flags & insn_flag::kO32; }
HM_ALWAYS_INLINE bool a32(const Insn* i) { return i->flags & insn_flag::kA32; }

// Reads the E operand.
template <typename T, Form F>
HM_ALWAYS_INLINE T load_e(Core& c, const Insn* i) {
    if constexpr (F == Form::Reg) return get_reg<T>(c.s, i->rm);
    else return c.read<T>(i->seg, ea(c, i));
}

// Handlers that read their E operand and then finish without touching memory
// again: `H::with<T>(c, i, value)` does the rest (and returns next(c, i)).
// The memory form's fast path (the segment's bound compare and a front TLB
// hit, Core::try_read) contains no call, so such a handler saves no
// registers; when it fails, having done nothing, the ordinary load_e runs in
// an out-of-line copy entered as a tail call (docs/performance.md, "Third round").
template <typename H, typename T>
[[gnu::noinline]] const Insn* read_e_then_slow(Core& c, const Insn* i);

template <typename H, typename T, Form F>
HM_ALWAYS_INLINE const Insn* read_e_then(Core& c, const Insn* i) {
    T v;
    if constexpr (F == Form::Mem) {
        if (HM_UNLIKELY(!c.try_read<T>(i->seg, ea(c, i), v))) return read_e_then_slow<H, T>(c, i);
    } else {
        v = get_reg<T>(c.s, i->rm);
    }
    return H::template with<T>(c, i, v);
}

template <typename H, typename T>
[[gnu::noinline]] const Insn* read_e_then_slow(Core& c, const Insn* i) {
    return H::template with<T>(c, i, load_e<T, Form::Mem>(c, i));
}

// Writes the E operand.
template <typename T, Form F>
HM_ALWAYS_INLINE void store_e(Core& c, const Insn* i, T v) {
    if constexpr (F == Form::Reg) set_reg<T>(c.s, i->rm, v);
    else c.write<T>(i->seg, ea(c, i), v);
}

// Read-modify-write of the E operand: `op(old) -> new`; the load checks write
// permission so the store cannot fault after it, and both go through one TLB
// front lookup (Mmu::modify).
template <typename T, Form F, typename Op>
HM_ALWAYS_INLINE void rmw_e(Core& c, const Insn* i, Op op) {
    if constexpr (F == Form::Reg) {
        set_reg<T>(c.s, i->rm, op(get_reg<T>(c.s, i->rm)));
    } else {
        c.mmu.modify<T>(LinearAddr{c.lin_write<T>(i->seg, ea(c, i))}, c.data_priv, op);
    }
}

template <typename T>
constexpr unsigned bits_of() {
    return sizeof(T) * 8;
}

}  // namespace hm::cpu
