// Integer arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP in all their
// encodings, TEST, INC/DEC, NOT/NEG. Flags are lazy (flags.hpp); operands are
// recorded sign-extended so one set of formulas serves every width.
// Cycle costs: Intel486 table (docs/cycle-costs.md): reg,reg 1; reg,mem 2;
// mem,reg 3; imm,mem 3; CMP/TEST with memory 2.
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

namespace {

enum class AluOp : u8 { Add, Or, Adc, Sbb, And, Sub, Xor, Cmp };

template <AluOp Op, typename T>
HM_ALWAYS_INLINE T alu(CpuState& s, T a, T b) {
    T r;
    if constexpr (Op == AluOp::Add) {
        r = static_cast<T>(a + b);
        set_lazy(s, FlagKind::Add, sx(a), sx(b), sx(r));
    } else if constexpr (Op == AluOp::Adc) {
        r = static_cast<T>(a + b + (get_cf(s) ? 1 : 0));
        set_lazy(s, FlagKind::Adc, sx(a), sx(b), sx(r));
    } else if constexpr (Op == AluOp::Sub || Op == AluOp::Cmp) {
        r = static_cast<T>(a - b);
        set_lazy(s, FlagKind::Sub, sx(a), sx(b), sx(r));
    } else if constexpr (Op == AluOp::Sbb) {
        r = static_cast<T>(a - b - (get_cf(s) ? 1 : 0));
        set_lazy(s, FlagKind::Sbb, sx(a), sx(b), sx(r));
    } else {
        if constexpr (Op == AluOp::Or) r = a | b;
        else if constexpr (Op == AluOp::And) r = a & b;
        else r = a ^ b;
        s.lazy.kind = FlagKind::Logic;
        s.lazy.res = sx(r);
    }
    return r;
}

// E op= G
template <AluOp Op>
struct AluEG {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        if constexpr (Op == AluOp::Cmp) return read_e_then<AluEG, T, F>(c, i);
        const T b = get_reg<T>(c.s, i->reg);
        rmw_e<T, F>(c, i, [&](T a) { return alu<Op>(c.s, a, b); });
        return next(c, i);
    }
    template <typename T>
    HM_ALWAYS_INLINE static const Insn* with(Core& c, const Insn* i, T a) {  // CMP E, G
        alu<Op>(c.s, a, get_reg<T>(c.s, i->reg));
        return next(c, i);
    }
};

// G op= E
template <AluOp Op>
struct AluGE {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        return read_e_then<AluGE, T, F>(c, i);
    }
    template <typename T>
    HM_ALWAYS_INLINE static const Insn* with(Core& c, const Insn* i, T b) {
        const T r = alu<Op>(c.s, get_reg<T>(c.s, i->reg), b);
        if constexpr (Op != AluOp::Cmp) set_reg<T>(c.s, i->reg, r);
        return next(c, i);
    }
};

// AL/eAX op= imm
template <AluOp Op>
struct AluAccImm {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        const T r = alu<Op>(c.s, get_reg<T>(c.s, reg::EAX), static_cast<T>(i->imm));
        if constexpr (Op != AluOp::Cmp) set_reg<T>(c.s, reg::EAX, r);
        return next(c, i);
    }
};

// E op= imm (80, 81, 82, 83 groups; 83's byte is sign-extended by the decoder)
template <AluOp Op>
struct AluEI {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        if constexpr (Op == AluOp::Cmp) return read_e_then<AluEI, T, F>(c, i);
        const T b = static_cast<T>(i->imm);
        rmw_e<T, F>(c, i, [&](T a) { return alu<Op>(c.s, a, b); });
        return next(c, i);
    }
    template <typename T>
    HM_ALWAYS_INLINE static const Insn* with(Core& c, const Insn* i, T a) {  // CMP E, imm
        alu<Op>(c.s, a, static_cast<T>(i->imm));
        return next(c, i);
    }
};

