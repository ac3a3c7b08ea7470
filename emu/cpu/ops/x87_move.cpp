// x87 data movement: FLD/FILD/FBLD (push), FST/FSTP/FIST/FISTP/FBSTP, FLD
// ST(i), FST(P) ST(i), FXCH, FCMOVcc and the constant loads. A push onto a
// full register is a stack overflow (IE|SF, C1 = 1; masked: the real
// indefinite is pushed); reading an empty register is an underflow (IE|SF,
// C1 = 0; masked: the indefinite is used/stored). A store with an unmasked
// exception other than PE writes nothing and does not pop (SDM vol. 1 4.9.2).
#include "cpu/ops/x87_handlers.hpp"

namespace hm::cpu {
namespace x87 {

namespace {

// Pushes v unless the register below TOP is in use (overflow); true when pushed normally.
bool push_checked(Core& c, Float80 v) {
    FpuState& f = c.s.fpu;
    if (tag_of_phys(f, (top(f) + 7) & 7) != kTagEmpty) {
        if (stack_overflow(c)) push(f, fpu::kIndefinite);
        return false;
    }
    f.sw = static_cast<u16>(f.sw & ~sw::C1);
    push(f, v);
    return true;
}

// The indefinite of each memory format (what a masked invalid store writes).
constexpr u64 kIndefiniteF32 = 0xFFC00000u, kIndefiniteF64 = 0xFFF8000000000000ull;

// 66-bit constants (SDM vol. 1 8.3.8: rounded by RC on the 387 and later):
// the 64-bit significand truncated, and whether the dropped bits are above half
// (RN and RU round up) or below (only RU does).
struct Constant {
    u64 sig;
    u16 se;
    bool above_half;
};
constexpr Constant kConstants[7] = {
    {0x8000000000000000ull, 0x3FFF, false},  // 1
    {0xD49A784BCD1B8AFEull, 0x4000, false},  // log2(10) ...8AFE 4...
    {0xB8AA3B295C17F0BBull, 0x3FFF, true},   // log2(e)  ...F0BB B...
    {0xC90FDAA22168C234ull, 0x4000, true},   // pi       ...C234 C...
    {0x9A209A84FBCFF798ull, 0x3FFD, true},   // log10(2) ...F798 8F...
    {0xB17217F7D1CF79ABull, 0x3FFE, true},   // ln(2)    ...79AB C...
    {0, 0, false},                           // +0
};
constexpr bool kInexact[7] = {false, true, true, true, true, true, false};

}  // namespace

template <Fmt F>
const Insn* fld_mem(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    Env e = env_of(c);
    Float80 v;
    const u32 a = ea(c, i);
    if constexpr (F == Fmt::F32) v = fpu::from_f32(e, c.read<u32>(i->seg, a));
    else if constexpr (F == Fmt::F64) v = fpu::from_f64(e, c.read<u64>(i->seg, a));
    else if constexpr (F == Fmt::F80) v = read_m80(c, i, 0);
    else if constexpr (F == Fmt::I16) v = fpu::from_int(static_cast<i16>(c.read<u16>(i->seg, a)));
    else if constexpr (F == Fmt::I32) v = fpu::from_int(static_cast<i32>(c.read<u32>(i->seg, a)));
    else if constexpr (F == Fmt::I64) v = fpu::from_int(static_cast<i64>(c.read<u64>(i->seg, a)));
    else {
        u8 bcd[10];
        for (u32 k = 0; k < 10; ++k) bcd[k] = c.read<u8>(i->seg, ea_plus(c, i, k));
        v = fpu::from_bcd(bcd);
    }
    record(c, i);
    FpuState& f = c.s.fpu;
    if (tag_of_phys(f, (top(f) + 7) & 7) != kTagEmpty) {
        if (stack_overflow(c)) push(f, fpu::kIndefinite);
        return next(c, i);
    }
    commit(c, e);
    // Only an unmasked IE (signalling NaN) stops the load: a denormal is loaded
    // even when DE is unmasked (as the host x87 does).
    if (!(e.flags & sw::IE & ~f.cw)) push(f, v);
    return next(c, i);
}

const Insn* fld_reg(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    record(c, i);
    FpuState& f = c.s.fpu;
    if (empty(f, i->rm)) {
        // Underflow only (C1 = 0), even when the push also meets a full register.
        if (stack_underflow(c)) push(f, fpu::kIndefinite);
        return next(c, i);
    }
    push_checked(c, get(f, i->rm));
    return next(c, i);
}

template <Fmt F, bool Pop>
const Insn* fst_mem(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    FpuState& f = c.s.fpu;
    Env e = env_of(c);
    const bool underflow = empty(f, 0);
    if (underflow) e.flags |= sw::IE;  // the masked response stores the indefinite
    const Float80 v = underflow ? fpu::kIndefinite : get(f, 0);
    u64 bits = 0;
    u8 bcd[10];
    if constexpr (F == Fmt::F32) bits = underflow ? kIndefiniteF32 : fpu::to_f32(e, v);
    else if constexpr (F == Fmt::F64) bits = underflow ? kIndefiniteF64 : fpu::to_f64(e, v);
    else if constexpr (F == Fmt::I16) bits = static_cast<u16>(fpu::to_int(e, v, 16));
    else if constexpr (F == Fmt::I32) bits = static_cast<u32>(fpu::to_int(e, v, 32));
    else if constexpr (F == Fmt::I64) bits = static_cast<u64>(fpu::to_int(e, v, 64));
    else if constexpr (F == Fmt::Bcd) fpu::to_bcd(e, v, bcd);
    const bool stores = !(e.flags & ~f.cw & (sw::IE | sw::OE | sw::UE));
    if (stores) {  // the only step that can fault: nothing has changed yet
        const u32 a = ea(c, i);
        if constexpr (F == Fmt::F32 || F == Fmt::I32) c.write<u32>(i->seg, a, static_cast<u32>(bits));
        else if constexpr (F == Fmt::F64 || F == Fmt::I64) c.write<u64>(i->seg, a, bits);
        else if constexpr (F == Fmt::I16) c.write<u16>(i->seg, a, static_cast<u16>(bits));
        else if constexpr (F == Fmt::F80) {
            probe_write(c, i, 10);
            write_m80(c, i, 0, v);
        } else {
            probe_write(c, i, 10);
            for (u32 k = 0; k < 10; ++k) c.write<u8>(i->seg, ea_plus(c, i, k), bcd[k]);
        }
    }
    record(c, i);
    if (underflow) {
        e.flags &= static_cast<u16>(~sw::IE);
        if (!stack_underflow(c)) return next(c, i);
        if (Pop) pop(f);
        return next(c, i);
    }
    commit(c, e);
    if (stores && Pop) pop(f);
    return next(c, i);
}

template <bool Pop>
const Insn* fst_reg(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    record(c, i);
    FpuState& f = c.s.fpu;
    if (empty(f, 0)) {
        if (stack_underflow(c)) {
            put(f, i->rm, fpu::kIndefinite);
            if (Pop) pop(f);
        }
        return next(c, i);
    }
    f.sw = static_cast<u16>(f.sw & ~sw::C1);
    put(f, i->rm, get(f, 0));
    if (Pop) pop(f);
    return next(c, i);
}

const Insn* fxch(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    record(c, i);
    FpuState& f = c.s.fpu;
    const u8 n = i->rm;
    if (empty(f, 0) || empty(f, n)) {
        if (!stack_underflow(c)) return next(c, i);
        // Masked: empty registers take the indefinite, then the exchange happens.
        if (empty(f, 0)) put(f, 0, fpu::kIndefinite);
        if (empty(f, n)) put(f, n, fpu::kIndefinite);
    } else {
        f.sw = static_cast<u16>(f.sw & ~sw::C1);
    }
    const Float80 a = get(f, 0), b = get(f, n);
    put(f, 0, b);
    put(f, n, a);
    return next(c, i);
}

template <FCond C, bool Negate>
const Insn* fcmov(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    record(c, i);
    FpuState& f = c.s.fpu;
    bool take;
    switch (C) {
        case FCond::B: take = get_cf(c.s); break;
        case FCond::E: take = get_zf(c.s); break;
        case FCond::BE: take = get_cf(c.s) || get_zf(c.s); break;
        case FCond::U: take = get_pf(c.s); break;
    }
    if (Negate) take = !take;
    if (empty(f, 0) || empty(f, i->rm)) {
        if (stack_underflow(c)) put(f, 0, fpu::kIndefinite);
        return next(c, i);
    }
    if (take) put(f, 0, get(f, i->rm));  // C1 keeps its value
    return next(c, i);
}

template <unsigned K>
const Insn* fld_const(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    record(c, i);
    const Constant& k = kConstants[K];
    Float80 v{k.sig, k.se};
    if (kInexact[K]) {  // no PE, and C1 = 0 even when rounded up (as the host x87 does)
        const auto rc = static_cast<fpu::Rounding>((c.s.fpu.cw & fcw::kRcMask) >> fcw::kRcShift);
        if (rc == fpu::Rounding::Up || (rc == fpu::Rounding::Nearest && k.above_half)) ++v.sig;
    }
    push_checked(c, v);
    return next(c, i);
}

}  // namespace x87

template const Insn* x87::fld_mem<x87::Fmt::F32>(Core&, const Insn*);
template const Insn* x87::fld_mem<x87::Fmt::F64>(Core&, const Insn*);
template const Insn* x87::fld_mem<x87::Fmt::F80>(Core&, const Insn*);
template const Insn* x87::fld_mem<x87::Fmt::I16>(Core&, const Insn*);
template const Insn* x87::fld_mem<x87::Fmt::I32>(Core&, const Insn*);
template const Insn* x87::fld_mem<x87::Fmt::I64>(Core&, const Insn*);
template const Insn* x87::fld_mem<x87::Fmt::Bcd>(Core&, const Insn*);
template const Insn* x87::fst_mem<x87::Fmt::F32, false>(Core&, const Insn*);
template const Insn* x87::fst_mem<x87::Fmt::F32, true>(Core&, const Insn*);
template const Insn* x87::fst_mem<x87::Fmt::F64, false>(Core&, const Insn*);
template const Insn* x87::fst_mem<x87::Fmt::F64, true>(Core&, const Insn*);
template const Insn* x87::fst_mem<x87::Fmt::F80, true>(Core&, const Insn*);
template const Insn* x87::fst_mem<x87::Fmt::I16, false>(Core&, const Insn*);
template const Insn* x87::fst_mem<x87::Fmt::I16, true>(Core&, const Insn*);
template const Insn* x87::fst_mem<x87::Fmt::I32, false>(Core&, const Insn*);
template const Insn* x87::fst_mem<x87::Fmt::I32, true>(Core&, const Insn*);
template const Insn* x87::fst_mem<x87::Fmt::I64, true>(Core&, const Insn*);
template const Insn* x87::fst_mem<x87::Fmt::Bcd, true>(Core&, const Insn*);
template const Insn* x87::fst_reg<false>(Core&, const Insn*);
template const Insn* x87::fst_reg<true>(Core&, const Insn*);
template const Insn* x87::fcmov<x87::FCond::B, false>(Core&, const Insn*);
template const Insn* x87::fcmov<x87::FCond::E, false>(Core&, const Insn*);
template const Insn* x87::fcmov<x87::FCond::BE, false>(Core&, const Insn*);
template const Insn* x87::fcmov<x87::FCond::U, false>(Core&, const Insn*);
template const Insn* x87::fcmov<x87::FCond::B, true>(Core&, const Insn*);
template const Insn* x87::fcmov<x87::FCond::E, true>(Core&, const Insn*);
template const Insn* x87::fcmov<x87::FCond::BE, true>(Core&, const Insn*);
template const Insn* x87::fcmov<x87::FCond::U, true>(Core&, const Insn*);
template const Insn* x87::fld_const<0>(Core&, const Insn*);
template const Insn* x87::fld_const<1>(Core&, const Insn*);
template const Insn* x87::fld_const<2>(Core&, const Insn*);
template const Insn* x87::fld_const<3>(Core&, const Insn*);
template const Insn* x87::fld_const<4>(Core&, const Insn*);
template const Insn* x87::fld_const<5>(Core&, const Insn*);
template const Insn* x87::fld_const<6>(Core&, const Insn*);

}  // namespace hm::cpu
