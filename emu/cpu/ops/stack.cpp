// The stack: PUSH/POP of registers, memory, immediates and segment registers,
// PUSHA/POPA, ENTER/LEAVE. The stack width follows SS.B, the operand width the
// operand size. Multi-value instructions move a StackFrame and commit ESP only
// after every access succeeded. Costs (Intel486): PUSH reg/imm 1, PUSH mem 4,
// POP reg 1 (4 on the 386), POP mem 6, PUSH sreg 3, POP sreg 3 real / 9
// protected, PUSHA 11, POPA 9, ENTER 14 (+3 per level), LEAVE 5.
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"
#include "cpu/stack_frame.hpp"

namespace hm::cpu {

namespace {

struct PushZ {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        c.push<T>(get_reg<T>(c.s, i->reg));
        return next(c, i);
    }
};

struct PopZ {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        const T v = c.pop<T>();
        set_reg<T>(c.s, i->reg, v);  // POP ESP: the popped value wins
        return next(c, i);
    }
};

struct PushI {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        c.push<T>(static_cast<T>(i->imm));
        return next(c, i);
    }
};

struct PushE {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        c.push<T>(load_e<T, F>(c, i));
        return next(c, i);
    }
};

// POP Ev: a memory destination addressed through ESP uses ESP after the pop.
struct PopE {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        const T v = c.stack_peek<T>(0);
        if constexpr (F == Form::Reg) {
            c.pop<T>();
            set_reg<T>(c.s, i->rm, v);
        } else {
            const u32 old_esp = c.s.r[reg::ESP];
            c.pop<T>();
            try {
                c.write<T>(i->seg, ea(c, i), v);
            } catch (...) {
                c.s.r[reg::ESP] = old_esp;
                throw;
            }
        }
        return next(c, i);
    }
};

template <u8 Seg>
struct PushSeg {
    template <typename T>
    static const Insn* run(Core& c, const Insn* i) {
        if constexpr (sizeof(T) == 2) {
            c.push<u16>(c.s.seg[Seg].selector);
        } else {
            // A 32-bit push of a selector moves ESP by 4 but writes only the
            // low 16 bits (as P6 and later processors do).
            const u32 esp = c.s.r[reg::ESP];
            const bool big = c.stack32();
            const u32 sp = big ? esp - 4 : ((esp & 0xFFFF0000u) | static_cast<u16>(esp - 4));
            c.write<u16>(sreg::SS, big ? sp : (sp & 0xFFFF), c.s.seg[Seg].selector);
            c.s.r[reg::ESP] = sp;
        }
        return next(c, i);
    }
};

template <u8 Seg>
struct PopSeg {
    template <typename T>
    static const Insn* run(Core& c, const Insn* i) {
        const u16 sel = static_cast<u16>(c.stack_peek<T>(0));
        // ESP moves by the stack size of the SS in force before the pop: a
        // 16-bit SS wraps SP and keeps ESP's upper half even when it pops a 32-bit one.
        StackFrame f(c);
        f.skip(sizeof(T));
        const u32 esp = f.sp();
        c.load_segment(Seg, sel);
        c.s.r[reg::ESP] = esp;
        if (c.protected_mode()) c.s.cycles += 6;
        if constexpr (Seg == sreg::SS) {
            c.s.interrupt_shadow = true;
            c.s.debug_shadow = true;
            c.refresh_pending();
        }
        return next(c, i);
    }
};

struct Pusha {
    template <typename T>
    static const Insn* run(Core& c, const Insn* i) {
        StackFrame f(c);
        const u32 old_esp = c.s.r[reg::ESP];
        for (u8 r = 0; r < 8; ++r) f.push<T>(static_cast<T>(r == reg::ESP ? old_esp : c.s.r[r]));
        f.commit();
        return next(c, i);
    }
};

struct Popa {
    template <typename T>
    static const Insn* run(Core& c, const Insn* i) {
        StackFrame f(c);
        T v[8];
        for (int r = 7; r >= 0; --r) v[r] = f.pop<T>();
        for (u8 r = 0; r < 8; ++r) {
            if (r != reg::ESP) set_reg<T>(c.s, r, v[r]);
        }
        f.commit();
        return next(c, i);
    }
};

