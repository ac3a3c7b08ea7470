// Data movement without arithmetic: MOV (registers, memory, moffs,
// immediates, segment registers), LEA, MOVZX/MOVSX, CBW/CWDE/CWD/CDQ, XLAT,
// CMOVcc. Costs (Intel486): MOV 1, MOV to a segment register 3 (real mode) /
// 9 (protected; the extra is charged by the handler), MOVZX/MOVSX 3, XLAT 4,
// CBW 3, CWD 3, CMOV (a P6 addition) charged like MOV.
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

namespace {

// The most frequent memory operands (docs/performance.md, "Third round"):
// their memory forms try the fast path first (the segment's bound compare and
// a front TLB hit, no call anywhere, so the handler saves no registers) and
// otherwise re-run the whole instruction through the ordinary path as a tail
// call (`slow`, kept out of line). The fast path has no side effects when it
// fails, so the ordinary path sees the instruction as it was.
struct MovEG {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        if constexpr (F == Form::Mem) {
            if (HM_UNLIKELY(!c.try_write<T>(i->seg, ea(c, i), get_reg<T>(c.s, i->reg)))) return slow<T>(c, i);
        } else {
            store_e<T, F>(c, i, get_reg<T>(c.s, i->reg));
        }
        return next(c, i);
    }
    template <typename T>
    [[gnu::noinline]] static const Insn* slow(Core& c, const Insn* i) {
        store_e<T, Form::Mem>(c, i, get_reg<T>(c.s, i->reg));
        return next(c, i);
    }
};

struct MovGE {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        if constexpr (F == Form::Mem) {
            T v;
            if (HM_UNLIKELY(!c.try_read<T>(i->seg, ea(c, i), v))) return slow<T>(c, i);
            set_reg<T>(c.s, i->reg, v);
        } else {
            set_reg<T>(c.s, i->reg, load_e<T, F>(c, i));
        }
        return next(c, i);
    }
    template <typename T>
    [[gnu::noinline]] static const Insn* slow(Core& c, const Insn* i) {
        set_reg<T>(c.s, i->reg, load_e<T, Form::Mem>(c, i));
        return next(c, i);
    }
};

struct MovEI {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        if constexpr (F == Form::Mem) {
            if (HM_UNLIKELY(!c.try_write<T>(i->seg, ea(c, i), static_cast<T>(i->imm)))) return slow<T>(c, i);
        } else {
            store_e<T, F>(c, i, static_cast<T>(i->imm));
        }
        return next(c, i);
    }
    template <typename T>
    [[gnu::noinline]] static const Insn* slow(Core& c, const Insn* i) {
        store_e<T, Form::Mem>(c, i, static_cast<T>(i->imm));
        return next(c, i);
    }
};

struct MovZI {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        set_reg<T>(c.s, i->reg, static_cast<T>(i->imm));
        return next(c, i);
    }
};

// MOV Ev,Sw: a register destination with a 32-bit operand size gets the
// selector zero-extended (P6 behaviour); memory always receives 16 bits.
struct MovESw {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        if (i->reg > 5) raise(Vector::UD);
        const u16 sel = c.s.seg[i->reg].selector;
        if constexpr (F == Form::Reg) set_reg<T>(c.s, i->rm, static_cast<T>(sel));
        else c.write<u16>(i->seg, ea(c, i), sel);
        return next(c, i);
    }
};

struct MovSwE {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        if (i->reg > 5 || i->reg == sreg::CS) raise(Vector::UD);
        const u16 sel = load_e<u16, F>(c, i);
        c.load_segment(i->reg, sel);
        if (c.protected_mode()) c.s.cycles += 6;
        if (i->reg == sreg::SS) {
            c.s.interrupt_shadow = true;
            c.s.debug_shadow = true;
            c.refresh_pending();
        }
        return next(c, i);
    }
};

struct Lea {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        set_reg<T>(c.s, i->reg, static_cast<T>(ea(c, i)));
        return next(c, i);
    }
};

template <typename Src, bool Signed>
struct MovExtend {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        Src v;
        if constexpr (F == Form::Mem) {
            if (HM_UNLIKELY(!c.try_read<Src>(i->seg, ea(c, i), v))) return slow<T>(c, i);  // as MovGE
        } else {
            v = load_e<Src, F>(c, i);
        }
        set_reg<T>(c.s, i->reg, extend<T>(v));
        return next(c, i);
    }
    template <typename T>
    [[gnu::noinline]] static const Insn* slow(Core& c, const Insn* i) {
        set_reg<T>(c.s, i->reg, extend<T>(load_e<Src, Form::Mem>(c, i)));
        return next(c, i);
    }
    template <typename T>
    static T extend(Src v) {
        if constexpr (Signed) return static_cast<T>(static_cast<std::make_signed_t<T>>(static_cast<std::make_signed_t<Src>>(v)));
        else return static_cast<T>(v);
    }
};

template <Cond C>
struct Cmov {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        const T v = load_e<T, F>(c, i);  // the load (and its faults) happens either way
        if (test_cond<C>(c.s)) set_reg<T>(c.s, i->reg, v);
        return next(c, i);
    }
};

struct ConvertAcc {  // CBW / CWDE
    template <typename T>
    static const Insn* run(Core& c, const Insn* i) {
        if constexpr (sizeof(T) == 2) set_reg<u16>(c.s, reg::EAX, static_cast<u16>(static_cast<i8>(c.s.r[reg::EAX])));
        else c.s.r[reg::EAX] = static_cast<u32>(static_cast<i16>(c.s.r[reg::EAX]));
        return next(c, i);
    }
};

