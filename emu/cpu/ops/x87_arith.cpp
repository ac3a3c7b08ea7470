// x87 arithmetic: FADD, FMUL, FSUB, FSUBR, FDIV, FDIVR in all their forms —
// ST(0) with a memory operand (D8 m32real, DC m64real, DA m32int, DE m16int),
// ST(0) with ST(i) (D8), ST(i) with ST(0) (DC), and the popping forms (DE).
// The DC/DE register forms swap the meaning of the SUB/SUBR and DIV/DIVR
// ModRM.reg values relative to D8 (SDM vol. 2 FSUB/FDIV opcode tables).
// Compares live in x87_compare.cpp; the D8-DE /2 /3 rows are theirs.
//
// The rows are in x87_table.cpp.
#include "cpu/ops/x87_handlers.hpp"

namespace hm::cpu {

namespace x87 {

namespace {
// dest = x op y (SubR/DivR: y op x).
Float80 apply(Op op, Env& e, Float80 x, Float80 y) {
    switch (op) {
        case Op::Add: return fpu::add(e, x, y);
        case Op::Mul: return fpu::mul(e, x, y);
        case Op::Sub: return fpu::sub(e, x, y);
        case Op::SubR: return fpu::sub(e, y, x);
        case Op::Div: return fpu::div(e, x, y);
        case Op::DivR: return fpu::div(e, y, x);
    }
    return x;
}
}  // namespace

// ST(0) = ST(0) op memory operand.
template <Op O, MemOperand M>
const Insn* arith_mem(Core& c, const Insn* i) {
    Env e;
    Float80 m;
    if (!begin_with_operand<M>(c, i, e, m)) return nullptr;
    FpuState& f = c.s.fpu;
    if (empty(f, 0)) {
        if (stack_underflow(c)) put(f, 0, fpu::kIndefinite);
        return next(c, i);
    }
    const Float80 r = apply(O, e, get(f, 0), m);
    if (commit(c, e)) put(f, 0, r);
    return next(c, i);
}

// Register forms: D8 ST(0) = ST(0) op ST(i); DC ST(i) = ST(i) op ST(0); DE the same, then pop.
template <Op O, bool ToSti, bool Pop>
const Insn* arith_reg(Core& c, const Insn* i) {
    if (!begin_recorded(c, i)) return nullptr;
    FpuState& f = c.s.fpu;
    const u8 n = i->rm;
    const u8 dest = ToSti ? n : 0;
    if (empty(f, 0) || empty(f, n)) {
        if (stack_underflow(c)) {
            put(f, dest, fpu::kIndefinite);
            if (Pop) pop(f);
        }
        return next(c, i);
    }
    Env e = env_of(c);
    const Float80 r = apply(O, e, get(f, dest), get(f, ToSti ? 0 : n));
    if (commit(c, e)) {
        put(f, dest, r);
        if (Pop) pop(f);
    }
    return next(c, i);
}

}  // namespace x87

// The forms the opcode table (x87_table.cpp) names.
#define HM_ARITH(O)                                                        \
    template const Insn* x87::arith_mem<O, x87::MemOperand::F32>(Core&, const Insn*); \
    template const Insn* x87::arith_mem<O, x87::MemOperand::F64>(Core&, const Insn*); \
    template const Insn* x87::arith_mem<O, x87::MemOperand::I32>(Core&, const Insn*); \
    template const Insn* x87::arith_mem<O, x87::MemOperand::I16>(Core&, const Insn*); \
    template const Insn* x87::arith_reg<O, false, false>(Core&, const Insn*);         \
    template const Insn* x87::arith_reg<O, true, false>(Core&, const Insn*);          \
    template const Insn* x87::arith_reg<O, true, true>(Core&, const Insn*);
HM_ARITH(x87::Op::Add)
HM_ARITH(x87::Op::Mul)
HM_ARITH(x87::Op::Sub)
HM_ARITH(x87::Op::SubR)
HM_ARITH(x87::Op::Div)
HM_ARITH(x87::Op::DivR)
#undef HM_ARITH

}  // namespace hm::cpu
