// Near control transfers: Jcc, JMP, CALL, RET, LOOP/LOOPcc/JCXZ, and SETcc.
// A branch target is checked against the CS limit before anything changes
// (#GP(0)); with a 16-bit operand size the target wraps to 16 bits. Every
// branch ends its block and returns nullptr to the run loop.
// Costs (Intel486): Jcc 1 not taken / 3 taken, JMP rel 3, JMP r/m 5, CALL rel 3,
// CALL r/m 5, RET 5, LOOP 6/7, LOOPcc 6/9, JCXZ 5/8, SETcc 3 (4 to memory).
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

namespace {

template <typename T>
HM_ALWAYS_INLINE u32 branch_target(Core& c, const Insn* i, u32 disp) {
    const u32 target = static_cast<T>(c.s.eip + i->len + disp);
    if (HM_UNLIKELY(target > c.s.seg[sreg::CS].limit)) raise(Vector::GP, 0);
    return target;
}

template <typename T>
HM_ALWAYS_INLINE u32 absolute_target(Core& c, u32 target) {
    target = static_cast<T>(target);
    if (HM_UNLIKELY(target > c.s.seg[sreg::CS].limit)) raise(Vector::GP, 0);
    return target;
}

template <Cond C>
struct Jcc {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        if (test_cond<C>(c.s)) {
            c.s.eip = branch_target<T>(c, i, i->imm);
            c.s.cycles += c.extra.jcc_taken;
        } else {
            c.s.eip += i->len;
        }
        return nullptr;
    }
};

struct JmpRel {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        c.s.eip = branch_target<T>(c, i, i->imm);
        return nullptr;
    }
};

struct JmpE {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        c.s.eip = absolute_target<T>(c, load_e<T, F>(c, i));
        return nullptr;
    }
};

struct CallRel {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        const u32 target = branch_target<T>(c, i, i->imm);
        c.push<T>(static_cast<T>(c.s.eip + i->len));
        c.s.eip = target;
        return nullptr;
    }
};

struct CallE {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        const u32 target = absolute_target<T>(c, load_e<T, F>(c, i));
        c.push<T>(static_cast<T>(c.s.eip + i->len));
        c.s.eip = target;
        return nullptr;
    }
};

template <bool PopImm>
struct RetNear {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        const u32 target = absolute_target<T>(c, c.stack_peek<T>(0));
        const u32 release = sizeof(T) + (PopImm ? (i->imm & 0xFFFF) : 0);
        if (c.stack32()) c.s.r[reg::ESP] += release;
        else c.s.r[reg::ESP] = (c.s.r[reg::ESP] & 0xFFFF0000u) | static_cast<u16>(c.s.r[reg::ESP] + release);
        c.s.eip = target;
        return nullptr;
    }
};

enum class LoopKind : u8 { Loop, LoopE, LoopNE, Jcxz };

template <LoopKind K>
struct Loop {
    template <typename T, typename A>
    static const Insn* run(Core& c, const Insn* i) {
        A count = static_cast<A>(c.s.r[reg::ECX]);
        bool take;
        if constexpr (K == LoopKind::Jcxz) {
            take = count == 0;
        } else {
            --count;
            take = count != 0;
            if constexpr (K == LoopKind::LoopE) take = take && get_zf(c.s);
            if constexpr (K == LoopKind::LoopNE) take = take && !get_zf(c.s);
        }
        const u32 target = take ? branch_target<T>(c, i, i->imm) : c.s.eip + i->len;
        if constexpr (K != LoopKind::Jcxz) set_reg<A>(c.s, reg::ECX, count);
        c.s.eip = target;
        if (take) c.s.cycles += K == LoopKind::Loop ? 1 : 3;
        return nullptr;
    }
};

template <Cond C>
struct Setcc {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        store_e<u8, F>(c, i, test_cond<C>(c.s) ? 1 : 0);
        return next(c, i);
    }
};

constexpr u16 EB = attr::kEndsBlock;

template <Cond C>
constexpr OpcodeDef jcc_short(u16 op, const char* syntax) {
    return {op, op, -1, syntax, sized<Jcc<C>>(), EB, 1, 1};
}
template <Cond C>
constexpr OpcodeDef jcc_near(u16 op, const char* syntax) {
    return {op, op, -1, syntax, sized<Jcc<C>>(), EB, 1, 1};
}
template <Cond C>
constexpr OpcodeDef setcc(u16 op, const char* syntax) {
    return {op, op, -1, syntax, byte<Setcc<C>>(), 0, 3, 4};
}

