// The x87 escape opcodes D8-DF as data: one row per (opcode, ModRM.reg) with
// the memory form and the register form (mod = 3) side by side, and, where the
// register forms of one row are different instructions (D9 /2 /4-/7, DA /5,
// DB /4, DE /3, DF /4), an eight-entry table keyed by ModRM.rm. Undefined
// encodings give #NM under CR0.EM/TS and #UD otherwise.
//
// Costs: Intel486 clock counts (docs/cycle-costs.md): FADD/FSUB 10 (486
// range 8-20), FMUL 16 (m32 11, m64 14), FDIV 73, FIADD/FISUB m16 20 / m32
// 19, FIMUL 23 / 22, FIDIV 85 / 84, FCOM 4, FICOM m16 16 / m32 15, FLD m32/m64
// 3, m80 6, ST(i) 4, FILD m16 13 / m32 9 / m64 10, FBLD 70, FST m32 7, m64 8,
// ST(i) 3, FSTP m80 6, FIST(P) m16 29 / m32 28 / m64 28, FBSTP 172, FXCH 4,
// FLDENV 44, FNSTENV 67, FRSTOR 131, FNSAVE 154, FLDCW 4, FNSTCW/FNSTSW 3,
// FFREE 3, F2XM1 140, FPTAN 200, FSINCOS 292, FSIN/FCOS 257, FPATAN 218,
// FYL2X 196, FYL2XP1 171 (the low ends of the 486 ranges). The P6 additions
// are charged like their 486 analogues: FCMOVcc as FLD ST(i) (4),
// FCOMI/FUCOMI as FCOM (4). Rows whose register forms differ
// by ModRM.rm charge those forms from their rm table.
#include "cpu/ops/x87_handlers.hpp"

