// Descriptor-table instructions: LGDT/LIDT/SGDT/SIDT, LLDT/SLDT, LTR/STR,
// LAR/LSL, VERR/VERW, ARPL. The selector-inspecting ones (LAR LSL VERR VERW
// ARPL SLDT STR LLDT LTR) are #UD outside protected mode, as on the 386.
// Costs (Intel486): LGDT/LIDT 11, SGDT/SIDT 10, LLDT 11, SLDT 2, LTR 20,
// STR 2, LAR 11, LSL 10, VERR/VERW 11, ARPL 9.
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

using namespace seg_attr;

namespace {

void require_protected(Core& c) {
    if (!c.protected_mode()) raise(Vector::UD);
}

void require_cpl0(Core& c) {
    if (c.pe() && (c.v86() || c.s.cpl != 0)) raise(Vector::GP, 0);
}

template <bool Idt>
struct LoadTable {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        require_cpl0(c);
        const u32 off = ea(c, i);
        const u16 limit = c.read<u16>(i->seg, off);
        u32 base = c.read<u32>(i->seg, a32(i) ? off + 2 : ((off + 2) & 0xFFFF));
        if constexpr (sizeof(T) == 2) base &= 0x00FFFFFF;
        DescriptorTableReg& r = Idt ? c.s.idtr : c.s.gdtr;
        r.base = base;
        r.limit = limit;
        return next(c, i);
    }
};

template <bool Idt>
struct StoreTable {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        const DescriptorTableReg& r = Idt ? c.s.idtr : c.s.gdtr;
        const u32 off = ea(c, i);
        c.lin_write<u16>(i->seg, off);  // check both parts before storing either
        c.lin_write<u32>(i->seg, a32(i) ? off + 2 : ((off + 2) & 0xFFFF));
        c.write<u16>(i->seg, off, r.limit);
        c.write<u32>(i->seg, a32(i) ? off + 2 : ((off + 2) & 0xFFFF), r.base);
        return next(c, i);
    }
};

template <bool Tr>
struct StoreSystemSelector {  // SLDT / STR
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        require_protected(c);
        const u16 sel = Tr ? c.s.tr.selector : c.s.ldtr.selector;
        if constexpr (F == Form::Reg) set_reg<T>(c.s, i->rm, static_cast<T>(sel));
        else c.write<u16>(i->seg, ea(c, i), sel);
        return next(c, i);
    }
};

struct Lldt {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        require_protected(c);
        require_cpl0(c);
        const u16 sel = load_e<u16, F>(c, i);
        if ((sel & 0xFFFC) == 0) {
            c.s.ldtr = Segment{};
            c.s.ldtr.selector = sel;
            c.s.ldtr.attr = kUnusable;
            return next(c, i);
        }
        if (sel & 4) raise(Vector::GP, sel & 0xFFFC);
        const u64 desc = c.read_descriptor(sel, sel & 0xFFFC);
        const u32 a = static_cast<u32>((desc >> 40) & 0xFF);
        if ((a & 0x1F) != 0x02) raise(Vector::GP, sel & 0xFFFC);
        if (!(a & kP)) raise(Vector::NP, sel & 0xFFFC);
        Core::fill_segment(c.s.ldtr, sel, desc);
        return next(c, i);
    }
};

struct Ltr {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        require_protected(c);
        require_cpl0(c);
        const u16 sel = load_e<u16, F>(c, i);
        if ((sel & 0xFFFC) == 0) raise(Vector::GP, 0);
        if (sel & 4) raise(Vector::GP, sel & 0xFFFC);
        u64 desc = c.read_descriptor(sel, sel & 0xFFFC);
        const u32 a = static_cast<u32>((desc >> 40) & 0xFF);
        if ((a & 0x1F) != 0x01 && (a & 0x1F) != 0x09) raise(Vector::GP, sel & 0xFFFC);
        if (!(a & kP)) raise(Vector::NP, sel & 0xFFFC);
        desc |= u64{2} << 40;  // busy
        c.sys_write<u8>(c.s.gdtr.base + (sel & ~7u) + 5, static_cast<u8>(desc >> 40));
        Core::fill_segment(c.s.tr, sel, desc);
        return next(c, i);
    }
};

void set_zf(Core& c, bool zf) { write_arith_flags(c.s, zf ? flag::ZF : 0, flag::ZF); }