struct TestEG {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        return read_e_then<TestEG, T, F>(c, i);
    }
    template <typename T>
    HM_ALWAYS_INLINE static const Insn* with(Core& c, const Insn* i, T a) {
        alu<AluOp::And>(c.s, a, get_reg<T>(c.s, i->reg));
        return next(c, i);
    }
};

struct TestEI {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        return read_e_then<TestEI, T, F>(c, i);
    }
    template <typename T>
    HM_ALWAYS_INLINE static const Insn* with(Core& c, const Insn* i, T a) {
        alu<AluOp::And>(c.s, a, static_cast<T>(i->imm));
        return next(c, i);
    }
};

struct TestAccImm {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        alu<AluOp::And>(c.s, get_reg<T>(c.s, reg::EAX), static_cast<T>(i->imm));
        return next(c, i);
    }
};

template <bool Dec, typename T>
HM_ALWAYS_INLINE T inc_dec(CpuState& s, T a) {
    const T r = static_cast<T>(Dec ? a - 1 : a + 1);
    const u32 cf = get_cf(s) ? 1 : 0;
    set_lazy(s, Dec ? FlagKind::Dec : FlagKind::Inc, sx(a), cf, sx(r));
    return r;
}

template <bool Dec>
struct IncDecE {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        rmw_e<T, F>(c, i, [&](T a) { return inc_dec<Dec>(c.s, a); });
        return next(c, i);
    }
};

template <bool Dec>
struct IncDecZ {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        set_reg<T>(c.s, i->reg, inc_dec<Dec>(c.s, get_reg<T>(c.s, i->reg)));
        return next(c, i);
    }
};

struct NotE {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        rmw_e<T, F>(c, i, [](T a) { return static_cast<T>(~a); });
        return next(c, i);
    }
};

struct NegE {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        rmw_e<T, F>(c, i, [&](T a) {
            const T r = static_cast<T>(0 - a);
            set_lazy(c.s, FlagKind::Sub, 0, sx(a), sx(r));
            return r;
        });
        return next(c, i);
    }
};

constexpr u16 L = attr::kLock;
using O = AluOp;

