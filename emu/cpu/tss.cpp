#include "cpu/tss.hpp"

#include "cpu/stack_frame.hpp"


namespace hm::cpu {

using namespace seg_attr;

namespace {
bool tss32(const Segment& tr) { return (tr.attr & 0x8) != 0; }  // types 9/11 vs 1/3
}  // namespace

void tss_stack_for(Core& c, u8 dpl, u32 ext, u16& ss, u32& esp) {
    const Segment& tr = c.s.tr;
    if (tss32(tr)) {
        const u32 off = 4 + u32{dpl} * 8;
        if (off + 7 > tr.limit) raise(Vector::TS, (tr.selector & 0xFFFC) + ext);
        esp = c.sys_read<u32>(tr.base + off);
        ss = c.sys_read<u16>(tr.base + off + 4);
    } else {
        const u32 off = 2 + u32{dpl} * 4;
        if (off + 3 > tr.limit) raise(Vector::TS, (tr.selector & 0xFFFC) + ext);
        esp = c.sys_read<u16>(tr.base + off);
        ss = c.sys_read<u16>(tr.base + off + 2);
    }
}

Segment load_inner_stack_segment(Core& c, u16 ss_sel, u8 dpl, u32 ext) {
    const u32 err = (ss_sel & 0xFFFC) + ext;
    if ((ss_sel & 0xFFFC) == 0) raise(Vector::TS, ext);
    if ((ss_sel & 3) != dpl || !c.descriptor_in_table(ss_sel)) raise(Vector::TS, err);
    u64 desc = c.read_descriptor(ss_sel, err);
    const u32 a = static_cast<u32>((desc >> 40) & 0xFF);
    if (((a >> 5) & 3) != dpl || !(a & kS) || (a & kCode) || !(a & kWritable)) raise(Vector::TS, err);
    if (!(a & kP)) raise(Vector::SS, err);
    c.set_accessed(ss_sel, desc);
    Segment sg;
    Core::fill_segment(sg, ss_sel, desc);
    return sg;
}

namespace {

// The dynamic part of a task's state, as a 16- or 32-bit TSS holds it.
struct TaskImage {
    u32 cr3 = 0, eip = 0, eflags = 0;
    u32 r[8] = {};
    u16 sel[6] = {};  // ES CS SS DS FS GS
    u16 ldt = 0;
    bool debug_trap = false;  // the T bit (32-bit TSS only)
};

// 32-bit TSS offsets (SDM Vol. 3A, figure 7-2); 16-bit TSS offsets (figure 7-11).
constexpr u32 k32Cr3 = 28, k32Eip = 32, k32Eflags = 36, k32Regs = 40, k32Segs = 72, k32Ldt = 96, k32Trap = 100;
constexpr u32 k16Ip = 14, k16Flags = 16, k16Regs = 18, k16Segs = 34, k16Ldt = 42;
constexpr u32 kTaskSwitchCycles = 199;  // Intel486: task switch to a 486 TSS

TaskImage read_image(Core& c, u32 base, bool is32) {
    TaskImage t;
    if (is32) {
        t.cr3 = c.sys_read<u32>(base + k32Cr3);
        t.eip = c.sys_read<u32>(base + k32Eip);
        t.eflags = c.sys_read<u32>(base + k32Eflags);
        for (unsigned i = 0; i < 8; ++i) t.r[i] = c.sys_read<u32>(base + k32Regs + 4 * i);
        for (unsigned i = 0; i < 6; ++i) t.sel[i] = c.sys_read<u16>(base + k32Segs + 4 * i);
        t.ldt = c.sys_read<u16>(base + k32Ldt);
        t.debug_trap = c.sys_read<u16>(base + k32Trap) & 1;
    } else {
        t.eip = c.sys_read<u16>(base + k16Ip);
        t.eflags = c.sys_read<u16>(base + k16Flags);
        for (unsigned i = 0; i < 8; ++i) t.r[i] = 0xFFFF0000u | c.sys_read<u16>(base + k16Regs + 2 * i);
        for (unsigned i = 0; i < 4; ++i) t.sel[i] = c.sys_read<u16>(base + k16Segs + 2 * i);
        t.ldt = c.sys_read<u16>(base + k16Ldt);
    }
    return t;
}

void save_image(Core& c, u32 base, bool is32, u32 eip, u32 eflags) {
    const CpuState& s = c.s;
    if (is32) {
        c.sys_write<u32>(base + k32Eip, eip);
        c.sys_write<u32>(base + k32Eflags, eflags);
        for (unsigned i = 0; i < 8; ++i) c.sys_write<u32>(base + k32Regs + 4 * i, s.r[i]);
        for (unsigned i = 0; i < 6; ++i) c.sys_write<u16>(base + k32Segs + 4 * i, s.seg[i].selector);
    } else {
        c.sys_write<u16>(base + k16Ip, static_cast<u16>(eip));
        c.sys_write<u16>(base + k16Flags, static_cast<u16>(eflags));
        for (unsigned i = 0; i < 8; ++i) c.sys_write<u16>(base + k16Regs + 2 * i, static_cast<u16>(s.r[i]));
        for (unsigned i = 0; i < 4; ++i) c.sys_write<u16>(base + k16Segs + 2 * i, s.seg[i].selector);
    }
}

void set_busy(Core& c, u16 sel, bool busy) {
    const u32 addr = c.s.gdtr.base + (sel & ~7u) + 5;
    u8 access = c.sys_read<u8>(addr);
    access = busy ? (access | 2) : (access & ~2);
    c.sys_write<u8>(addr, access);
}

// Loads and checks the new task's segment registers (SDM Vol. 3A, 7.3 step 13):
// a bad selector or descriptor is #TS(selector), a missing segment #NP/#SS.
void load_task_segments(Core& c, const TaskImage& t, u32 ext) {
    CpuState& s = c.s;
    // LDTR first: the other selectors may point into it.
    if ((t.ldt & 0xFFFC) == 0) {
        s.ldtr = Segment{};
        s.ldtr.selector = t.ldt;
        s.ldtr.attr = kUnusable;
    } else {
        const u32 err = (t.ldt & 0xFFFC) + ext;
        if ((t.ldt & 4) || !c.descriptor_in_table(t.ldt)) raise(Vector::TS, err);
        const u64 d = c.read_descriptor(t.ldt, err);
        const u32 a = static_cast<u32>((d >> 40) & 0xFF);
        if ((a & 0x1F) != 0x02) raise(Vector::TS, err);
        if (!(a & kP)) raise(Vector::TS, err);
        Core::fill_segment(s.ldtr, t.ldt, d);
    }
    if (c.v86()) {
        for (u8 sr = 0; sr < 6; ++sr) c.load_segment_real(sr, t.sel[sr]);
        c.set_cpl(3);
        return;
    }
    const u16 cs = t.sel[sreg::CS];
    const u8 cpl = cs & 3;
    auto fetch = [&](u16 sel) {
        const u32 err = (sel & 0xFFFC) + ext;
        if ((sel & 0xFFFC) == 0 || !c.descriptor_in_table(sel)) raise(Vector::TS, err);
        return c.read_descriptor(sel, err);
    };
    {  // CS
        u64 d = fetch(cs);
        const u32 a = static_cast<u32>((d >> 40) & 0xFF), dpl = (a >> 5) & 3;
        const u32 err = (cs & 0xFFFC) + ext;
        if (!(a & kS) || !(a & kCode)) raise(Vector::TS, err);
        if ((a & kConforming) ? dpl > cpl : dpl != cpl) raise(Vector::TS, err);
        if (!(a & kP)) raise(Vector::NP, err);
        c.load_code_segment_pm(cs, d, cpl);
    }
    {  // SS
        const u16 ss = t.sel[sreg::SS];
        u64 d = fetch(ss);
        const u32 a = static_cast<u32>((d >> 40) & 0xFF), dpl = (a >> 5) & 3;
        const u32 err = (ss & 0xFFFC) + ext;
        if ((ss & 3) != cpl || dpl != cpl || !(a & kS) || (a & kCode) || !(a & kWritable)) raise(Vector::TS, err);
        if (!(a & kP)) raise(Vector::SS, err);
        c.set_accessed(ss, d);
        Core::fill_segment(s.seg[sreg::SS], ss, d);
    }
    for (u8 sr : {sreg::ES, sreg::DS, sreg::FS, sreg::GS}) {
        const u16 sel = t.sel[sr];
        Segment& sg = s.seg[sr];
        if ((sel & 0xFFFC) == 0) {
            sg = Segment{};
            sg.selector = sel;
            sg.attr = kUnusable;
            continue;
        }
        u64 d = fetch(sel);
        const u32 a = static_cast<u32>((d >> 40) & 0xFF), dpl = (a >> 5) & 3;
        const u32 err = (sel & 0xFFFC) + ext;
        if (!(a & kS) || ((a & kCode) && !(a & kReadable))) raise(Vector::TS, err);
        const bool conforming_code = (a & kCode) && (a & kConforming);
        if (!conforming_code && (dpl < cpl || dpl < (sel & 3u))) raise(Vector::TS, err);
        if (!(a & kP)) raise(Vector::NP, err);
        c.set_accessed(sel, d);
        Core::fill_segment(sg, sel, d);
    }
}

}  // namespace

void task_switch(Core& c, u16 tss_sel, TaskSwitchReason why, u32 ext, bool has_error, u32 error, u32 return_eip) {
    CpuState& s = c.s;
    const bool is_iret = why == TaskSwitchReason::Iret;
    const bool nests = why == TaskSwitchReason::Call || why == TaskSwitchReason::Gate;
    const u32 err = (tss_sel & 0xFFFC) + ext;

    // --- checks in the old task's context ---
    if ((tss_sel & 4) || (tss_sel & 0xFFFC) == 0 || !c.descriptor_in_table(tss_sel)) {
        raise(is_iret ? Vector::TS : Vector::GP, err);
    }
    u64 desc = c.read_descriptor(tss_sel, err);
    const u32 a = static_cast<u32>((desc >> 40) & 0xFF);
    const u32 type = a & 0x1F;
    const bool busy = type == 0x03 || type == 0x0B;
    const bool available = type == 0x01 || type == 0x09;
    if (is_iret ? !busy : !available) raise(is_iret ? Vector::TS : Vector::GP, err);
    if (!(a & kP)) raise(Vector::NP, err);
    Segment new_tr;
    Core::fill_segment(new_tr, tss_sel, desc);
    const bool new32 = type & 0x08;
    if (new_tr.limit < (new32 ? 0x67u : 0x2Bu)) raise(Vector::TS, err);
    const bool old32 = (s.tr.attr & 0x08) != 0;
    if (s.tr.limit < (old32 ? 0x67u : 0x2Bu)) raise(Vector::TS, (s.tr.selector & 0xFFFC) + ext);

    // Read the whole new image first: a page fault here still belongs to the old task.
    const TaskImage next = read_image(c, new_tr.base, new32);

    // --- save the old task and hand over ---
    u32 old_flags = read_eflags(s);
    if (is_iret) old_flags &= ~flag::NT;
    save_image(c, s.tr.base, old32, return_eip, old_flags);
    if (why == TaskSwitchReason::Jump || is_iret) set_busy(c, s.tr.selector, false);
    if (nests) c.sys_write<u16>(new_tr.base, s.tr.selector);  // back link
    if (!is_iret) {
        set_busy(c, tss_sel, true);
        new_tr.attr |= 2;
    }
    const u16 old_tr = s.tr.selector;
    s.tr = new_tr;
    s.cr.cr0 |= cr0::kTS;
    ++c.stats.task_switches;
    s.cycles += kTaskSwitchCycles;

    // --- load the new task (faults from here on are the new task's) ---
    if (new32 && (s.cr.cr0 & cr0::kPG)) c.mmu.write_cr3(next.cr3);
    else if (new32) s.cr.cr3 = next.cr3;
    u32 flags = next.eflags;
    if (!new32) flags = (read_eflags(s) & 0xFFFF0000u & ~flag::VM) | (flags & 0xFFFF);
    if (nests) flags |= flag::NT;
    c.write_eflags(flags, ~u32{0});
    for (unsigned i = 0; i < 8; ++i) {
        if (new32) s.r[i] = next.r[i];
        else s.r[i] = (s.r[i] & 0xFFFF0000u) | (next.r[i] & 0xFFFF);
    }
    s.eip = new32 ? next.eip : (next.eip & 0xFFFF);
    for (u8 sr = 0; sr < 6; ++sr) s.seg[sr].selector = next.sel[sr];
    (void)old_tr;
    load_task_segments(c, next, ext);
    c.refresh_all_bounds();
    c.refresh_pending();

    if (has_error) {
        StackFrame f(c);
        if (new32) f.push<u32>(error);
        else f.push<u16>(static_cast<u16>(error));
        f.commit();
    }
    if (s.eip > s.seg[sreg::CS].limit) raise(Vector::GP, 0);
    if (next.debug_trap) {  // #DB (DR6.BT) once the switch is done, before the task's first instruction
        c.task_trap = true;
        c.refresh_pending();
    }
}

}  // namespace hm::cpu
