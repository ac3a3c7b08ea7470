// The x87 handlers the escape opcode table (x87_table.cpp) names, one group
// per semantic file. Templates are instantiated explicitly in their files for
// the forms the table uses.
#pragma once
#include "cpu/ops/x87.hpp"

namespace hm::cpu::x87 {

// x87_arith.cpp
enum class Op : u8 { Add, Mul, Sub, SubR, Div, DivR };
template <Op O, MemOperand M>
const Insn* arith_mem(Core& c, const Insn* i);
template <Op O, bool ToSti, bool Pop>
const Insn* arith_reg(Core& c, const Insn* i);

// x87_compare.cpp
template <MemOperand M, int Pops>
const Insn* compare_mem(Core& c, const Insn* i);  // FCOM/FCOMP m32/m64, FICOM/FICOMP
template <bool Quiet, int Pops>
const Insn* compare_reg(Core& c, const Insn* i);  // FCOM/FCOMP/FCOMPP, FUCOM/FUCOMP/FUCOMPP
template <bool Quiet, bool Pop>
const Insn* compare_eflags(Core& c, const Insn* i);  // FCOMI/FCOMIP/FUCOMI/FUCOMIP
const Insn* ftst(Core& c, const Insn* i);
const Insn* fxam(Core& c, const Insn* i);

// x87_move.cpp
enum class Fmt : u8 { F32, F64, F80, I16, I32, I64, Bcd };
template <Fmt F>
const Insn* fld_mem(Core& c, const Insn* i);
const Insn* fld_reg(Core& c, const Insn* i);
template <Fmt F, bool Pop>
const Insn* fst_mem(Core& c, const Insn* i);
template <bool Pop>
const Insn* fst_reg(Core& c, const Insn* i);
const Insn* fxch(Core& c, const Insn* i);
enum class FCond : u8 { B, E, BE, U };
template <FCond C, bool Negate>
const Insn* fcmov(Core& c, const Insn* i);
template <unsigned K>  // 0 FLD1, 1 FLDL2T, 2 FLDL2E, 3 FLDPI, 4 FLDLG2, 5 FLDLN2, 6 FLDZ
const Insn* fld_const(Core& c, const Insn* i);

// x87_unary.cpp
const Insn* fchs(Core& c, const Insn* i);
const Insn* fabs(Core& c, const Insn* i);
const Insn* fsqrt(Core& c, const Insn* i);
const Insn* frndint(Core& c, const Insn* i);
const Insn* fscale(Core& c, const Insn* i);
const Insn* fxtract(Core& c, const Insn* i);
template <bool Ieee>  // false: FPREM, true: FPREM1
const Insn* fprem(Core& c, const Insn* i);
const Insn* f2xm1(Core& c, const Insn* i);
template <int Fn>  // 0 FSIN, 1 FCOS, 2 FSINCOS, 3 FPTAN
const Insn* trig(Core& c, const Insn* i);
template <int Fn>  // 0 FPATAN, 1 FYL2X, 2 FYL2XP1
const Insn* st1_op_pop(Core& c, const Insn* i);

// x87_control.cpp
const Insn* fninit(Core& c, const Insn* i);
const Insn* fnclex(Core& c, const Insn* i);
const Insn* fnop_nowait(Core& c, const Insn* i);  // FENI/FDISI/FSETPM: no-ops on a 387 and later
const Insn* fldcw(Core& c, const Insn* i);
const Insn* fnstcw(Core& c, const Insn* i);
const Insn* fnstsw_mem(Core& c, const Insn* i);
const Insn* fnstsw_ax(Core& c, const Insn* i);
const Insn* ffree(Core& c, const Insn* i);
const Insn* ffreep(Core& c, const Insn* i);
const Insn* fincstp(Core& c, const Insn* i);
const Insn* fdecstp(Core& c, const Insn* i);
const Insn* fnop(Core& c, const Insn* i);
const Insn* fldenv(Core& c, const Insn* i);
const Insn* fnstenv(Core& c, const Insn* i);
const Insn* frstor(Core& c, const Insn* i);
const Insn* fnsave(Core& c, const Insn* i);
const Insn* fwait(Core& c, const Insn* i);
// An encoding in the escape space that means nothing: #NM first (CR0.EM/TS), then #UD.
const Insn* undefined(Core& c, const Insn* i);

}  // namespace hm::cpu::x87
