// Multiplication and division: MUL, IMUL (one, two and three operands), DIV,
// IDIV. Division by zero and quotients that do not fit raise #DE with nothing
// changed. Flag choices (docs/cpu.md): MUL/IMUL set CF = OF = "the high half is
// significant" as defined, and leave SF/ZF/PF from the low half of the result
// and AF = 0 where the SDM says undefined; DIV/IDIV leave all flags unchanged.
// Costs (Intel486; other CPU profiles replace them, cpu_profile.cpp): MUL/IMUL 13 (8-bit) / 13-26 (16-bit) / 13-42 (32-bit):
// charged as 13, +5 for 16-bit and +13 for 32-bit operands; IMUL r,r/m 13-42
// likewise; DIV 16/24/40, IDIV 19/27/43.
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

namespace {

// The CPU profile's extras for 16- and 32-bit operands (Intel486: +5 / +13 on a
// multiplication, +8 / +24 on a division).
template <typename T>
u32 wide_extra_cycles(const Core& c) {
    return sizeof(T) == 1 ? 0 : sizeof(T) == 2 ? c.extra.mul16 : c.extra.mul32;
}
template <typename T>
u32 div_extra_cycles(const Core& c) {
    return sizeof(T) == 1 ? 0 : sizeof(T) == 2 ? c.extra.div16 : c.extra.div32;
}

void mul_flags(CpuState& s, bool significant, u32 low_sx) {
    const u32 co = significant ? (flag::CF | flag::OF) : 0;
    set_lazy(s, FlagKind::Explicit, co, 0, low_sx);
}

struct Mul {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        const u64 b = load_e<T, F>(c, i);
        if constexpr (sizeof(T) == 1) {
            const u16 r = static_cast<u16>(get_reg<u8>(c.s, 0) * b);
            set_reg<u16>(c.s, reg::EAX, r);
            mul_flags(c.s, (r >> 8) != 0, sx(static_cast<u8>(r)));
        } else {
            const u64 r = u64{get_reg<T>(c.s, reg::EAX)} * b;
            const T lo = static_cast<T>(r), hi = static_cast<T>(r >> bits_of<T>());
            set_reg<T>(c.s, reg::EAX, lo);
            set_reg<T>(c.s, reg::EDX, hi);
            mul_flags(c.s, hi != 0, sx(lo));
        }
        c.s.cycles += wide_extra_cycles<T>(c);
        return next(c, i);
    }
};

struct ImulOne {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        using S = std::make_signed_t<T>;
        const i64 b = static_cast<S>(load_e<T, F>(c, i));
        if constexpr (sizeof(T) == 1) {
            const i16 r = static_cast<i16>(static_cast<i8>(get_reg<u8>(c.s, 0)) * b);
            set_reg<u16>(c.s, reg::EAX, static_cast<u16>(r));
            mul_flags(c.s, r != static_cast<i8>(r), sx(static_cast<u8>(r)));
        } else {
            const i64 r = static_cast<S>(get_reg<T>(c.s, reg::EAX)) * b;
            const T lo = static_cast<T>(r), hi = static_cast<T>(static_cast<u64>(r) >> bits_of<T>());
            set_reg<T>(c.s, reg::EAX, lo);
            set_reg<T>(c.s, reg::EDX, hi);
            mul_flags(c.s, r != static_cast<S>(lo), sx(lo));
        }
        c.s.cycles += wide_extra_cycles<T>(c);
        return next(c, i);
    }
};

template <typename T>
T imul_truncating(CpuState& s, T a, T b) {
    using S = std::make_signed_t<T>;
    const i64 r = i64{static_cast<S>(a)} * static_cast<S>(b);
    const T lo = static_cast<T>(r);
    mul_flags(s, r != static_cast<S>(lo), sx(lo));
    return lo;
}

struct ImulGE {  // IMUL Gv,Ev
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        const T b = load_e<T, F>(c, i);
        set_reg<T>(c.s, i->reg, imul_truncating<T>(c.s, get_reg<T>(c.s, i->reg), b));
        c.s.cycles += wide_extra_cycles<T>(c);
        return next(c, i);
    }
};

struct ImulGEI {  // IMUL Gv,Ev,Iz / Ibs
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        const T a = load_e<T, F>(c, i);
        set_reg<T>(c.s, i->reg, imul_truncating<T>(c.s, a, static_cast<T>(i->imm)));
        c.s.cycles += wide_extra_cycles<T>(c);
        return next(c, i);
    }
};