constexpr OpcodeDef kRows[] = {
    jcc_short<Cond::O>(0x70, "JO Jb"),
    jcc_short<Cond::NO>(0x71, "JNO Jb"),
    jcc_short<Cond::B>(0x72, "JB Jb"),
    jcc_short<Cond::AE>(0x73, "JAE Jb"),
    jcc_short<Cond::E>(0x74, "JE Jb"),
    jcc_short<Cond::NE>(0x75, "JNE Jb"),
    jcc_short<Cond::BE>(0x76, "JBE Jb"),
    jcc_short<Cond::A>(0x77, "JA Jb"),
    jcc_short<Cond::S>(0x78, "JS Jb"),
    jcc_short<Cond::NS>(0x79, "JNS Jb"),
    jcc_short<Cond::P>(0x7A, "JP Jb"),
    jcc_short<Cond::NP>(0x7B, "JNP Jb"),
    jcc_short<Cond::L>(0x7C, "JL Jb"),
    jcc_short<Cond::GE>(0x7D, "JGE Jb"),
    jcc_short<Cond::LE>(0x7E, "JLE Jb"),
    jcc_short<Cond::G>(0x7F, "JG Jb"),
    jcc_near<Cond::O>(k0F | 0x80, "JO Jz"),
    jcc_near<Cond::NO>(k0F | 0x81, "JNO Jz"),
    jcc_near<Cond::B>(k0F | 0x82, "JB Jz"),
    jcc_near<Cond::AE>(k0F | 0x83, "JAE Jz"),
    jcc_near<Cond::E>(k0F | 0x84, "JE Jz"),
    jcc_near<Cond::NE>(k0F | 0x85, "JNE Jz"),
    jcc_near<Cond::BE>(k0F | 0x86, "JBE Jz"),
    jcc_near<Cond::A>(k0F | 0x87, "JA Jz"),
    jcc_near<Cond::S>(k0F | 0x88, "JS Jz"),
    jcc_near<Cond::NS>(k0F | 0x89, "JNS Jz"),
    jcc_near<Cond::P>(k0F | 0x8A, "JP Jz"),
    jcc_near<Cond::NP>(k0F | 0x8B, "JNP Jz"),
    jcc_near<Cond::L>(k0F | 0x8C, "JL Jz"),
    jcc_near<Cond::GE>(k0F | 0x8D, "JGE Jz"),
    jcc_near<Cond::LE>(k0F | 0x8E, "JLE Jz"),
    jcc_near<Cond::G>(k0F | 0x8F, "JG Jz"),
    setcc<Cond::O>(k0F | 0x90, "SETO Eb"),
    setcc<Cond::NO>(k0F | 0x91, "SETNO Eb"),
    setcc<Cond::B>(k0F | 0x92, "SETB Eb"),
    setcc<Cond::AE>(k0F | 0x93, "SETAE Eb"),
    setcc<Cond::E>(k0F | 0x94, "SETE Eb"),
    setcc<Cond::NE>(k0F | 0x95, "SETNE Eb"),
    setcc<Cond::BE>(k0F | 0x96, "SETBE Eb"),
    setcc<Cond::A>(k0F | 0x97, "SETA Eb"),
    setcc<Cond::S>(k0F | 0x98, "SETS Eb"),
    setcc<Cond::NS>(k0F | 0x99, "SETNS Eb"),
    setcc<Cond::P>(k0F | 0x9A, "SETP Eb"),
    setcc<Cond::NP>(k0F | 0x9B, "SETNP Eb"),
    setcc<Cond::L>(k0F | 0x9C, "SETL Eb"),
    setcc<Cond::GE>(k0F | 0x9D, "SETGE Eb"),
    setcc<Cond::LE>(k0F | 0x9E, "SETLE Eb"),
    setcc<Cond::G>(k0F | 0x9F, "SETG Eb"),
    {0xE8, 0xE8, -1, "CALL Jz", sized<CallRel>(), EB, 3, 3},
    {0xE9, 0xE9, -1, "JMP Jz", sized<JmpRel>(), EB, 3, 3},
    {0xEB, 0xEB, -1, "JMP Jb", sized<JmpRel>(), EB, 3, 3},
    {0xC2, 0xC2, -1, "RET Iw", sized<RetNear<true>>(), EB, 5, 5},
    {0xC3, 0xC3, -1, "RET", sized<RetNear<false>>(), EB, 5, 5},
    {0xFF, 0xFF, 2, "CALL Ev", sized<CallE>(), EB, 5, 5},
    {0xFF, 0xFF, 4, "JMP Ev", sized<JmpE>(), EB, 5, 5},
    {0xE0, 0xE0, -1, "LOOPNE Jb", by_addr_sized<Loop<LoopKind::LoopNE>>(), EB, 6, 6},
    {0xE1, 0xE1, -1, "LOOPE Jb", by_addr_sized<Loop<LoopKind::LoopE>>(), EB, 6, 6},
    {0xE2, 0xE2, -1, "LOOP Jb", by_addr_sized<Loop<LoopKind::Loop>>(), EB, 6, 6},
    {0xE3, 0xE3, -1, "JCXZ Jb", by_addr_sized<Loop<LoopKind::Jcxz>>(), EB, 5, 5},
};

}  // namespace

extern const OpcodeFamily kControlFamily{"control", kRows};

}  // namespace hm::cpu
