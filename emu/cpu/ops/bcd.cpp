// Decimal arithmetic adjustments: DAA DAS AAA AAS AAM AAD (SDM Vol. 2
// pseudo-code; AAA/AAS adjust AX as a whole, as the 386 and later do).
// Flag choices for the SDM's "undefined" (docs/cpu.md): DAA/DAS OF = 0;
// AAA/AAS SF/ZF/PF from the adjusted AL, OF = 0; AAM OF/AF/CF = 0; AAD sets
// CF/OF/AF as the 8-bit addition AL + AH * imm8 that it performs.
// Costs (Intel486): DAA/DAS 2, AAA/AAS 3, AAM 15, AAD 14.
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

namespace {

constexpr u8 kAL = 0;
const u8 kAH = byte_reg_index(4);

void set_szp(CpuState& s, u8 al, u32 cf_af) {
    set_lazy(s, FlagKind::Explicit, cf_af, 0, sx(al));
}

const Insn* op_daa(Core& c, const Insn* i) {
    CpuState& s = c.s;
    const u8 old_al = get_reg<u8>(s, kAL);
    const bool old_cf = get_cf(s);
    u8 al = old_al;
    u32 fl = 0;
    if ((al & 0xF) > 9 || get_af(s)) {
        al = static_cast<u8>(al + 6);
        fl |= flag::AF;
    }
    if (old_al > 0x99 || old_cf) {
        al = static_cast<u8>(al + 0x60);
        fl |= flag::CF;
    }
    set_reg<u8>(s, kAL, al);
    set_szp(s, al, fl);
    return next(c, i);
}

const Insn* op_das(Core& c, const Insn* i) {
    CpuState& s = c.s;
    const u8 old_al = get_reg<u8>(s, kAL);
    const bool old_cf = get_cf(s);
    u8 al = old_al;
    u32 fl = 0;
    if ((al & 0xF) > 9 || get_af(s)) {
        if (al < 6) fl |= flag::CF;  // the borrow counts even when the second step does not apply
        al = static_cast<u8>(al - 6);
        fl |= flag::AF;
    }
    if (old_al > 0x99 || old_cf) {
        al = static_cast<u8>(al - 0x60);
        fl |= flag::CF;
    }
    set_reg<u8>(s, kAL, al);
    set_szp(s, al, fl);
    return next(c, i);
}

template <bool Sub>
const Insn* op_aaa_aas(Core& c, const Insn* i) {
    CpuState& s = c.s;
    u16 ax = get_reg<u16>(s, reg::EAX);
    u32 fl = 0;
    if ((ax & 0xF) > 9 || get_af(s)) {
        if constexpr (Sub) {
            ax = static_cast<u16>(ax - 6);
            ax = static_cast<u16>(ax - 0x100);
        } else {
            ax = static_cast<u16>(ax + 0x106);
        }
        fl = flag::AF | flag::CF;
    }
    ax &= 0xFF0F;
    set_reg<u16>(s, reg::EAX, ax);
    set_szp(s, static_cast<u8>(ax), fl);
    return next(c, i);
}

const Insn* op_aam(Core& c, const Insn* i) {
    const u8 base = static_cast<u8>(i->imm);
    if (base == 0) raise(Vector::DE);
    const u8 al = get_reg<u8>(c.s, kAL);
    const u8 q = al / base, r = al % base;
    set_reg<u8>(c.s, kAH, q);
    set_reg<u8>(c.s, kAL, r);
    set_szp(c.s, r, 0);
    return next(c, i);
}

const Insn* op_aad(Core& c, const Insn* i) {
    const u8 base = static_cast<u8>(i->imm);
    const u8 al = get_reg<u8>(c.s, kAL), ah = get_reg<u8>(c.s, kAH);
    const u8 product = static_cast<u8>(ah * base);
    const u8 r = static_cast<u8>(al + product);
    set_reg<u16>(c.s, reg::EAX, r);
    set_lazy(c.s, FlagKind::Add, sx(al), sx(product), sx(r));
    return next(c, i);
}

constexpr OpcodeDef kRows[] = {
    {0x27, 0x27, -1, "DAA", one<op_daa>(), 0, 2, 2},
    {0x2F, 0x2F, -1, "DAS", one<op_das>(), 0, 2, 2},
    {0x37, 0x37, -1, "AAA", one<op_aaa_aas<false>>(), 0, 3, 3},
    {0x3F, 0x3F, -1, "AAS", one<op_aaa_aas<true>>(), 0, 3, 3},
    {0xD4, 0xD4, -1, "AAM Ib", one<op_aam>(), 0, 15, 15},
    {0xD5, 0xD5, -1, "AAD Ib", one<op_aad>(), 0, 14, 14},
};

}  // namespace

extern const OpcodeFamily kBcdFamily{"bcd", kRows};

}  // namespace hm::cpu