namespace hm::cpu {

namespace {

using namespace x87;

// The memory and register forms of one row (&x87::undefined where a form means nothing;
// no null test here: comparing a function's address is not a constant expression under UBSan).
constexpr Forms x87_forms(Handler mem, Handler reg) {
    Forms f{};
    for (auto& o : f.h)
        for (auto& a : o) {
            a[1] = mem;
            a[0] = reg;
        }
    return f;
}

struct RmEntry {
    Handler fn;
    u16 cycles;
};
using RmTable = RmEntry[8];

template <const RmTable& T>
const Insn* by_rm(Core& c, const Insn* i) {
    const RmEntry& e = T[i->rm & 7];
    charge(c, e.cycles);
    return e.fn(c, i);
}

constexpr RmEntry kUd{&x87::undefined, 0};

constexpr RmTable kD9D0 = {{&fnop, 1}, kUd, kUd, kUd, kUd, kUd, kUd, kUd};
constexpr RmTable kD9E0 = {{&fchs, 6}, {&fabs, 3}, kUd, kUd, {&ftst, 4}, {&fxam, 8}, kUd, kUd};
constexpr RmTable kD9E8 = {{&fld_const<0>, 4}, {&fld_const<1>, 8}, {&fld_const<2>, 8}, {&fld_const<3>, 8},
                           {&fld_const<4>, 8}, {&fld_const<5>, 8}, {&fld_const<6>, 4}, kUd};
// F2XM1, FYL2X, FPTAN, FPATAN, FXTRACT, FPREM1, FDECSTP, FINCSTP
constexpr RmTable kD9F0 = {{&f2xm1, 140}, {&st1_op_pop<1>, 196}, {&trig<3>, 200}, {&st1_op_pop<0>, 218},
                           {&fxtract, 16}, {&fprem<true>, 72}, {&fdecstp, 3}, {&fincstp, 3}};
// FPREM, FYL2XP1, FSQRT, FSINCOS, FRNDINT, FSCALE, FSIN, FCOS
constexpr RmTable kD9F8 = {{&fprem<false>, 70}, {&st1_op_pop<2>, 171}, {&fsqrt, 83}, {&trig<2>, 292},
                           {&frndint, 21},     {&fscale, 30},  {&trig<0>, 257}, {&trig<1>, 257}};
constexpr RmTable kDAE8 = {kUd, {&compare_reg<true, 2>, 5}, kUd, kUd, kUd, kUd, kUd, kUd};
// FENI, FDISI (8087), FNCLEX, FNINIT, FSETPM (287): the 8087/287 ones do nothing on a 387 and later.
constexpr RmTable kDBE0 = {{&fnop_nowait, 1}, {&fnop_nowait, 1}, {&fnclex, 7}, {&fninit, 17},
                           {&fnop_nowait, 1}, kUd, kUd, kUd};
constexpr RmTable kDED8 = {kUd, {&compare_reg<false, 2>, 5}, kUd, kUd, kUd, kUd, kUd, kUd};
constexpr RmTable kDFE0 = {{&fnstsw_ax, 3}, kUd, kUd, kUd, kUd, kUd, kUd, kUd};

using M = MemOperand;

constexpr OpcodeDef kRows[] = {
    // D8: ST(0) op m32real | ST(0) op ST(i)
    {0xD8, 0xD8, 0, "FADD Ed", x87_forms(&arith_mem<Op::Add, M::F32>, &arith_reg<Op::Add, false, false>), 0, 10, 10},
    {0xD8, 0xD8, 1, "FMUL Ed", x87_forms(&arith_mem<Op::Mul, M::F32>, &arith_reg<Op::Mul, false, false>), 0, 16, 11},
    {0xD8, 0xD8, 2, "FCOM Ed", x87_forms(&compare_mem<M::F32, 0>, &compare_reg<false, 0>), 0, 4, 4},
    {0xD8, 0xD8, 3, "FCOMP Ed", x87_forms(&compare_mem<M::F32, 1>, &compare_reg<false, 1>), 0, 4, 4},
    {0xD8, 0xD8, 4, "FSUB Ed", x87_forms(&arith_mem<Op::Sub, M::F32>, &arith_reg<Op::Sub, false, false>), 0, 10, 10},
    {0xD8, 0xD8, 5, "FSUBR Ed", x87_forms(&arith_mem<Op::SubR, M::F32>, &arith_reg<Op::SubR, false, false>), 0, 10, 10},
    {0xD8, 0xD8, 6, "FDIV Ed", x87_forms(&arith_mem<Op::Div, M::F32>, &arith_reg<Op::Div, false, false>), 0, 73, 73},
    {0xD8, 0xD8, 7, "FDIVR Ed", x87_forms(&arith_mem<Op::DivR, M::F32>, &arith_reg<Op::DivR, false, false>), 0, 73, 73},
    // D9: loads/stores of m32real, environment and control word | FLD/FXCH ST(i), rm-keyed groups
    {0xD9, 0xD9, 0, "FLD Ed", x87_forms(&fld_mem<Fmt::F32>, &fld_reg), 0, 4, 3},
    {0xD9, 0xD9, 1, "FXCH Ed", x87_forms(&x87::undefined, &fxch), 0, 4, 4},
    {0xD9, 0xD9, 2, "FST Ed", x87_forms(&fst_mem<Fmt::F32, false>, &by_rm<kD9D0>), 0, 0, 7},
    {0xD9, 0xD9, 3, "FSTP Ed", x87_forms(&fst_mem<Fmt::F32, true>, &fst_reg<true>), 0, 3, 7},
    {0xD9, 0xD9, 4, "FLDENV Ev", x87_forms(&fldenv, &by_rm<kD9E0>), 0, 0, 44},
    {0xD9, 0xD9, 5, "FLDCW Ew", x87_forms(&fldcw, &by_rm<kD9E8>), 0, 0, 4},
    {0xD9, 0xD9, 6, "FNSTENV Ev", x87_forms(&fnstenv, &by_rm<kD9F0>), 0, 0, 67},
    {0xD9, 0xD9, 7, "FNSTCW Ew", x87_forms(&fnstcw, &by_rm<kD9F8>), 0, 0, 3},
    // DA: m32int arithmetic | FCMOVB/E/BE/U, FUCOMPP
    {0xDA, 0xDA, 0, "FIADD Ed", x87_forms(&arith_mem<Op::Add, M::I32>, &fcmov<FCond::B, false>), 0, 4, 19},
    {0xDA, 0xDA, 1, "FIMUL Ed", x87_forms(&arith_mem<Op::Mul, M::I32>, &fcmov<FCond::E, false>), 0, 4, 22},
    {0xDA, 0xDA, 2, "FICOM Ed", x87_forms(&compare_mem<M::I32, 0>, &fcmov<FCond::BE, false>), 0, 4, 15},
    {0xDA, 0xDA, 3, "FICOMP Ed", x87_forms(&compare_mem<M::I32, 1>, &fcmov<FCond::U, false>), 0, 4, 15},
    {0xDA, 0xDA, 4, "FISUB Ed", x87_forms(&arith_mem<Op::Sub, M::I32>, &x87::undefined), 0, 0, 19},
    {0xDA, 0xDA, 5, "FISUBR Ed", x87_forms(&arith_mem<Op::SubR, M::I32>, &by_rm<kDAE8>), 0, 0, 19},
    {0xDA, 0xDA, 6, "FIDIV Ed", x87_forms(&arith_mem<Op::Div, M::I32>, &x87::undefined), 0, 0, 84},
    {0xDA, 0xDA, 7, "FIDIVR Ed", x87_forms(&arith_mem<Op::DivR, M::I32>, &x87::undefined), 0, 0, 84},
    // DB: m32int and m80real loads/stores | FCMOVNB/NE/NBE/NU, FNCLEX/FNINIT, FUCOMI/FCOMI
    {0xDB, 0xDB, 0, "FILD Ed", x87_forms(&fld_mem<Fmt::I32>, &fcmov<FCond::B, true>), 0, 4, 9},
    {0xDB, 0xDB, 1, "FCMOVNE Ed", x87_forms(&x87::undefined, &fcmov<FCond::E, true>), 0, 4, 0},  // m: FISTTP is SSE3
    {0xDB, 0xDB, 2, "FIST Ed", x87_forms(&fst_mem<Fmt::I32, false>, &fcmov<FCond::BE, true>), 0, 4, 28},
    {0xDB, 0xDB, 3, "FISTP Ed", x87_forms(&fst_mem<Fmt::I32, true>, &fcmov<FCond::U, true>), 0, 4, 28},
    {0xDB, 0xDB, 4, "FNINIT Ev", x87_forms(&x87::undefined, &by_rm<kDBE0>), 0, 0, 0},
    {0xDB, 0xDB, 5, "FLD Ev", x87_forms(&fld_mem<Fmt::F80>, &compare_eflags<true, false>), 0, 4, 6},
    {0xDB, 0xDB, 6, "FCOMI Ev", x87_forms(&x87::undefined, &compare_eflags<false, false>), 0, 4, 0},
    {0xDB, 0xDB, 7, "FSTP Ev", x87_forms(&fst_mem<Fmt::F80, true>, &x87::undefined), 0, 0, 6},
    // DC: ST(0) op m64real | ST(i) op ST(0) (SUB/SUBR, DIV/DIVR swapped); /2 /3 FCOM aliases
    {0xDC, 0xDC, 0, "FADD Eq", x87_forms(&arith_mem<Op::Add, M::F64>, &arith_reg<Op::Add, true, false>), 0, 10, 10},
    {0xDC, 0xDC, 1, "FMUL Eq", x87_forms(&arith_mem<Op::Mul, M::F64>, &arith_reg<Op::Mul, true, false>), 0, 16, 14},
    {0xDC, 0xDC, 2, "FCOM Eq", x87_forms(&compare_mem<M::F64, 0>, &compare_reg<false, 0>), 0, 4, 4},
    {0xDC, 0xDC, 3, "FCOMP Eq", x87_forms(&compare_mem<M::F64, 1>, &compare_reg<false, 1>), 0, 4, 4},
    {0xDC, 0xDC, 4, "FSUB Eq", x87_forms(&arith_mem<Op::Sub, M::F64>, &arith_reg<Op::SubR, true, false>), 0, 10, 10},
    {0xDC, 0xDC, 5, "FSUBR Eq", x87_forms(&arith_mem<Op::SubR, M::F64>, &arith_reg<Op::Sub, true, false>), 0, 10, 10},
    {0xDC, 0xDC, 6, "FDIV Eq", x87_forms(&arith_mem<Op::Div, M::F64>, &arith_reg<Op::DivR, true, false>), 0, 73, 73},
    {0xDC, 0xDC, 7, "FDIVR Eq", x87_forms(&arith_mem<Op::DivR, M::F64>, &arith_reg<Op::Div, true, false>), 0, 73, 73},
    // DD: m64real loads/stores, FRSTOR/FNSAVE/FNSTSW m16 | FFREE, FST(P) ST(i), FUCOM(P)
    {0xDD, 0xDD, 0, "FLD Eq", x87_forms(&fld_mem<Fmt::F64>, &ffree), 0, 3, 3},
    {0xDD, 0xDD, 1, "FXCH Eq", x87_forms(&x87::undefined, &fxch), 0, 4, 0},  // m: FISTTP is SSE3
    {0xDD, 0xDD, 2, "FST Eq", x87_forms(&fst_mem<Fmt::F64, false>, &fst_reg<false>), 0, 3, 8},
    {0xDD, 0xDD, 3, "FSTP Eq", x87_forms(&fst_mem<Fmt::F64, true>, &fst_reg<true>), 0, 3, 8},
    {0xDD, 0xDD, 4, "FRSTOR Ev", x87_forms(&frstor, &compare_reg<true, 0>), 0, 4, 131},
    {0xDD, 0xDD, 5, "FUCOMP Ev", x87_forms(&x87::undefined, &compare_reg<true, 1>), 0, 4, 0},
    {0xDD, 0xDD, 6, "FNSAVE Ev", x87_forms(&fnsave, &x87::undefined), 0, 0, 154},
    {0xDD, 0xDD, 7, "FNSTSW Ew", x87_forms(&fnstsw_mem, &x87::undefined), 0, 0, 3},
    // DE: ST(0) op m16int | ST(i) op ST(0) then pop; FCOMPP
    {0xDE, 0xDE, 0, "FIADD Ew", x87_forms(&arith_mem<Op::Add, M::I16>, &arith_reg<Op::Add, true, true>), 0, 10, 20},
    {0xDE, 0xDE, 1, "FIMUL Ew", x87_forms(&arith_mem<Op::Mul, M::I16>, &arith_reg<Op::Mul, true, true>), 0, 16, 23},
    {0xDE, 0xDE, 2, "FICOM Ew", x87_forms(&compare_mem<M::I16, 0>, &compare_reg<false, 1>), 0, 4, 16},
    {0xDE, 0xDE, 3, "FICOMP Ew", x87_forms(&compare_mem<M::I16, 1>, &by_rm<kDED8>), 0, 0, 16},
    {0xDE, 0xDE, 4, "FISUB Ew", x87_forms(&arith_mem<Op::Sub, M::I16>, &arith_reg<Op::SubR, true, true>), 0, 10, 20},
    {0xDE, 0xDE, 5, "FISUBR Ew", x87_forms(&arith_mem<Op::SubR, M::I16>, &arith_reg<Op::Sub, true, true>), 0, 10, 20},
    {0xDE, 0xDE, 6, "FIDIV Ew", x87_forms(&arith_mem<Op::Div, M::I16>, &arith_reg<Op::DivR, true, true>), 0, 73, 85},
    {0xDE, 0xDE, 7, "FIDIVR Ew", x87_forms(&arith_mem<Op::DivR, M::I16>, &arith_reg<Op::Div, true, true>), 0, 73, 85},
    // DF: m16int/m64int/BCD loads and stores | FFREEP, FXCH/FSTP aliases, FNSTSW AX, FUCOMIP/FCOMIP
    {0xDF, 0xDF, 0, "FILD Ew", x87_forms(&fld_mem<Fmt::I16>, &ffreep), 0, 3, 13},
    {0xDF, 0xDF, 1, "FXCH Ew", x87_forms(&x87::undefined, &fxch), 0, 4, 0},  // m: FISTTP is SSE3
    {0xDF, 0xDF, 2, "FIST Ew", x87_forms(&fst_mem<Fmt::I16, false>, &fst_reg<true>), 0, 3, 29},
    {0xDF, 0xDF, 3, "FISTP Ew", x87_forms(&fst_mem<Fmt::I16, true>, &fst_reg<true>), 0, 3, 29},
    {0xDF, 0xDF, 4, "FBLD Ev", x87_forms(&fld_mem<Fmt::Bcd>, &by_rm<kDFE0>), 0, 0, 70},
    {0xDF, 0xDF, 5, "FILD Eq", x87_forms(&fld_mem<Fmt::I64>, &compare_eflags<true, true>), 0, 4, 10},
    {0xDF, 0xDF, 6, "FBSTP Ev", x87_forms(&fst_mem<Fmt::Bcd, true>, &compare_eflags<false, true>), 0, 4, 172},
    {0xDF, 0xDF, 7, "FISTP Eq", x87_forms(&fst_mem<Fmt::I64, true>, &x87::undefined), 0, 0, 28},
    {0x9B, 0x9B, -1, "WAIT", x87_forms(&fwait, &fwait), 0, 1, 1},
};

}  // namespace

extern const OpcodeFamily kX87Family{"x87", kRows};

}  // namespace hm::cpu
