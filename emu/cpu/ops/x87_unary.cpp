// x87 operations on ST(0) (with ST(1) for FSCALE, FPREM, FPREM1): FCHS,
// FABS (sign only: no exception, not even for a signalling NaN), FSQRT
// (precision and rounding control apply), FRNDINT (rounding control only),
// FSCALE, FXTRACT and the partial remainders (exact, so precision control
// does not apply).
#include "cpu/fpu/transcendental.hpp"
#include "cpu/ops/x87_handlers.hpp"

namespace hm::cpu {
namespace x87 {

namespace {

// Runs `op` on ST(0) with the stack-underflow and exception handling shared by all four.
template <typename OpFn>
const Insn* on_st0(Core& c, const Insn* i, OpFn op) {
    if (!begin(c, i, true)) return nullptr;
    record(c, i);
    FpuState& f = c.s.fpu;
    if (empty(f, 0)) {
        if (stack_underflow(c)) put(f, 0, fpu::kIndefinite);
        return next(c, i);
    }
    Env e = env_of(c);
    const Float80 r = op(e, get(f, 0));
    if (commit(c, e)) put(f, 0, r);
    return next(c, i);
}

}  // namespace

const Insn* fchs(Core& c, const Insn* i) {
    return on_st0(c, i, [](Env&, Float80 v) { return Float80{v.sig, static_cast<u16>(v.se ^ 0x8000)}; });
}

const Insn* fabs(Core& c, const Insn* i) {
    return on_st0(c, i, [](Env&, Float80 v) { return Float80{v.sig, static_cast<u16>(v.se & 0x7FFF)}; });
}

const Insn* fsqrt(Core& c, const Insn* i) {
    return on_st0(c, i, [](Env& e, Float80 v) { return fpu::sqrt(e, v); });
}

const Insn* frndint(Core& c, const Insn* i) {
    return on_st0(c, i, [](Env& e, Float80 v) { return fpu::round_to_integral(e, v); });
}

// ST(0) = op(ST(0), ST(1)).
template <typename OpFn>
const Insn* on_st0_st1(Core& c, const Insn* i, OpFn op) {
    if (!begin(c, i, true)) return nullptr;
    record(c, i);
    FpuState& f = c.s.fpu;
    if (empty(f, 0) || empty(f, 1)) {
        if (stack_underflow(c)) put(f, 0, fpu::kIndefinite);
        return next(c, i);
    }
    Env e = env_of(c);
    const Float80 r = op(e, get(f, 0), get(f, 1));
    if (commit(c, e)) put(f, 0, r);
    return next(c, i);
}

const Insn* fscale(Core& c, const Insn* i) {
    return on_st0_st1(c, i, [](Env& e, Float80 a, Float80 b) { return fpu::scale(e, a, b); });
}

template <bool Ieee>
const Insn* fprem(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    record(c, i);
    FpuState& f = c.s.fpu;
    // Without a quotient (an empty register, NaN or invalid operands) C2 and C1
    // are cleared and C0/C3 keep their values, as on the host x87.
    if (empty(f, 0) || empty(f, 1)) {
        f.sw = static_cast<u16>(f.sw & ~sw::C2);
        if (stack_underflow(c)) put(f, 0, fpu::kIndefinite);
        return next(c, i);
    }
    Env e = env_of(c);
    const fpu::Remainder r = fpu::partial_remainder(e, get(f, 0), get(f, 1), Ieee);
    if (!commit(c, e)) return next(c, i);
    put(f, 0, r.value);
    if (!r.has_quotient) {
        f.sw = static_cast<u16>(f.sw & ~(sw::C2 | sw::C1));
        return next(c, i);
    }
    // C2: incomplete; C0, C3, C1: quotient bits 2, 1, 0 (all clear for a partial remainder).
    u16 cc = r.complete ? 0 : sw::C2;
    if (r.quotient_low & 4) cc |= sw::C0;
    if (r.quotient_low & 2) cc |= sw::C3;
    if (r.quotient_low & 1) cc |= sw::C1;
    f.sw = static_cast<u16>((f.sw & ~kCcMask) | cc);
    return next(c, i);
}
template const Insn* fprem<false>(Core&, const Insn*);
template const Insn* fprem<true>(Core&, const Insn*);

// ST(0) = exponent of ST(0), then the significand is pushed.
const Insn* fxtract(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    record(c, i);
    FpuState& f = c.s.fpu;
    if (empty(f, 0)) {
        if (stack_underflow(c)) {
            put(f, 0, fpu::kIndefinite);
            push(f, fpu::kIndefinite);
        }
        return next(c, i);
    }
    if (tag_of_phys(f, (top(f) + 7) & 7) != kTagEmpty) {
        if (stack_overflow(c)) {
            put(f, 0, fpu::kIndefinite);
            push(f, fpu::kIndefinite);
        }
        return next(c, i);
    }
    Env e = env_of(c);
    const fpu::Extracted x = fpu::extract(e, get(f, 0));
    if (!commit(c, e)) return next(c, i);
    put(f, 0, x.exponent);
    push(f, x.significand);
    return next(c, i);
}

const Insn* f2xm1(Core& c, const Insn* i) {
    return on_st0(c, i, [](Env& e, Float80 v) { return fpu::f2xm1(e, v); });
}

// FSIN (Push = false, Cos = false), FCOS (false, true), FSINCOS (true: ST(0) = sin, then cos pushed) and
// FPTAN (true: tan, then 1.0 pushed). An operand beyond 2^63 sets C2 and changes nothing else.
template <int Fn>
const Insn* trig(Core& c, const Insn* i) {
    constexpr bool kPush = Fn >= 2;
    if (!begin(c, i, true)) return nullptr;
    record(c, i);
    FpuState& f = c.s.fpu;
    const auto masked_fault = [&] {
        put(f, 0, fpu::kIndefinite);
        if (kPush) push(f, fpu::kIndefinite);
    };
    if (empty(f, 0)) {
        f.sw = static_cast<u16>(f.sw & ~sw::C2);
        if (stack_underflow(c)) masked_fault();
        return next(c, i);
    }
    if (kPush && tag_of_phys(f, (top(f) + 7) & 7) != kTagEmpty) {
        f.sw = static_cast<u16>(f.sw & ~sw::C2);
        if (stack_overflow(c)) masked_fault();
        return next(c, i);
    }
    Env e = env_of(c);
    const Float80 x = get(f, 0);
    fpu::TrigResult r;
    switch (Fn) {
        case 0: r = fpu::fsin(e, x); break;
        case 1: r = fpu::fcos(e, x); break;
        case 2: r = fpu::fsincos(e, x); break;
        default: r = fpu::fptan(e, x); break;
    }
    if (!r.in_range) {
        f.sw = static_cast<u16>((f.sw & ~sw::C1) | sw::C2);
        return next(c, i);
    }
    f.sw = static_cast<u16>(f.sw & ~sw::C2);
    if (!commit(c, e)) return next(c, i);
    put(f, 0, r.first);
    if (kPush) push(f, r.second);
    return next(c, i);
}
// ST(1) = op(ST(1), ST(0)), then pop: FPATAN, FYL2X, FYL2XP1.
template <int Fn>
const Insn* st1_op_pop(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    record(c, i);
    FpuState& f = c.s.fpu;
    if (empty(f, 0) || empty(f, 1)) {
        if (stack_underflow(c)) {
            put(f, 1, fpu::kIndefinite);
            pop(f);
        }
        return next(c, i);
    }
    Env e = env_of(c);
    const Float80 y = get(f, 1), x = get(f, 0);
    const Float80 r = Fn == 0 ? fpu::fpatan(e, y, x) : Fn == 1 ? fpu::fyl2x(e, y, x) : fpu::fyl2xp1(e, y, x);
    if (!commit(c, e)) return next(c, i);
    put(f, 1, r);
    pop(f);
    return next(c, i);
}
template const Insn* st1_op_pop<0>(Core&, const Insn*);
template const Insn* st1_op_pop<1>(Core&, const Insn*);
template const Insn* st1_op_pop<2>(Core&, const Insn*);

template const Insn* trig<0>(Core&, const Insn*);
template const Insn* trig<1>(Core&, const Insn*);
template const Insn* trig<2>(Core&, const Insn*);
template const Insn* trig<3>(Core&, const Insn*);

}  // namespace x87
}  // namespace hm::cpu