constexpr OpcodeDef kRows[] = {
    // first, last, group, syntax, handlers, attrs, cost reg, cost mem
    {0x00, 0x00, -1, "ADD Eb,Gb", byte<AluEG<O::Add>>(), L, 1, 3},
    {0x01, 0x01, -1, "ADD Ev,Gv", sized<AluEG<O::Add>>(), L, 1, 3},
    {0x02, 0x02, -1, "ADD Gb,Eb", byte<AluGE<O::Add>>(), 0, 1, 2},
    {0x03, 0x03, -1, "ADD Gv,Ev", sized<AluGE<O::Add>>(), 0, 1, 2},
    {0x04, 0x04, -1, "ADD AL,Ib", byte<AluAccImm<O::Add>>(), 0, 1, 1},
    {0x05, 0x05, -1, "ADD eAX,Iz", sized<AluAccImm<O::Add>>(), 0, 1, 1},
    {0x08, 0x08, -1, "OR Eb,Gb", byte<AluEG<O::Or>>(), L, 1, 3},
    {0x09, 0x09, -1, "OR Ev,Gv", sized<AluEG<O::Or>>(), L, 1, 3},
    {0x0A, 0x0A, -1, "OR Gb,Eb", byte<AluGE<O::Or>>(), 0, 1, 2},
    {0x0B, 0x0B, -1, "OR Gv,Ev", sized<AluGE<O::Or>>(), 0, 1, 2},
    {0x0C, 0x0C, -1, "OR AL,Ib", byte<AluAccImm<O::Or>>(), 0, 1, 1},
    {0x0D, 0x0D, -1, "OR eAX,Iz", sized<AluAccImm<O::Or>>(), 0, 1, 1},
    {0x10, 0x10, -1, "ADC Eb,Gb", byte<AluEG<O::Adc>>(), L, 1, 3},
    {0x11, 0x11, -1, "ADC Ev,Gv", sized<AluEG<O::Adc>>(), L, 1, 3},
    {0x12, 0x12, -1, "ADC Gb,Eb", byte<AluGE<O::Adc>>(), 0, 1, 2},
    {0x13, 0x13, -1, "ADC Gv,Ev", sized<AluGE<O::Adc>>(), 0, 1, 2},
    {0x14, 0x14, -1, "ADC AL,Ib", byte<AluAccImm<O::Adc>>(), 0, 1, 1},
    {0x15, 0x15, -1, "ADC eAX,Iz", sized<AluAccImm<O::Adc>>(), 0, 1, 1},
    {0x18, 0x18, -1, "SBB Eb,Gb", byte<AluEG<O::Sbb>>(), L, 1, 3},
    {0x19, 0x19, -1, "SBB Ev,Gv", sized<AluEG<O::Sbb>>(), L, 1, 3},
    {0x1A, 0x1A, -1, "SBB Gb,Eb", byte<AluGE<O::Sbb>>(), 0, 1, 2},
    {0x1B, 0x1B, -1, "SBB Gv,Ev", sized<AluGE<O::Sbb>>(), 0, 1, 2},
    {0x1C, 0x1C, -1, "SBB AL,Ib", byte<AluAccImm<O::Sbb>>(), 0, 1, 1},
    {0x1D, 0x1D, -1, "SBB eAX,Iz", sized<AluAccImm<O::Sbb>>(), 0, 1, 1},
    {0x20, 0x20, -1, "AND Eb,Gb", byte<AluEG<O::And>>(), L, 1, 3},
    {0x21, 0x21, -1, "AND Ev,Gv", sized<AluEG<O::And>>(), L, 1, 3},
    {0x22, 0x22, -1, "AND Gb,Eb", byte<AluGE<O::And>>(), 0, 1, 2},
    {0x23, 0x23, -1, "AND Gv,Ev", sized<AluGE<O::And>>(), 0, 1, 2},
    {0x24, 0x24, -1, "AND AL,Ib", byte<AluAccImm<O::And>>(), 0, 1, 1},
    {0x25, 0x25, -1, "AND eAX,Iz", sized<AluAccImm<O::And>>(), 0, 1, 1},
    {0x28, 0x28, -1, "SUB Eb,Gb", byte<AluEG<O::Sub>>(), L, 1, 3},
    {0x29, 0x29, -1, "SUB Ev,Gv", sized<AluEG<O::Sub>>(), L, 1, 3},
    {0x2A, 0x2A, -1, "SUB Gb,Eb", byte<AluGE<O::Sub>>(), 0, 1, 2},
    {0x2B, 0x2B, -1, "SUB Gv,Ev", sized<AluGE<O::Sub>>(), 0, 1, 2},
    {0x2C, 0x2C, -1, "SUB AL,Ib", byte<AluAccImm<O::Sub>>(), 0, 1, 1},
    {0x2D, 0x2D, -1, "SUB eAX,Iz", sized<AluAccImm<O::Sub>>(), 0, 1, 1},
    {0x30, 0x30, -1, "XOR Eb,Gb", byte<AluEG<O::Xor>>(), L, 1, 3},
    {0x31, 0x31, -1, "XOR Ev,Gv", sized<AluEG<O::Xor>>(), L, 1, 3},
    {0x32, 0x32, -1, "XOR Gb,Eb", byte<AluGE<O::Xor>>(), 0, 1, 2},
    {0x33, 0x33, -1, "XOR Gv,Ev", sized<AluGE<O::Xor>>(), 0, 1, 2},
    {0x34, 0x34, -1, "XOR AL,Ib", byte<AluAccImm<O::Xor>>(), 0, 1, 1},
    {0x35, 0x35, -1, "XOR eAX,Iz", sized<AluAccImm<O::Xor>>(), 0, 1, 1},
    {0x38, 0x38, -1, "CMP Eb,Gb", byte<AluEG<O::Cmp>>(), 0, 1, 2},
    {0x39, 0x39, -1, "CMP Ev,Gv", sized<AluEG<O::Cmp>>(), 0, 1, 2},
    {0x3A, 0x3A, -1, "CMP Gb,Eb", byte<AluGE<O::Cmp>>(), 0, 1, 2},
    {0x3B, 0x3B, -1, "CMP Gv,Ev", sized<AluGE<O::Cmp>>(), 0, 1, 2},
    {0x3C, 0x3C, -1, "CMP AL,Ib", byte<AluAccImm<O::Cmp>>(), 0, 1, 1},
    {0x3D, 0x3D, -1, "CMP eAX,Iz", sized<AluAccImm<O::Cmp>>(), 0, 1, 1},

    {0x40, 0x47, -1, "INC Zv", sized<IncDecZ<false>>(), 0, 1, 1},
    {0x48, 0x4F, -1, "DEC Zv", sized<IncDecZ<true>>(), 0, 1, 1},

    // Group 1. 82 is an alias of 80 (valid outside 64-bit mode).
    {0x80, 0x80, 0, "ADD Eb,Ib", byte<AluEI<O::Add>>(), L, 1, 3},
    {0x80, 0x80, 1, "OR Eb,Ib", byte<AluEI<O::Or>>(), L, 1, 3},
    {0x80, 0x80, 2, "ADC Eb,Ib", byte<AluEI<O::Adc>>(), L, 1, 3},
    {0x80, 0x80, 3, "SBB Eb,Ib", byte<AluEI<O::Sbb>>(), L, 1, 3},
    {0x80, 0x80, 4, "AND Eb,Ib", byte<AluEI<O::And>>(), L, 1, 3},
    {0x80, 0x80, 5, "SUB Eb,Ib", byte<AluEI<O::Sub>>(), L, 1, 3},
    {0x80, 0x80, 6, "XOR Eb,Ib", byte<AluEI<O::Xor>>(), L, 1, 3},
    {0x80, 0x80, 7, "CMP Eb,Ib", byte<AluEI<O::Cmp>>(), 0, 1, 2},
    {0x81, 0x81, 0, "ADD Ev,Iz", sized<AluEI<O::Add>>(), L, 1, 3},
    {0x81, 0x81, 1, "OR Ev,Iz", sized<AluEI<O::Or>>(), L, 1, 3},
    {0x81, 0x81, 2, "ADC Ev,Iz", sized<AluEI<O::Adc>>(), L, 1, 3},
    {0x81, 0x81, 3, "SBB Ev,Iz", sized<AluEI<O::Sbb>>(), L, 1, 3},
    {0x81, 0x81, 4, "AND Ev,Iz", sized<AluEI<O::And>>(), L, 1, 3},
    {0x81, 0x81, 5, "SUB Ev,Iz", sized<AluEI<O::Sub>>(), L, 1, 3},
    {0x81, 0x81, 6, "XOR Ev,Iz", sized<AluEI<O::Xor>>(), L, 1, 3},
    {0x81, 0x81, 7, "CMP Ev,Iz", sized<AluEI<O::Cmp>>(), 0, 1, 2},
    {0x82, 0x82, 0, "ADD Eb,Ib", byte<AluEI<O::Add>>(), L, 1, 3},
    {0x82, 0x82, 1, "OR Eb,Ib", byte<AluEI<O::Or>>(), L, 1, 3},
    {0x82, 0x82, 2, "ADC Eb,Ib", byte<AluEI<O::Adc>>(), L, 1, 3},
    {0x82, 0x82, 3, "SBB Eb,Ib", byte<AluEI<O::Sbb>>(), L, 1, 3},
    {0x82, 0x82, 4, "AND Eb,Ib", byte<AluEI<O::And>>(), L, 1, 3},
    {0x82, 0x82, 5, "SUB Eb,Ib", byte<AluEI<O::Sub>>(), L, 1, 3},
    {0x82, 0x82, 6, "XOR Eb,Ib", byte<AluEI<O::Xor>>(), L, 1, 3},
    {0x82, 0x82, 7, "CMP Eb,Ib", byte<AluEI<O::Cmp>>(), 0, 1, 2},
    {0x83, 0x83, 0, "ADD Ev,Ibs", sized<AluEI<O::Add>>(), L, 1, 3},
    {0x83, 0x83, 1, "OR Ev,Ibs", sized<AluEI<O::Or>>(), L, 1, 3},
    {0x83, 0x83, 2, "ADC Ev,Ibs", sized<AluEI<O::Adc>>(), L, 1, 3},
    {0x83, 0x83, 3, "SBB Ev,Ibs", sized<AluEI<O::Sbb>>(), L, 1, 3},
    {0x83, 0x83, 4, "AND Ev,Ibs", sized<AluEI<O::And>>(), L, 1, 3},
    {0x83, 0x83, 5, "SUB Ev,Ibs", sized<AluEI<O::Sub>>(), L, 1, 3},
    {0x83, 0x83, 6, "XOR Ev,Ibs", sized<AluEI<O::Xor>>(), L, 1, 3},
    {0x83, 0x83, 7, "CMP Ev,Ibs", sized<AluEI<O::Cmp>>(), 0, 1, 2},

    {0x84, 0x84, -1, "TEST Eb,Gb", byte<TestEG>(), 0, 1, 2},
    {0x85, 0x85, -1, "TEST Ev,Gv", sized<TestEG>(), 0, 1, 2},
    {0xA8, 0xA8, -1, "TEST AL,Ib", byte<TestAccImm>(), 0, 1, 1},
    {0xA9, 0xA9, -1, "TEST eAX,Iz", sized<TestAccImm>(), 0, 1, 1},

    // Group 3 (F6/F7 /0-/3; MUL/DIV members are in muldiv.cpp). /1 is an
    // undocumented alias of TEST that every x86 up to the P6 decodes.
    {0xF6, 0xF6, 0, "TEST Eb,Ib", byte<TestEI>(), 0, 1, 2},
    {0xF6, 0xF6, 1, "TEST Eb,Ib", byte<TestEI>(), 0, 1, 2},
    {0xF6, 0xF6, 2, "NOT Eb", byte<NotE>(), L, 1, 3},
    {0xF6, 0xF6, 3, "NEG Eb", byte<NegE>(), L, 1, 3},
    {0xF7, 0xF7, 0, "TEST Ev,Iz", sized<TestEI>(), 0, 1, 2},
    {0xF7, 0xF7, 1, "TEST Ev,Iz", sized<TestEI>(), 0, 1, 2},
    {0xF7, 0xF7, 2, "NOT Ev", sized<NotE>(), L, 1, 3},
    {0xF7, 0xF7, 3, "NEG Ev", sized<NegE>(), L, 1, 3},

    // Groups 4 and 5 (INC/DEC members; the rest are in control.cpp and stack.cpp).
    {0xFE, 0xFE, 0, "INC Eb", byte<IncDecE<false>>(), L, 1, 3},
    {0xFE, 0xFE, 1, "DEC Eb", byte<IncDecE<true>>(), L, 1, 3},
    {0xFF, 0xFF, 0, "INC Ev", sized<IncDecE<false>>(), L, 1, 3},
    {0xFF, 0xFF, 1, "DEC Ev", sized<IncDecE<true>>(), L, 1, 3},
};

}  // namespace

extern const OpcodeFamily kAluFamily{"alu", kRows};

}  // namespace hm::cpu
