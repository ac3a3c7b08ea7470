// Shifts and rotates: ROL ROR RCL RCR SHL SHR SAL SAR by 1, by an immediate and
// by CL, and the double-precision SHLD/SHRD. The count is masked to 5 bits; a
// masked count of 0 changes nothing (flags included). RCL/RCR rotate through
// CF over width+1 bits, so any count works.
// Flag choices where the SDM says "undefined" (docs/cpu.md): OF for counts > 1
// is computed with the count-1 formula; AF is cleared by SHL/SHR/SAR;
// shifts of 8/16-bit operands by more than the width shift in zeros (SHL/SHR)
// or sign bits (SAR) and take CF from the wide result; SHLD/SHRD of 16-bit
// operands by 16-31 shift through the 48-bit concatenation dst:src:dst as the
// 486 does.
// Costs (Intel486): reg 3 (2 by imm), mem 4; RCL/RCR 3/4 by 1, 8 by count
// (+1 per bit on memory: charged as 9); SHLD/SHRD 2 reg, 3 mem (3/4 by CL).
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

namespace {

enum class Sh : u8 { Rol, Ror, Rcl, Rcr, Shl, Shr, Sal, Sar };
enum class CountFrom : u8 { One, Imm, Cl };

template <typename T>
constexpr u32 msb(T v) {
    return (v >> (bits_of<T>() - 1)) & 1;
}

template <Sh Op, typename T>
T shift(CpuState& s, T a, unsigned count) {
    constexpr unsigned W = bits_of<T>();
    count &= 0x1F;
    if (count == 0) return a;
    if constexpr (Op == Sh::Shl || Op == Sh::Sal) {
        const u64 wide = u64{a} << count;
        const T r = static_cast<T>(wide);
        const u32 cf = (wide >> W) & 1;
        const u32 of = msb(r) ^ cf;
        set_lazy(s, FlagKind::Explicit, (cf ? flag::CF : 0) | (of ? flag::OF : 0), 0, sx(r));
        return r;
    } else if constexpr (Op == Sh::Shr) {
        const u32 cf = count <= W ? (a >> (count - 1)) & 1 : 0;
        const T r = count < W ? static_cast<T>(a >> count) : 0;
        // OF is the sign change of the last one-bit step: MSB of the value
        // before it (so 0 for counts > 1), as the 286 and 386 compute it.
        const u32 of = msb(static_cast<T>(u64{a} >> (count - 1)));
        set_lazy(s, FlagKind::Explicit, (cf ? flag::CF : 0) | (of ? flag::OF : 0), 0, sx(r));
        return r;
    } else if constexpr (Op == Sh::Sar) {
        const i64 sa = static_cast<i64>(static_cast<std::make_signed_t<T>>(a));
        const T r = static_cast<T>(sa >> (count < W ? count : W - 1));
        const u32 cf = static_cast<u32>((sa >> (count <= W ? count - 1 : W - 1)) & 1);
        set_lazy(s, FlagKind::Explicit, cf ? flag::CF : 0, 0, sx(r));
        return r;
    } else if constexpr (Op == Sh::Rol) {
        const unsigned n = count % W;
        const T r = n ? static_cast<T>((a << n) | (a >> (W - n))) : a;
        const u32 cf = r & 1;
        write_arith_flags(s, (cf ? flag::CF : 0) | ((msb(r) ^ cf) ? flag::OF : 0), flag::CF | flag::OF);
        return r;
    } else if constexpr (Op == Sh::Ror) {
        const unsigned n = count % W;
        const T r = n ? static_cast<T>((a >> n) | (a << (W - n))) : a;
        const u32 cf = msb(r);
        const u32 of = msb(r) ^ ((r >> (W - 2)) & 1);
        write_arith_flags(s, (cf ? flag::CF : 0) | (of ? flag::OF : 0), flag::CF | flag::OF);
        return r;
    } else if constexpr (Op == Sh::Rcl) {
        const unsigned n = count % (W + 1);
        u64 cf = get_cf(s) ? 1 : 0;
        if (n == 0) {
            // The masked count was a multiple of width+1: nothing moves, but
            // OF is still written (from the unchanged value), as on the 486.
            write_arith_flags(s, (msb(a) ^ cf) ? flag::OF : 0, flag::OF);
            return a;
        }
        const u64 ext = (cf << W) | a;  // W+1 bits: CF:a
        const u64 mask = (u64{1} << (W + 1)) - 1;
        const u64 rot = ((ext << n) | (ext >> (W + 1 - n))) & mask;
        const T r = static_cast<T>(rot);
        cf = (rot >> W) & 1;
        write_arith_flags(s, (cf ? flag::CF : 0) | ((msb(r) ^ cf) ? flag::OF : 0), flag::CF | flag::OF);
        return r;
    } else {  // Rcr
        const unsigned n = count % (W + 1);
        u64 cf = get_cf(s) ? 1 : 0;
        if (n == 0) {
            write_arith_flags(s, (msb(a) ^ ((a >> (W - 2)) & 1)) ? flag::OF : 0, flag::OF);
            return a;
        }
        const u64 ext = (cf << W) | a;
        const u64 mask = (u64{1} << (W + 1)) - 1;
        const u64 rot = ((ext >> n) | (ext << (W + 1 - n))) & mask;
        const T r = static_cast<T>(rot);
        cf = (rot >> W) & 1;
        const u32 of = msb(r) ^ ((r >> (W - 2)) & 1);
        write_arith_flags(s, (cf ? flag::CF : 0) | (of ? flag::OF : 0), flag::CF | flag::OF);
        return r;
    }
}

template <Sh Op, CountFrom From>
struct ShiftE {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        unsigned count;
        if constexpr (From == CountFrom::One) count = 1;
        else if constexpr (From == CountFrom::Imm) count = i->imm & 0xFF;
        else count = c.s.r[reg::ECX] & 0xFF;
        if constexpr (Op == Sh::Rcl || Op == Sh::Rcr) {
            if (From != CountFrom::One) c.s.cycles += 5;
        }
        rmw_e<T, F>(c, i, [&](T a) { return shift<Op, T>(c.s, a, count); });
        return next(c, i);
    }
};