struct Div {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        const u64 d = load_e<T, F>(c, i);
        if (d == 0) raise(Vector::DE);
        if constexpr (sizeof(T) == 1) {
            const u32 n = get_reg<u16>(c.s, reg::EAX);
            const u32 q = static_cast<u32>(n / d), r = static_cast<u32>(n % d);
            if (q > 0xFF) raise(Vector::DE);
            set_reg<u8>(c.s, 0, static_cast<u8>(q));
            set_reg<u8>(c.s, byte_reg_index(4), static_cast<u8>(r));
        } else {
            const u64 n = (u64{get_reg<T>(c.s, reg::EDX)} << bits_of<T>()) | get_reg<T>(c.s, reg::EAX);
            const u64 q = n / d, r = n % d;
            if (q > static_cast<T>(~T{0})) raise(Vector::DE);
            set_reg<T>(c.s, reg::EAX, static_cast<T>(q));
            set_reg<T>(c.s, reg::EDX, static_cast<T>(r));
        }
        c.s.cycles += div_extra_cycles<T>(c);
        return next(c, i);
    }
};

struct Idiv {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        using S = std::make_signed_t<T>;
        const i64 d = static_cast<S>(load_e<T, F>(c, i));
        if (d == 0) raise(Vector::DE);
        i64 n;
        if constexpr (sizeof(T) == 1) {
            n = static_cast<i16>(get_reg<u16>(c.s, reg::EAX));
        } else {
            const u64 un = (u64{get_reg<T>(c.s, reg::EDX)} << bits_of<T>()) | get_reg<T>(c.s, reg::EAX);
            n = sizeof(T) == 4 ? static_cast<i64>(un) : static_cast<i64>(static_cast<i32>(static_cast<u32>(un)));
        }
        // INT64_MIN / -1 cannot occur: n has at most 64 significant bits only for
        // 32-bit operands, where the quotient check below catches it first.
        if (sizeof(T) == 4 && n == INT64_MIN && d == -1) raise(Vector::DE);
        const i64 q = n / d, r = n % d;
        constexpr i64 kMin = -(i64{1} << (bits_of<T>() - 1)), kMax = (i64{1} << (bits_of<T>() - 1)) - 1;
        if (q < kMin || q > kMax) raise(Vector::DE);
        if constexpr (sizeof(T) == 1) {
            set_reg<u8>(c.s, 0, static_cast<u8>(q));
            set_reg<u8>(c.s, byte_reg_index(4), static_cast<u8>(r));
        } else {
            set_reg<T>(c.s, reg::EAX, static_cast<T>(q));
            set_reg<T>(c.s, reg::EDX, static_cast<T>(r));
        }
        c.s.cycles += div_extra_cycles<T>(c);
        return next(c, i);
    }
};

constexpr OpcodeDef kRows[] = {
    {0xF6, 0xF6, 4, "MUL Eb", byte<Mul>(), 0, 13, 13},
    {0xF6, 0xF6, 5, "IMUL Eb", byte<ImulOne>(), 0, 13, 13},
    {0xF6, 0xF6, 6, "DIV Eb", byte<Div>(), 0, 16, 16},
    {0xF6, 0xF6, 7, "IDIV Eb", byte<Idiv>(), 0, 19, 19},
    {0xF7, 0xF7, 4, "MUL Ev", sized<Mul>(), 0, 13, 13},
    {0xF7, 0xF7, 5, "IMUL Ev", sized<ImulOne>(), 0, 13, 13},
    {0xF7, 0xF7, 6, "DIV Ev", sized<Div>(), 0, 16, 16},
    {0xF7, 0xF7, 7, "IDIV Ev", sized<Idiv>(), 0, 19, 19},
    {k0F | 0xAF, k0F | 0xAF, -1, "IMUL Gv,Ev", sized<ImulGE>(), 0, 13, 13},
    {0x69, 0x69, -1, "IMUL Gv,Ev,Iz", sized<ImulGEI>(), 0, 13, 13},
    {0x6B, 0x6B, -1, "IMUL Gv,Ev,Ibs", sized<ImulGEI>(), 0, 13, 13},
};

}  // namespace

extern const OpcodeFamily kMulDivFamily{"muldiv", kRows};

}  // namespace hm::cpu
