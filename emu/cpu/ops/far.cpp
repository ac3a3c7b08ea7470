// Far transfers and software interrupts: JMP/CALL ptr16:16/32 and m16:16/32,
// RETF, IRET, INT n, INT3, INTO, INT1 (ICEBP), and the far-pointer loads
// LDS/LES/LSS/LFS/LGS. The protected-mode rules are in far_transfer.cpp and
// exceptions.cpp; these rows only fetch operands. Costs of the transfers are
// charged there; the base costs here are the real-mode figures (Intel486).
#include "cpu/far_transfer.hpp"
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

namespace {

struct JmpFarImm {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        far_jump(c, i->imm2, i->imm, sizeof(T) == 4, c.s.eip + i->len);
        return nullptr;
    }
};

struct CallFarImm {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        far_call(c, i->imm2, i->imm, sizeof(T) == 4, c.s.eip + i->len);
        return nullptr;
    }
};

template <typename T>
void load_far_pointer(Core& c, const Insn* i, u32& offset, u16& sel) {
    const u32 off = ea(c, i);
    offset = c.read<T>(i->seg, off);
    const u32 sel_off = a32(i) ? off + sizeof(T) : ((off + sizeof(T)) & 0xFFFF);
    sel = c.read<u16>(i->seg, sel_off);
}

struct JmpFarMem {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        u32 offset;
        u16 sel;
        load_far_pointer<T>(c, i, offset, sel);
        far_jump(c, sel, offset, sizeof(T) == 4, c.s.eip + i->len);
        return nullptr;
    }
};

struct CallFarMem {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        u32 offset;
        u16 sel;
        load_far_pointer<T>(c, i, offset, sel);
        far_call(c, sel, offset, sizeof(T) == 4, c.s.eip + i->len);
        return nullptr;
    }
};

template <bool PopImm>
struct RetFar {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        far_return(c, sizeof(T) == 4, PopImm ? static_cast<u16>(i->imm) : 0);
        return nullptr;
    }
};

struct Iret {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        interrupt_return(c, sizeof(T) == 4, c.s.eip + i->len);
        return nullptr;
    }
};

const Insn* op_int(Core& c, const Insn* i) {
    if (c.v86() && c.iopl() < 3) raise(Vector::GP, 0);
    c.deliver_interrupt(static_cast<u8>(i->imm), EventSource::Software, c.s.eip + i->len);
    return nullptr;
}

const Insn* op_int3(Core& c, const Insn* i) {
    c.deliver_interrupt(3, EventSource::Software, c.s.eip + i->len);
    return nullptr;
}

const Insn* op_into(Core& c, const Insn* i) {
    if (get_of(c.s)) {
        c.deliver_interrupt(4, EventSource::Software, c.s.eip + i->len);
        c.s.cycles += 25;
    } else {
        c.s.eip += i->len;
    }
    return nullptr;
}

// INT1 / ICEBP: a #DB trap without the gate DPL check of INT n.
const Insn* op_int1(Core& c, const Insn* i) {
    c.deliver_interrupt(1, EventSource::External, c.s.eip + i->len);
    return nullptr;
}

template <u8 Seg>
struct LoadFar {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        u32 offset;
        u16 sel;
        load_far_pointer<T>(c, i, offset, sel);
        c.load_segment(Seg, sel);
        set_reg<T>(c.s, i->reg, static_cast<T>(offset));
        if (c.protected_mode()) c.s.cycles += 6;
        // No interrupt shadow: LSS loads SS and ESP together (only MOV SS and POP SS make one).
        return next(c, i);
    }
};

constexpr u16 EB = attr::kEndsBlock | attr::kNewContext;

constexpr OpcodeDef kRows[] = {
    {0xEA, 0xEA, -1, "JMP Ap", sized<JmpFarImm>(), EB, 17, 17},
    {0x9A, 0x9A, -1, "CALL Ap", sized<CallFarImm>(), EB, 18, 18},
    {0xFF, 0xFF, 5, "JMP Mp", sized_mem<JmpFarMem>(), EB, 17, 17},
    {0xFF, 0xFF, 3, "CALL Mp", sized_mem<CallFarMem>(), EB, 18, 18},
    {0xCA, 0xCA, -1, "RETF Iw", sized<RetFar<true>>(), EB, 14, 14},
    {0xCB, 0xCB, -1, "RETF", sized<RetFar<false>>(), EB, 13, 13},
    {0xCF, 0xCF, -1, "IRET", sized<Iret>(), EB, 15, 15},
    {0xCD, 0xCD, -1, "INT Ib", one<op_int>(), EB, 0, 0},
    {0xCC, 0xCC, -1, "INT3", one<op_int3>(), EB, 0, 0},
    {0xCE, 0xCE, -1, "INTO", one<op_into>(), EB, 3, 3},
    {0xF1, 0xF1, -1, "INT1", one<op_int1>(), EB, 0, 0},
    {0xC4, 0xC4, -1, "LES Gv,Mp", sized_mem<LoadFar<sreg::ES>>(), 0, 6, 6},
    {0xC5, 0xC5, -1, "LDS Gv,Mp", sized_mem<LoadFar<sreg::DS>>(), 0, 6, 6},
    {k0F | 0xB2, k0F | 0xB2, -1, "LSS Gv,Mp", sized_mem<LoadFar<sreg::SS>>(), EB, 6, 6},
    {k0F | 0xB4, k0F | 0xB4, -1, "LFS Gv,Mp", sized_mem<LoadFar<sreg::FS>>(), 0, 6, 6},
    {k0F | 0xB5, k0F | 0xB5, -1, "LGS Gv,Mp", sized_mem<LoadFar<sreg::GS>>(), 0, 6, 6},
};

}  // namespace

extern const OpcodeFamily kFarFamily{"far", kRows};

}  // namespace hm::cpu