struct Enter {
    template <typename T>
    static const Insn* run(Core& c, const Insn* i) {
        const u32 size = i->imm & 0xFFFF;
        const u32 level = i->imm2 & 31;
        StackFrame f(c);
        f.push<T>(static_cast<T>(c.s.r[reg::EBP]));
        const u32 frame_temp = f.sp();
        u32 bp = c.s.r[reg::EBP];
        if (level > 0) {
            for (u32 n = 1; n < level; ++n) {
                bp = f.big() ? bp - sizeof(T) : ((bp & 0xFFFF0000u) | static_cast<u16>(bp - sizeof(T)));
                const T v = c.read<T>(sreg::SS, f.big() ? bp : (bp & 0xFFFF));
                f.push<T>(v);
            }
            f.push<T>(static_cast<T>(frame_temp));
            c.s.cycles += 3 * level;
        }
        // Nothing changes unless a write at the final ESP would succeed: #SS if it
        // is outside SS, #PF if its page would fault (SDM, ENTER, exceptions).
        f.reserve(size);
        f.probe_write<T>();
        set_reg<T>(c.s, reg::EBP, static_cast<T>(frame_temp));
        f.commit();
        return next(c, i);
    }
};

struct Leave {
    template <typename T>
    static const Insn* run(Core& c, const Insn* i) {
        const bool big = c.stack32();
        const u32 bp = big ? c.s.r[reg::EBP] : (c.s.r[reg::EBP] & 0xFFFF);
        const T v = c.read<T>(sreg::SS, bp);
        const u32 sp = bp + sizeof(T);
        if (big) c.s.r[reg::ESP] = sp;
        else c.s.r[reg::ESP] = (c.s.r[reg::ESP] & 0xFFFF0000u) | (sp & 0xFFFF);
        set_reg<T>(c.s, reg::EBP, v);
        return next(c, i);
    }
};

constexpr u16 EB = attr::kEndsBlock;

constexpr OpcodeDef kRows[] = {
    {0x50, 0x57, -1, "PUSH Zv", sized<PushZ>(), 0, 1, 1},
    {0x58, 0x5F, -1, "POP Zv", sized<PopZ>(), 0, 1, 1},
    {0x68, 0x68, -1, "PUSH Iz", sized<PushI>(), 0, 1, 1},
    {0x6A, 0x6A, -1, "PUSH Ibs", sized<PushI>(), 0, 1, 1},
    {0xFF, 0xFF, 6, "PUSH Ev", sized<PushE>(), 0, 4, 4},
    {0x8F, 0x8F, 0, "POP Ev", sized<PopE>(), 0, 6, 6},
    {0x06, 0x06, -1, "PUSH ES", by_size<PushSeg<sreg::ES>>(), 0, 3, 3},
    {0x07, 0x07, -1, "POP ES", by_size<PopSeg<sreg::ES>>(), 0, 3, 3},
    {0x0E, 0x0E, -1, "PUSH CS", by_size<PushSeg<sreg::CS>>(), 0, 3, 3},
    {0x16, 0x16, -1, "PUSH SS", by_size<PushSeg<sreg::SS>>(), 0, 3, 3},
    {0x17, 0x17, -1, "POP SS", by_size<PopSeg<sreg::SS>>(), EB, 3, 3},
    {0x1E, 0x1E, -1, "PUSH DS", by_size<PushSeg<sreg::DS>>(), 0, 3, 3},
    {0x1F, 0x1F, -1, "POP DS", by_size<PopSeg<sreg::DS>>(), 0, 3, 3},
    {k0F | 0xA0, k0F | 0xA0, -1, "PUSH FS", by_size<PushSeg<sreg::FS>>(), 0, 3, 3},
    {k0F | 0xA1, k0F | 0xA1, -1, "POP FS", by_size<PopSeg<sreg::FS>>(), 0, 3, 3},
    {k0F | 0xA8, k0F | 0xA8, -1, "PUSH GS", by_size<PushSeg<sreg::GS>>(), 0, 3, 3},
    {k0F | 0xA9, k0F | 0xA9, -1, "POP GS", by_size<PopSeg<sreg::GS>>(), 0, 3, 3},
    {0x60, 0x60, -1, "PUSHA", by_size<Pusha>(), 0, 11, 11},
    {0x61, 0x61, -1, "POPA", by_size<Popa>(), 0, 9, 9},
    {0xC8, 0xC8, -1, "ENTER Iw,Ib", by_size<Enter>(), 0, 14, 14},
    {0xC9, 0xC9, -1, "LEAVE", by_size<Leave>(), 0, 5, 5},
};

}  // namespace

extern const OpcodeFamily kStackFamily{"stack", kRows};

}  // namespace hm::cpu
