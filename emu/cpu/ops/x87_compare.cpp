// x87 compares: FCOM/FCOMP/FCOMPP and FICOM/FICOMP (any NaN is invalid),
// FUCOM/FUCOMP/FUCOMPP (only a signalling NaN is), FCOMI/FCOMIP/FUCOMI/FUCOMIP
// (the P6 forms that set ZF/PF/CF), FTST and FXAM. Condition codes (SDM vol. 1
// tables 8-6, 8-7): greater 000, less C0, equal C3, unordered C3 C2 C0; C1 = 0.
// An empty operand is a stack underflow whose masked response is "unordered";
// an unmasked invalid operation still sets them but leaves the stack alone.
#include "cpu/ops/x87_handlers.hpp"

namespace hm::cpu {
namespace x87 {

namespace {

u16 cc_of(fpu::Order o) {
    switch (o) {
        case fpu::Order::Less: return sw::C0;
        case fpu::Order::Equal: return sw::C3;
        case fpu::Order::Greater: return 0;
        case fpu::Order::Unordered: break;
    }
    return sw::C0 | sw::C2 | sw::C3;
}

void set_cc(FpuState& f, u16 cc) { f.sw = static_cast<u16>((f.sw & ~kCcMask) | cc); }

void pop_n(FpuState& f, int n) {
    for (int k = 0; k < n; ++k) pop(f);
}

// Compares ST(0) with b; sets the condition codes (even under an unmasked
// invalid-operation or denormal exception, as the host x87 does) and pops
// only when it completes.
void compare_st0(Core& c, Float80 b, Env& e, bool quiet, int pops) {
    FpuState& f = c.s.fpu;
    const fpu::Order o = fpu::compare(e, get(f, 0), b, quiet);
    e.c1 = false;
    const bool done = commit(c, e);
    set_cc(f, cc_of(o));
    if (done) pop_n(f, pops);
}

// An empty operand: "unordered" whether or not IE is masked (as the host x87
// shows); the pops happen only under the masked response.
void underflow(Core& c, int pops) {
    const bool masked = stack_underflow(c);
    set_cc(c.s.fpu, sw::C0 | sw::C2 | sw::C3);
    if (masked) pop_n(c.s.fpu, pops);
}

// ZF, PF, CF as FCOMI sets them (OF, SF, AF cleared).
u32 eflags_of(fpu::Order o) {
    switch (o) {
        case fpu::Order::Less: return flag::CF;
        case fpu::Order::Equal: return flag::ZF;
        case fpu::Order::Greater: return 0;
        case fpu::Order::Unordered: break;
    }
    return flag::ZF | flag::PF | flag::CF;
}

}  // namespace

template <MemOperand M, int Pops>
const Insn* compare_mem(Core& c, const Insn* i) {
    Env e;
    Float80 m;
    if (!begin_with_operand<M>(c, i, e, m)) return nullptr;
    FpuState& f = c.s.fpu;
    if (empty(f, 0)) {
        underflow(c, Pops);
        return next(c, i);
    }
    compare_st0(c, m, e, false, Pops);
    return next(c, i);
}

template <bool Quiet, int Pops>
const Insn* compare_reg(Core& c, const Insn* i) {
    if (!begin_recorded(c, i)) return nullptr;
    FpuState& f = c.s.fpu;
    if (empty(f, 0) || empty(f, i->rm)) {
        underflow(c, Pops);
        return next(c, i);
    }
    Env e = env_of(c);
    compare_st0(c, get(f, i->rm), e, Quiet, Pops);
    return next(c, i);
}

template <bool Quiet, bool Pop>
const Insn* compare_eflags(Core& c, const Insn* i) {
    if (!begin_recorded(c, i)) return nullptr;
    FpuState& f = c.s.fpu;
    constexpr u32 kMask = flag::ZF | flag::PF | flag::CF | flag::OF | flag::SF | flag::AF;
    if (empty(f, 0) || empty(f, i->rm)) {
        const bool masked = stack_underflow(c);
        write_arith_flags(c.s, eflags_of(fpu::Order::Unordered), kMask);
        if (masked && Pop) pop(f);
        return next(c, i);
    }
    // C1 keeps its value (the host x87 leaves it); ZF/PF/CF are set even under
    // an unmasked invalid operation.
    Env e = env_of(c);
    const fpu::Order o = fpu::compare(e, get(f, 0), get(f, i->rm), Quiet);
    const u16 c1 = f.sw & sw::C1;
    const bool done = commit(c, e);
    f.sw = static_cast<u16>((f.sw & ~sw::C1) | c1);
    write_arith_flags(c.s, eflags_of(o), kMask);
    if (done && Pop) pop(f);
    return next(c, i);
}

const Insn* ftst(Core& c, const Insn* i) {
    if (!begin_recorded(c, i)) return nullptr;
    FpuState& f = c.s.fpu;
    if (empty(f, 0)) {
        underflow(c, 0);
        return next(c, i);
    }
    Env e = env_of(c);
    compare_st0(c, Float80{0, 0}, e, false, 0);
    return next(c, i);
}

// C3 C2 C0: unsupported 000, NaN 001, normal 010, infinity 011, zero 100,
// empty 101, denormal 110; C1 = the sign bit. Never raises an exception.
const Insn* fxam(Core& c, const Insn* i) {
    if (!begin_recorded(c, i)) return nullptr;
    FpuState& f = c.s.fpu;
    const Float80 v = get(f, 0);
    u16 cc = v.sign() ? sw::C1 : 0;
    if (empty(f, 0)) {
        cc |= sw::C3 | sw::C0;
    } else {
        switch (fpu::classify(v)) {
            case fpu::Class::Unsupported: break;
            case fpu::Class::QNaN:
            case fpu::Class::SNaN: cc |= sw::C0; break;
            case fpu::Class::Normal: cc |= sw::C2; break;
            case fpu::Class::Infinity: cc |= sw::C2 | sw::C0; break;
            case fpu::Class::Zero: cc |= sw::C3; break;
            case fpu::Class::Denormal: cc |= sw::C3 | sw::C2; break;
        }
    }
    set_cc(f, cc);
    return next(c, i);
}

}  // namespace x87

template const Insn* x87::compare_mem<x87::MemOperand::F32, 0>(Core&, const Insn*);
template const Insn* x87::compare_mem<x87::MemOperand::F32, 1>(Core&, const Insn*);
template const Insn* x87::compare_mem<x87::MemOperand::F64, 0>(Core&, const Insn*);
template const Insn* x87::compare_mem<x87::MemOperand::F64, 1>(Core&, const Insn*);
template const Insn* x87::compare_mem<x87::MemOperand::I16, 0>(Core&, const Insn*);
template const Insn* x87::compare_mem<x87::MemOperand::I16, 1>(Core&, const Insn*);
template const Insn* x87::compare_mem<x87::MemOperand::I32, 0>(Core&, const Insn*);
template const Insn* x87::compare_mem<x87::MemOperand::I32, 1>(Core&, const Insn*);
template const Insn* x87::compare_reg<false, 0>(Core&, const Insn*);
template const Insn* x87::compare_reg<false, 1>(Core&, const Insn*);
template const Insn* x87::compare_reg<false, 2>(Core&, const Insn*);
template const Insn* x87::compare_reg<true, 0>(Core&, const Insn*);
template const Insn* x87::compare_reg<true, 1>(Core&, const Insn*);
template const Insn* x87::compare_reg<true, 2>(Core&, const Insn*);
template const Insn* x87::compare_eflags<false, false>(Core&, const Insn*);
template const Insn* x87::compare_eflags<false, true>(Core&, const Insn*);
template const Insn* x87::compare_eflags<true, false>(Core&, const Insn*);
template const Insn* x87::compare_eflags<true, true>(Core&, const Insn*);

}  // namespace hm::cpu