// SHLD/SHRD: dst is the E operand, src the G register.
template <bool Left, typename T>
T double_shift(CpuState& s, T dst, T src, unsigned count) {
    constexpr unsigned W = bits_of<T>();
    count &= 0x1F;
    if (count == 0) return dst;
    T r;
    u32 cf;
    if constexpr (W == 32) {
        if (Left) {
            r = static_cast<T>((dst << count) | (count ? (src >> (32 - count)) : 0));
            cf = (dst >> (32 - count)) & 1;
        } else {
            r = static_cast<T>((dst >> count) | (src << (32 - count)));
            cf = (dst >> (count - 1)) & 1;
        }
    } else {
        // 16-bit: shift through dst:src:dst (48 bits) so counts 16-31 behave as on the 486.
        const u64 cat = (u64{dst} << 32) | (u64{src} << 16) | dst;
        if (Left) {
            r = static_cast<T>(cat >> (32 - count));
            cf = static_cast<u32>((cat >> (48 - count)) & 1);
        } else {
            r = static_cast<T>(cat >> count);
            cf = static_cast<u32>((cat >> (count - 1)) & 1);
        }
    }
    const u32 of = msb(r) ^ msb(dst);
    set_lazy(s, FlagKind::Explicit, (cf ? flag::CF : 0) | (of ? flag::OF : 0), 0, sx(r));
    return r;
}

template <bool Left, bool ByCl>
struct DoubleShift {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        const unsigned count = ByCl ? (c.s.r[reg::ECX] & 0xFF) : (i->imm & 0xFF);
        const T src = get_reg<T>(c.s, i->reg);
        rmw_e<T, F>(c, i, [&](T a) { return double_shift<Left, T>(c.s, a, src, count); });
        if (ByCl) c.s.cycles += 1;
        return next(c, i);
    }
};

template <Sh Op>
constexpr OpcodeDef row(u16 op, i8 grp, const char* syntax, CountFrom from) {
    const bool rc = Op == Sh::Rcl || Op == Sh::Rcr;
    const u8 creg = rc ? 3 : (from == CountFrom::Imm ? 2 : 3);
    const u8 cmem = rc ? 4 : 4;
    const bool b = (op & 1) == 0;
    Forms f{};
    switch (from) {
        case CountFrom::One: f = b ? byte<ShiftE<Op, CountFrom::One>>() : sized<ShiftE<Op, CountFrom::One>>(); break;
        case CountFrom::Imm: f = b ? byte<ShiftE<Op, CountFrom::Imm>>() : sized<ShiftE<Op, CountFrom::Imm>>(); break;
        case CountFrom::Cl: f = b ? byte<ShiftE<Op, CountFrom::Cl>>() : sized<ShiftE<Op, CountFrom::Cl>>(); break;
    }
    return {op, op, grp, syntax, f, 0, creg, cmem};
}

using C = CountFrom;

