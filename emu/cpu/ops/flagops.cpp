// Instructions that read or write EFLAGS as a whole or bit by bit: CLC STC CMC
// CLD STD CLI STI LAHF SAHF PUSHF POPF, and the undocumented SALC.
// Privilege rules (SDM Vol. 2, POPF/CLI/STI; no VME, so virtual-8086 code with
// IOPL < 3 faults): protected mode CLI/STI need CPL <= IOPL; POPF changes IOPL
// only at CPL 0 and IF only at CPL <= IOPL; VM, VIF and VIP never change.
// STI opens an interrupt shadow of one instruction when it sets IF.
// Costs (Intel486): CLC/STC/CMC/CLD/STD 2, CLI/STI 5, LAHF 3, SAHF 2, PUSHF 4
// (3 in real mode), POPF 9 (6 in real mode).
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

namespace {

const Insn* op_clc(Core& c, const Insn* i) {
    set_cf(c.s, false);
    return next(c, i);
}
const Insn* op_stc(Core& c, const Insn* i) {
    set_cf(c.s, true);
    return next(c, i);
}
const Insn* op_cmc(Core& c, const Insn* i) {
    set_cf(c.s, !get_cf(c.s));
    return next(c, i);
}
const Insn* op_cld(Core& c, const Insn* i) {
    c.s.eflags &= ~flag::DF;
    return next(c, i);
}
const Insn* op_std(Core& c, const Insn* i) {
    c.s.eflags |= flag::DF;
    return next(c, i);
}

void check_iopl_for_if(Core& c) {
    if (c.v86() ? c.iopl() < 3 : (c.pe() && c.s.cpl > c.iopl())) raise(Vector::GP, 0);
}

const Insn* op_cli(Core& c, const Insn* i) {
    check_iopl_for_if(c);
    c.s.eflags &= ~flag::IF;
    return next(c, i);
}

const Insn* op_sti(Core& c, const Insn* i) {
    check_iopl_for_if(c);
    if (!(c.s.eflags & flag::IF)) {
        c.s.eflags |= flag::IF;
        c.s.interrupt_shadow = true;
        c.refresh_pending();
    }
    return next(c, i);
}

const Insn* op_lahf(Core& c, const Insn* i) {
    set_reg<u8>(c.s, byte_reg_index(4), static_cast<u8>(read_eflags(c.s)));
    return next(c, i);
}

const Insn* op_sahf(Core& c, const Insn* i) {
    const u32 ah = get_reg<u8>(c.s, byte_reg_index(4));
    write_arith_flags(c.s, ah, flag::CF | flag::PF | flag::AF | flag::ZF | flag::SF);
    return next(c, i);
}

const Insn* op_salc(Core& c, const Insn* i) {
    set_reg<u8>(c.s, 0, get_cf(c.s) ? 0xFF : 0x00);
    return next(c, i);
}

struct Pushf {
    template <typename T>
    static const Insn* run(Core& c, const Insn* i) {
        if (c.v86() && c.iopl() < 3) raise(Vector::GP, 0);
        const u32 fl = read_eflags(c.s) & ~(flag::VM | flag::RF);
        c.push<T>(static_cast<T>(fl));
        if (!c.pe()) c.s.cycles -= 1;
        return next(c, i);
    }
};

struct Popf {
    template <typename T>
    static const Insn* run(Core& c, const Insn* i) {
        if (c.v86() && c.iopl() < 3) raise(Vector::GP, 0);
        const u32 v = c.stack_peek<T>(0);
        u32 mask = flag::kArith | flag::TF | flag::DF | flag::NT | flag::IF | flag::IOPL;
        if constexpr (sizeof(T) == 4) mask |= flag::AC | flag::ID | flag::RF;
        if (c.pe()) {
            if (c.v86() || c.s.cpl > 0) mask &= ~flag::IOPL;
            if (!c.v86() && c.s.cpl > c.iopl()) mask &= ~flag::IF;
        }
        c.pop<T>();
        c.write_eflags(v & ~flag::RF, mask);
        if (!c.pe()) c.s.cycles -= 3;
        return next(c, i);
    }
};

constexpr u16 EB = attr::kEndsBlock;

constexpr OpcodeDef kRows[] = {
    {0xF8, 0xF8, -1, "CLC", one<op_clc>(), 0, 2, 2},
    {0xF9, 0xF9, -1, "STC", one<op_stc>(), 0, 2, 2},
    {0xF5, 0xF5, -1, "CMC", one<op_cmc>(), 0, 2, 2},
    {0xFC, 0xFC, -1, "CLD", one<op_cld>(), 0, 2, 2},
    {0xFD, 0xFD, -1, "STD", one<op_std>(), 0, 2, 2},
    {0xFA, 0xFA, -1, "CLI", one<op_cli>(), 0, 5, 5},
    {0xFB, 0xFB, -1, "STI", one<op_sti>(), EB, 5, 5},
    {0x9F, 0x9F, -1, "LAHF", one<op_lahf>(), 0, 3, 3},
    {0x9E, 0x9E, -1, "SAHF", one<op_sahf>(), 0, 2, 2},
    {0xD6, 0xD6, -1, "SALC", one<op_salc>(), 0, 2, 2},
    {0x9C, 0x9C, -1, "PUSHF", by_size<Pushf>(), 0, 4, 4},
    {0x9D, 0x9D, -1, "POPF", by_size<Popf>(), EB, 9, 9},
};

}  // namespace

extern const OpcodeFamily kFlagFamily{"flags", kRows};

}  // namespace hm::cpu