// Descriptor visible to LAR/LSL/VERR/VERW at the current privilege, or nothing.
bool visible_descriptor(Core& c, u16 sel, u64& desc) {
    if ((sel & 0xFFFC) == 0 || !c.descriptor_in_table(sel)) return false;
    desc = c.read_descriptor(sel, sel & 0xFFFC);
    const u32 a = static_cast<u32>((desc >> 40) & 0xFF);
    const u8 dpl = (a >> 5) & 3;
    const bool conforming_code = (a & kS) && (a & kCode) && (a & kConforming);
    if (!conforming_code && (dpl < c.s.cpl || dpl < (sel & 3))) return false;
    return true;
}

template <bool Limit>
struct LarLsl {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        require_protected(c);
        const u16 sel = load_e<u16, F>(c, i);
        u64 desc;
        bool ok = visible_descriptor(c, sel, desc);
        if (ok) {
            const u32 a = static_cast<u32>((desc >> 40) & 0xFF);
            if (!(a & kS)) {
                const u32 type = a & 0xF;
                ok = Limit ? (type == 1 || type == 2 || type == 3 || type == 9 || type == 11)
                           : (type == 1 || type == 2 || type == 3 || type == 4 || type == 5 || type == 9 ||
                              type == 11 || type == 12);
            }
        }
        if (ok) {
            if constexpr (Limit) {
                Segment sg;
                Core::fill_segment(sg, sel, desc);
                set_reg<T>(c.s, i->reg, static_cast<T>(sg.limit));
            } else {
                set_reg<T>(c.s, i->reg, static_cast<T>((desc >> 32) & 0x00F0FF00));
            }
        }
        set_zf(c, ok);
        return next(c, i);
    }
};

template <bool Write>
struct Verify {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        require_protected(c);
        const u16 sel = load_e<u16, F>(c, i);
        u64 desc;
        bool ok = visible_descriptor(c, sel, desc);
        if (ok) {
            const u32 a = static_cast<u32>((desc >> 40) & 0xFF);
            if (!(a & kS)) ok = false;
            else if (Write) ok = !(a & kCode) && (a & kWritable);
            else ok = !(a & kCode) || (a & kReadable);
        }
        set_zf(c, ok);
        return next(c, i);
    }
};

struct Arpl {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        require_protected(c);
        const u16 src = get_reg<u16>(c.s, i->reg);
        bool adjusted = false;
        rmw_e<u16, F>(c, i, [&](u16 dst) {
            if ((dst & 3) < (src & 3)) {
                adjusted = true;
                return static_cast<u16>((dst & ~3) | (src & 3));
            }
            return dst;
        });
        set_zf(c, adjusted);
        return next(c, i);
    }
};

constexpr OpcodeDef kRows[] = {
    {k0F | 0x01, k0F | 0x01, 0, "SGDT Ms", sized_mem<StoreTable<false>>(), 0, 10, 10},
    {k0F | 0x01, k0F | 0x01, 1, "SIDT Ms", sized_mem<StoreTable<true>>(), 0, 10, 10},
    {k0F | 0x01, k0F | 0x01, 2, "LGDT Ms", sized_mem<LoadTable<false>>(), 0, 11, 11},
    {k0F | 0x01, k0F | 0x01, 3, "LIDT Ms", sized_mem<LoadTable<true>>(), 0, 11, 11},
    {k0F | 0x00, k0F | 0x00, 0, "SLDT Ew", sized<StoreSystemSelector<false>>(), 0, 2, 3},
    {k0F | 0x00, k0F | 0x00, 1, "STR Ew", sized<StoreSystemSelector<true>>(), 0, 2, 3},
    {k0F | 0x00, k0F | 0x00, 2, "LLDT Ew", sized<Lldt>(), 0, 11, 11},
    {k0F | 0x00, k0F | 0x00, 3, "LTR Ew", sized<Ltr>(), 0, 20, 20},
    {k0F | 0x00, k0F | 0x00, 4, "VERR Ew", sized<Verify<false>>(), 0, 11, 11},
    {k0F | 0x00, k0F | 0x00, 5, "VERW Ew", sized<Verify<true>>(), 0, 11, 11},
    {k0F | 0x02, k0F | 0x02, -1, "LAR Gv,Ew", sized<LarLsl<false>>(), 0, 11, 11},
    {k0F | 0x03, k0F | 0x03, -1, "LSL Gv,Ew", sized<LarLsl<true>>(), 0, 10, 10},
    {0x63, 0x63, -1, "ARPL Ew,Gw", fixed<Arpl, u16>(), 0, 9, 9},
};

}  // namespace

extern const OpcodeFamily kDescriptorFamily{"descriptor", kRows};

}  // namespace hm::cpu