constexpr OpcodeDef kRows[] = {
    row<Sh::Rol>(0xC0, 0, "ROL Eb,Ib", C::Imm), row<Sh::Ror>(0xC0, 1, "ROR Eb,Ib", C::Imm),
    row<Sh::Rcl>(0xC0, 2, "RCL Eb,Ib", C::Imm), row<Sh::Rcr>(0xC0, 3, "RCR Eb,Ib", C::Imm),
    row<Sh::Shl>(0xC0, 4, "SHL Eb,Ib", C::Imm), row<Sh::Shr>(0xC0, 5, "SHR Eb,Ib", C::Imm),
    row<Sh::Sal>(0xC0, 6, "SAL Eb,Ib", C::Imm), row<Sh::Sar>(0xC0, 7, "SAR Eb,Ib", C::Imm),
    row<Sh::Rol>(0xC1, 0, "ROL Ev,Ib", C::Imm), row<Sh::Ror>(0xC1, 1, "ROR Ev,Ib", C::Imm),
    row<Sh::Rcl>(0xC1, 2, "RCL Ev,Ib", C::Imm), row<Sh::Rcr>(0xC1, 3, "RCR Ev,Ib", C::Imm),
    row<Sh::Shl>(0xC1, 4, "SHL Ev,Ib", C::Imm), row<Sh::Shr>(0xC1, 5, "SHR Ev,Ib", C::Imm),
    row<Sh::Sal>(0xC1, 6, "SAL Ev,Ib", C::Imm), row<Sh::Sar>(0xC1, 7, "SAR Ev,Ib", C::Imm),
    row<Sh::Rol>(0xD0, 0, "ROL Eb,1", C::One), row<Sh::Ror>(0xD0, 1, "ROR Eb,1", C::One),
    row<Sh::Rcl>(0xD0, 2, "RCL Eb,1", C::One), row<Sh::Rcr>(0xD0, 3, "RCR Eb,1", C::One),
    row<Sh::Shl>(0xD0, 4, "SHL Eb,1", C::One), row<Sh::Shr>(0xD0, 5, "SHR Eb,1", C::One),
    row<Sh::Sal>(0xD0, 6, "SAL Eb,1", C::One), row<Sh::Sar>(0xD0, 7, "SAR Eb,1", C::One),
    row<Sh::Rol>(0xD1, 0, "ROL Ev,1", C::One), row<Sh::Ror>(0xD1, 1, "ROR Ev,1", C::One),
    row<Sh::Rcl>(0xD1, 2, "RCL Ev,1", C::One), row<Sh::Rcr>(0xD1, 3, "RCR Ev,1", C::One),
    row<Sh::Shl>(0xD1, 4, "SHL Ev,1", C::One), row<Sh::Shr>(0xD1, 5, "SHR Ev,1", C::One),
    row<Sh::Sal>(0xD1, 6, "SAL Ev,1", C::One), row<Sh::Sar>(0xD1, 7, "SAR Ev,1", C::One),
    row<Sh::Rol>(0xD2, 0, "ROL Eb,CL", C::Cl), row<Sh::Ror>(0xD2, 1, "ROR Eb,CL", C::Cl),
    row<Sh::Rcl>(0xD2, 2, "RCL Eb,CL", C::Cl), row<Sh::Rcr>(0xD2, 3, "RCR Eb,CL", C::Cl),
    row<Sh::Shl>(0xD2, 4, "SHL Eb,CL", C::Cl), row<Sh::Shr>(0xD2, 5, "SHR Eb,CL", C::Cl),
    row<Sh::Sal>(0xD2, 6, "SAL Eb,CL", C::Cl), row<Sh::Sar>(0xD2, 7, "SAR Eb,CL", C::Cl),
    row<Sh::Rol>(0xD3, 0, "ROL Ev,CL", C::Cl), row<Sh::Ror>(0xD3, 1, "ROR Ev,CL", C::Cl),
    row<Sh::Rcl>(0xD3, 2, "RCL Ev,CL", C::Cl), row<Sh::Rcr>(0xD3, 3, "RCR Ev,CL", C::Cl),
    row<Sh::Shl>(0xD3, 4, "SHL Ev,CL", C::Cl), row<Sh::Shr>(0xD3, 5, "SHR Ev,CL", C::Cl),
    row<Sh::Sal>(0xD3, 6, "SAL Ev,CL", C::Cl), row<Sh::Sar>(0xD3, 7, "SAR Ev,CL", C::Cl),
    {k0F | 0xA4, k0F | 0xA4, -1, "SHLD Ev,Gv,Ib", sized<DoubleShift<true, false>>(), 0, 2, 3},
    {k0F | 0xA5, k0F | 0xA5, -1, "SHLD Ev,Gv,CL", sized<DoubleShift<true, true>>(), 0, 2, 3},
    {k0F | 0xAC, k0F | 0xAC, -1, "SHRD Ev,Gv,Ib", sized<DoubleShift<false, false>>(), 0, 2, 3},
    {k0F | 0xAD, k0F | 0xAD, -1, "SHRD Ev,Gv,CL", sized<DoubleShift<false, true>>(), 0, 2, 3},
};

}  // namespace

extern const OpcodeFamily kShiftFamily{"shift", kRows};

}  // namespace hm::cpu