struct ConvertToD {  // CWD / CDQ
    template <typename T>
    static const Insn* run(Core& c, const Insn* i) {
        if constexpr (sizeof(T) == 2) {
            set_reg<u16>(c.s, reg::EDX, (c.s.r[reg::EAX] & 0x8000) ? 0xFFFF : 0);
        } else {
            c.s.r[reg::EDX] = (c.s.r[reg::EAX] & 0x80000000u) ? 0xFFFFFFFFu : 0;
        }
        return next(c, i);
    }
};

struct Xlat {
    template <typename, typename A>
    static const Insn* run(Core& c, const Insn* i) {
        const A off = static_cast<A>(c.s.r[reg::EBX] + (c.s.r[reg::EAX] & 0xFF));
        set_reg<u8>(c.s, 0, c.read<u8>(i->seg, off));
        return next(c, i);
    }
};

template <Cond C>
constexpr OpcodeDef cmov_row(u16 op, const char* syntax) {
    return {op, op, -1, syntax, sized<Cmov<C>>(), 0, 1, 1};
}

constexpr OpcodeDef kRows[] = {
    {0x88, 0x88, -1, "MOV Eb,Gb", byte<MovEG>(), 0, 1, 1},
    {0x89, 0x89, -1, "MOV Ev,Gv", sized<MovEG>(), 0, 1, 1},
    {0x8A, 0x8A, -1, "MOV Gb,Eb", byte<MovGE>(), 0, 1, 1},
    {0x8B, 0x8B, -1, "MOV Gv,Ev", sized<MovGE>(), 0, 1, 1},
    {0x8C, 0x8C, -1, "MOV Ev,Sw", sized<MovESw>(), 0, 3, 3},
    {0x8D, 0x8D, -1, "LEA Gv,M", sized_mem<Lea>(), 0, 1, 1},
    {0x8E, 0x8E, -1, "MOV Sw,Ew", fixed<MovSwE, u16>(), attr::kEndsBlock, 3, 3},
    {0xA0, 0xA0, -1, "MOV AL,Ob", byte<MovGE>(), 0, 1, 1},
    {0xA1, 0xA1, -1, "MOV eAX,Ov", sized<MovGE>(), 0, 1, 1},
    {0xA2, 0xA2, -1, "MOV Ob,AL", byte<MovEG>(), 0, 1, 1},
    {0xA3, 0xA3, -1, "MOV Ov,eAX", sized<MovEG>(), 0, 1, 1},
    {0xB0, 0xB7, -1, "MOV Zb,Ib", byte<MovZI>(), 0, 1, 1},
    {0xB8, 0xBF, -1, "MOV Zv,Iv", sized<MovZI>(), 0, 1, 1},
    {0xC6, 0xC6, 0, "MOV Eb,Ib", byte<MovEI>(), 0, 1, 1},
    {0xC7, 0xC7, 0, "MOV Ev,Iz", sized<MovEI>(), 0, 1, 1},
    {0x98, 0x98, -1, "CBW", by_size<ConvertAcc>(), 0, 3, 3},
    {0x99, 0x99, -1, "CWD", by_size<ConvertToD>(), 0, 3, 3},
    {0xD7, 0xD7, -1, "XLAT", by_addr<Xlat, u8>(), 0, 4, 4},
    {k0F | 0xB6, k0F | 0xB6, -1, "MOVZX Gv,Eb", sized<MovExtend<u8, false>>(), 0, 3, 3},
    {k0F | 0xB7, k0F | 0xB7, -1, "MOVZX Gv,Ew", sized<MovExtend<u16, false>>(), 0, 3, 3},
    {k0F | 0xBE, k0F | 0xBE, -1, "MOVSX Gv,Eb", sized<MovExtend<u8, true>>(), 0, 3, 3},
    {k0F | 0xBF, k0F | 0xBF, -1, "MOVSX Gv,Ew", sized<MovExtend<u16, true>>(), 0, 3, 3},
    cmov_row<Cond::O>(k0F | 0x40, "CMOVO Gv,Ev"),
    cmov_row<Cond::NO>(k0F | 0x41, "CMOVNO Gv,Ev"),
    cmov_row<Cond::B>(k0F | 0x42, "CMOVB Gv,Ev"),
    cmov_row<Cond::AE>(k0F | 0x43, "CMOVAE Gv,Ev"),
    cmov_row<Cond::E>(k0F | 0x44, "CMOVE Gv,Ev"),
    cmov_row<Cond::NE>(k0F | 0x45, "CMOVNE Gv,Ev"),
    cmov_row<Cond::BE>(k0F | 0x46, "CMOVBE Gv,Ev"),
    cmov_row<Cond::A>(k0F | 0x47, "CMOVA Gv,Ev"),
    cmov_row<Cond::S>(k0F | 0x48, "CMOVS Gv,Ev"),
    cmov_row<Cond::NS>(k0F | 0x49, "CMOVNS Gv,Ev"),
    cmov_row<Cond::P>(k0F | 0x4A, "CMOVP Gv,Ev"),
    cmov_row<Cond::NP>(k0F | 0x4B, "CMOVNP Gv,Ev"),
    cmov_row<Cond::L>(k0F | 0x4C, "CMOVL Gv,Ev"),
    cmov_row<Cond::GE>(k0F | 0x4D, "CMOVGE Gv,Ev"),
    cmov_row<Cond::LE>(k0F | 0x4E, "CMOVLE Gv,Ev"),
    cmov_row<Cond::G>(k0F | 0x4F, "CMOVG Gv,Ev"),
};

}  // namespace

extern const OpcodeFamily kMovFamily{"mov", kRows};

}  // namespace hm::cpu
