// Lazy arithmetic flags: an instruction records its operands and result (four
// stores) and a flag is computed only when something reads it. See state.hpp for
// why values are kept sign-extended; with that, every formula works at bit 31:
//   carry vector of a + b = r:   (a & b) | ((a | b) & ~r)   (carry out of each bit)
//   borrow vector of a - b = r:  (~a & b) | ((~a | b) & r)
//   overflow of add:             (a ^ r) & (b ^ r)
//   overflow of sub:             (a ^ b) & (a ^ r)
//   auxiliary carry:             (a ^ b ^ r) bit 4
// The vectors hold whatever carry-in the operation had, so ADC/SBB need no extra
// state. Choices for flags the SDM leaves undefined are listed in docs/cpu.md.
#pragma once
#include <type_traits>

#include "cpu/state.hpp"

namespace hm::cpu {

template <typename T>
HM_ALWAYS_INLINE constexpr u32 sx(T v) {
    return static_cast<u32>(static_cast<i32>(static_cast<std::make_signed_t<T>>(v)));
}

HM_ALWAYS_INLINE void set_lazy(CpuState& s, FlagKind k, u32 a, u32 b, u32 r) {
    s.lazy.kind = k;
    s.lazy.a = a;
    s.lazy.b = b;
    s.lazy.res = r;
}

HM_ALWAYS_INLINE bool parity_even(u32 v) { return !__builtin_parity(v & 0xFF); }

inline bool get_cf(const CpuState& s) {
    const LazyFlags& f = s.lazy;
    switch (f.kind) {
        case FlagKind::None: return s.eflags & flag::CF;
        case FlagKind::Logic: return false;
        case FlagKind::Add: return f.res < f.a;
        case FlagKind::Adc: return (((f.a & f.b) | ((f.a | f.b) & ~f.res)) >> 31) & 1;
        case FlagKind::Sub: return f.a < f.b;
        case FlagKind::Sbb: return (((~f.a & f.b) | ((~f.a | f.b) & f.res)) >> 31) & 1;
        case FlagKind::Inc:
        case FlagKind::Dec: return f.b & 1;
        case FlagKind::Explicit: return f.a & flag::CF;
    }
    return false;
}

inline bool get_zf(const CpuState& s) {
    return s.lazy.kind == FlagKind::None ? (s.eflags & flag::ZF) != 0 : s.lazy.res == 0;
}

inline bool get_sf(const CpuState& s) {
    return s.lazy.kind == FlagKind::None ? (s.eflags & flag::SF) != 0 : static_cast<i32>(s.lazy.res) < 0;
}

inline bool get_pf(const CpuState& s) {
    return s.lazy.kind == FlagKind::None ? (s.eflags & flag::PF) != 0 : parity_even(s.lazy.res);
}

inline bool get_of(const CpuState& s) {
    const LazyFlags& f = s.lazy;
    switch (f.kind) {
        case FlagKind::None: return s.eflags & flag::OF;
        case FlagKind::Logic: return false;
        case FlagKind::Add:
        case FlagKind::Adc: return (((f.a ^ f.res) & (f.b ^ f.res)) >> 31) & 1;
        case FlagKind::Sub:
        case FlagKind::Sbb: return (((f.a ^ f.b) & (f.a ^ f.res)) >> 31) & 1;
        case FlagKind::Inc: return (((f.a ^ f.res) & (1u ^ f.res)) >> 31) & 1;
        case FlagKind::Dec: return (((f.a ^ 1u) & (f.a ^ f.res)) >> 31) & 1;
        case FlagKind::Explicit: return f.a & flag::OF;
    }
    return false;
}

inline bool get_af(const CpuState& s) {
    const LazyFlags& f = s.lazy;
    switch (f.kind) {
        case FlagKind::None: return s.eflags & flag::AF;
        case FlagKind::Logic: return false;
        case FlagKind::Add:
        case FlagKind::Adc:
        case FlagKind::Sub:
        case FlagKind::Sbb: return ((f.a ^ f.b ^ f.res) >> 4) & 1;
        case FlagKind::Inc:
        case FlagKind::Dec: return ((f.a ^ 1u ^ f.res) >> 4) & 1;
        case FlagKind::Explicit: return f.a & flag::AF;
    }
    return false;
}

// The six arithmetic flags as EFLAGS bits.
inline u32 arith_flags(const CpuState& s) {
    if (s.lazy.kind == FlagKind::None) return s.eflags & flag::kArith;
    return (get_cf(s) ? flag::CF : 0) | (get_pf(s) ? flag::PF : 0) | (get_af(s) ? flag::AF : 0) |
           (get_zf(s) ? flag::ZF : 0) | (get_sf(s) ? flag::SF : 0) | (get_of(s) ? flag::OF : 0);
}

// EFLAGS as the guest reads it.
inline u32 read_eflags(const CpuState& s) { return (s.eflags & ~flag::kArith) | arith_flags(s) | flag::kFixed1; }

// Makes the arithmetic flags concrete (before changing a few of them by hand).
inline void materialize_flags(CpuState& s) {
    if (s.lazy.kind != FlagKind::None) {
        s.eflags = (s.eflags & ~flag::kArith) | arith_flags(s);
        s.lazy.kind = FlagKind::None;
    }
}

// Replaces the arithmetic flags in `mask` with the bits of `value`.
inline void write_arith_flags(CpuState& s, u32 value, u32 mask) {
    materialize_flags(s);
    s.eflags = (s.eflags & ~mask) | (value & mask);
}

inline void set_cf(CpuState& s, bool cf) { write_arith_flags(s, cf ? flag::CF : 0, flag::CF); }

// Condition codes in their encoding order (Jcc/SETcc/CMOVcc low nibble).
enum class Cond : u8 { O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G };

// Evaluates a condition. CMP (Sub) and TEST (Logic) are by far the most common
// producers before a branch, so they get direct formulas.
template <Cond C>
HM_ALWAYS_INLINE bool test_cond(const CpuState& s) {
    constexpr unsigned base = static_cast<unsigned>(C) & ~1u;
    constexpr bool negate = static_cast<unsigned>(C) & 1u;
    const LazyFlags& f = s.lazy;
    bool v;
    if (f.kind == FlagKind::Sub) {
        const i32 sa = static_cast<i32>(f.a), sb = static_cast<i32>(f.b);
        if constexpr (base == 0) v = (((f.a ^ f.b) & (f.a ^ f.res)) >> 31) & 1;
        else if constexpr (base == 2) v = f.a < f.b;
        else if constexpr (base == 4) v = f.a == f.b;
        else if constexpr (base == 6) v = f.a <= f.b;
        else if constexpr (base == 8) v = static_cast<i32>(f.res) < 0;
        else if constexpr (base == 10) v = parity_even(f.res);
        else if constexpr (base == 12) v = sa < sb;
        else v = sa <= sb;
    } else if (f.kind == FlagKind::Logic) {
        const i32 sr = static_cast<i32>(f.res);
        if constexpr (base == 0 || base == 2) v = false;
        else if constexpr (base == 4 || base == 6) v = f.res == 0;
        else if constexpr (base == 8 || base == 12) v = sr < 0;
        else if constexpr (base == 10) v = parity_even(f.res);
        else v = sr <= 0;
    } else {
        if constexpr (base == 0) v = get_of(s);
        else if constexpr (base == 2) v = get_cf(s);
        else if constexpr (base == 4) v = get_zf(s);
        else if constexpr (base == 6) v = get_cf(s) || get_zf(s);
        else if constexpr (base == 8) v = get_sf(s);
        else if constexpr (base == 10) v = get_pf(s);
        else if constexpr (base == 12) v = get_sf(s) != get_of(s);
        else v = get_zf(s) || (get_sf(s) != get_of(s));
    }
    return v != negate;
}

bool test_cond(const CpuState& s, Cond c);

}  // namespace hm::cpu
