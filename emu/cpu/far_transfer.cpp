#include "cpu/far_transfer.hpp"

#include "cpu/stack_frame.hpp"
#include "cpu/tss.hpp"

namespace hm::cpu {

using namespace seg_attr;

namespace {

// Costs (Intel486): far JMP 17 real / 18 protected, far CALL 18 / 20, through a
// call gate 35 (same level) or 69 (inner level), RETF 13 / 17, to an outer
// level 35, IRET 15 real / 20 protected / 36 to an outer level.
constexpr u32 kJmpProtectedExtra = 1, kCallProtectedExtra = 2, kGateSame = 17, kGateInner = 51;
constexpr u32 kRetProtectedExtra = 4, kRetOuter = 22, kIretProtectedExtra = 5, kIretOuter = 21;

u32 attrs_of(u64 desc) { return static_cast<u32>((desc >> 40) & 0xFF); }
u8 dpl_of(u32 a) { return (a >> 5) & 3; }
bool is_code(u32 a) { return (a & kS) && (a & kCode); }

u32 limit_of(u64 desc) {
    Segment sg;
    Core::fill_segment(sg, 0, desc);
    return sg.limit;
}

// After a return to an outer level, data segments the new CPL may not use
// become null (SDM Vol. 2, RET: "check segment registers").
void null_inaccessible_segments(Core& c) {
    for (u8 sr : {sreg::ES, sreg::DS, sreg::FS, sreg::GS}) {
        Segment& sg = c.s.seg[sr];
        if (sg.attr & kUnusable) continue;
        const bool data_or_nc_code = !(sg.attr & kCode) || !(sg.attr & kConforming);
        if (data_or_nc_code && dpl_of(sg.attr) < c.s.cpl) {
            sg = Segment{};
            sg.attr = kUnusable;
            c.refresh_bounds(sr);
        }
    }
}

// Checks a code-segment descriptor as the target of a direct JMP/CALL.
void check_direct_code_target(Core& c, u16 sel, u32 a) {
    const u16 err = sel & 0xFFFC;
    if (a & kConforming) {
        if (dpl_of(a) > c.s.cpl) raise(Vector::GP, err);
    } else if ((sel & 3) > c.s.cpl || dpl_of(a) != c.s.cpl) {
        raise(Vector::GP, err);
    }
    if (!(a & kP)) raise(Vector::NP, err);
}

void real_mode_far(Core& c, u16 selector, u32 offset, bool o32) {
    if (!o32) offset &= 0xFFFF;
    if (offset > c.s.seg[sreg::CS].limit) raise(Vector::GP, 0);
    c.load_segment_real(sreg::CS, selector);
    c.s.eip = offset;
}

// Far CALL through a call gate (SDM Vol. 3A, 5.8.5).
void call_through_gate(Core& c, u16 gate_sel, u64 gate, u32 next_eip, bool is_call) {
    const u32 ga = attrs_of(gate);
    const u16 gerr = gate_sel & 0xFFFC;
    if (dpl_of(ga) < c.s.cpl || dpl_of(ga) < (gate_sel & 3)) raise(Vector::GP, gerr);
    if (!(ga & kP)) raise(Vector::NP, gerr);
    const bool gate32 = (ga & 0xF) == 12;
    const u16 sel = static_cast<u16>(gate >> 16);
    const u32 offset = static_cast<u32>((gate & 0xFFFF) | (gate32 ? ((gate >> 32) & 0xFFFF0000) : 0));
    const u16 err = sel & 0xFFFC;
    if (err == 0) raise(Vector::GP, 0);
    u64 desc = c.read_descriptor(sel, err);
    const u32 a = attrs_of(desc);
    if (!is_code(a) || dpl_of(a) > c.s.cpl) raise(Vector::GP, err);
    if (!(a & kP)) raise(Vector::NP, err);
    const u8 dpl = dpl_of(a);
    const bool inner = !(a & kConforming) && dpl < c.s.cpl;
    if (!is_call) {
        if (inner || (!(a & kConforming) && dpl != c.s.cpl)) raise(Vector::GP, err);
        if (offset > limit_of(desc)) raise(Vector::GP, 0);
        c.load_code_segment_pm(sel, desc, c.s.cpl);
        c.s.eip = offset;
        c.s.cycles += kGateSame;
        return;
    }
    auto push = [&](StackFrame& f, u32 v) {
        if (gate32) f.push<u32>(v);
        else f.push<u16>(static_cast<u16>(v));
    };
    if (inner) {
        u16 ss_sel;
        u32 esp;
        tss_stack_for(c, dpl, 0, ss_sel, esp);
        Segment new_ss = load_inner_stack_segment(c, ss_sel, dpl, 0);
        StackFrame f(c, new_ss, esp, Priv::Supervisor, ss_sel & 0xFFFC);
        push(f, c.s.seg[sreg::SS].selector);
        push(f, c.s.r[reg::ESP]);
        // Copy the parameters from the caller's stack (count from the gate).
        const unsigned params = static_cast<unsigned>((gate >> 32) & 0x1F);
        const unsigned width = gate32 ? 4 : 2;
        for (unsigned n = params; n-- > 0;) {
            const u32 v = gate32 ? c.stack_peek<u32>(n * width) : c.stack_peek<u16>(n * width);
            push(f, v);
        }
        push(f, c.s.seg[sreg::CS].selector);
        push(f, next_eip);
        if (offset > limit_of(desc)) raise(Vector::GP, 0);
        c.s.seg[sreg::SS] = new_ss;
        c.s.r[reg::ESP] = (new_ss.attr & kDB) ? f.sp() : ((c.s.r[reg::ESP] & 0xFFFF0000u) | (f.sp() & 0xFFFF));
        c.load_code_segment_pm(sel, desc, dpl);
        c.refresh_all_bounds();
        c.s.cycles += kGateInner;
    } else {
        StackFrame f(c);
        push(f, c.s.seg[sreg::CS].selector);
        push(f, next_eip);
        if (offset > limit_of(desc)) raise(Vector::GP, 0);
        f.commit();
        c.load_code_segment_pm(sel, desc, c.s.cpl);
        c.s.cycles += kGateSame;
    }
    c.s.eip = gate32 ? offset : (offset & 0xFFFF);
}

// JMP/CALL to a system descriptor: call gate, task gate or TSS.
void far_to_system(Core& c, u16 sel, u64 desc, u32 next_eip, bool is_call) {
    const u32 a = attrs_of(desc);
    const u16 err = sel & 0xFFFC;
    const TaskSwitchReason why = is_call ? TaskSwitchReason::Call : TaskSwitchReason::Jump;
    switch (a & 0xF) {
        case 4:
        case 12: call_through_gate(c, sel, desc, next_eip, is_call); return;
        case 5: {  // task gate
            if (dpl_of(a) < c.s.cpl || dpl_of(a) < (sel & 3)) raise(Vector::GP, err);
            if (!(a & kP)) raise(Vector::NP, err);
            task_switch(c, static_cast<u16>(desc >> 16), why, 0, false, 0, next_eip);
            return;
        }
        case 1:
        case 9: {  // available TSS
            if (dpl_of(a) < c.s.cpl || dpl_of(a) < (sel & 3)) raise(Vector::GP, err);
            if (!(a & kP)) raise(Vector::NP, err);
            task_switch(c, sel, why, 0, false, 0, next_eip);
            return;
        }
        default: raise(Vector::GP, err);
    }
}

}  // namespace

void far_jump(Core& c, u16 selector, u32 offset, bool o32, u32 next_eip) {
    ++c.stats.far_transfers;
    if (!c.protected_mode()) {
        real_mode_far(c, selector, offset, o32);
        return;
    }
    const u16 err = selector & 0xFFFC;
    if (err == 0) raise(Vector::GP, 0);
    u64 desc = c.read_descriptor(selector, err);
    const u32 a = attrs_of(desc);
    if (!(a & kS)) {
        far_to_system(c, selector, desc, next_eip, false);
        return;
    }
    if (!(a & kCode)) raise(Vector::GP, err);
    check_direct_code_target(c, selector, a);
    if (!o32) offset &= 0xFFFF;
    if (offset > limit_of(desc)) raise(Vector::GP, 0);
    c.load_code_segment_pm(selector, desc, c.s.cpl);
    c.s.eip = offset;
    c.s.cycles += kJmpProtectedExtra;
}

void far_call(Core& c, u16 selector, u32 offset, bool o32, u32 next_eip) {
    ++c.stats.far_transfers;
    if (!c.protected_mode()) {
        if (!o32) offset &= 0xFFFF;
        if (offset > c.s.seg[sreg::CS].limit) raise(Vector::GP, 0);
        StackFrame f(c);
        if (o32) {
            f.push<u32>(c.s.seg[sreg::CS].selector);
            f.push<u32>(next_eip);
        } else {
            f.push<u16>(c.s.seg[sreg::CS].selector);
            f.push<u16>(static_cast<u16>(next_eip));
        }
        f.commit();
        c.load_segment_real(sreg::CS, selector);
        c.s.eip = offset;
        return;
    }
    const u16 err = selector & 0xFFFC;
    if (err == 0) raise(Vector::GP, 0);
    u64 desc = c.read_descriptor(selector, err);
    const u32 a = attrs_of(desc);
    if (!(a & kS)) {
        far_to_system(c, selector, desc, next_eip, true);
        return;
    }
    if (!(a & kCode)) raise(Vector::GP, err);
    check_direct_code_target(c, selector, a);
    if (!o32) offset &= 0xFFFF;
    StackFrame f(c);
    if (o32) {
        f.push<u32>(c.s.seg[sreg::CS].selector);
        f.push<u32>(next_eip);
    } else {
        f.push<u16>(c.s.seg[sreg::CS].selector);
        f.push<u16>(static_cast<u16>(next_eip));
    }
    if (offset > limit_of(desc)) raise(Vector::GP, 0);
    f.commit();
    c.load_code_segment_pm(selector, desc, c.s.cpl);
    c.s.eip = offset;
    c.s.cycles += kCallProtectedExtra;
}

namespace {

// Validates the CS popped by RETF/IRET in protected mode; returns its descriptor.
u64 check_return_cs(Core& c, u16 sel) {
    const u16 err = sel & 0xFFFC;
    if (err == 0) raise(Vector::GP, 0);
    u64 desc = c.read_descriptor(sel, err);
    const u32 a = attrs_of(desc);
    const u8 rpl = sel & 3;
    if (!is_code(a) || rpl < c.s.cpl) raise(Vector::GP, err);
    if ((a & kConforming) ? dpl_of(a) > rpl : dpl_of(a) != rpl) raise(Vector::GP, err);
    if (!(a & kP)) raise(Vector::NP, err);
    return desc;
}

// Validates the SS popped on a return to outer level `rpl`.
Segment check_return_ss(Core& c, u16 sel, u8 rpl) {
    const u16 err = sel & 0xFFFC;
    if (err == 0) raise(Vector::GP, 0);
    u64 desc = c.read_descriptor(sel, err);
    const u32 a = attrs_of(desc);
    if ((sel & 3) != rpl || dpl_of(a) != rpl || !(a & kS) || (a & kCode) || !(a & kWritable)) {
        raise(Vector::GP, err);
    }
    if (!(a & kP)) raise(Vector::SS, err);
    c.set_accessed(sel, desc);
    Segment sg;
    Core::fill_segment(sg, sel, desc);
    return sg;
}

// Switches to the outer stack and level after CS:EIP were validated.
void commit_outer_return(Core& c, u16 cs_sel, u64 cs_desc, u32 eip, const Segment& ss, u32 esp) {
    const u8 rpl = cs_sel & 3;
    c.load_code_segment_pm(cs_sel, cs_desc, rpl);
    c.s.seg[sreg::SS] = ss;
    if (ss.attr & kDB) c.s.r[reg::ESP] = esp;
    else c.s.r[reg::ESP] = (c.s.r[reg::ESP] & 0xFFFF0000u) | (esp & 0xFFFF);
    c.s.eip = eip;
    null_inaccessible_segments(c);
    c.refresh_all_bounds();
}

}  // namespace

void far_return(Core& c, bool o32, u16 release) {
    ++c.stats.far_transfers;
    StackFrame f(c);
    u32 eip;
    u16 cs_sel;
    if (o32) {
        eip = f.pop<u32>();
        cs_sel = static_cast<u16>(f.pop<u32>());
    } else {
        eip = f.pop<u16>();
        cs_sel = f.pop<u16>();
    }
    if (!c.protected_mode()) {
        if (eip > c.s.seg[sreg::CS].limit) raise(Vector::GP, 0);
        f.skip(release);
        f.commit();
        c.load_segment_real(sreg::CS, cs_sel);
        c.s.eip = eip;
        return;
    }
    const u64 desc = check_return_cs(c, cs_sel);
    const u8 rpl = cs_sel & 3;
    if (rpl == c.s.cpl) {
        if (eip > limit_of(desc)) raise(Vector::GP, 0);
        f.skip(release);
        f.commit();
        c.load_code_segment_pm(cs_sel, desc, c.s.cpl);
        c.s.eip = eip;
        c.s.cycles += kRetProtectedExtra;
        return;
    }
    f.skip(release);
    u32 esp;
    u16 ss_sel;
    if (o32) {
        esp = f.pop<u32>();
        ss_sel = static_cast<u16>(f.pop<u32>());
    } else {
        esp = f.pop<u16>();
        ss_sel = f.pop<u16>();
    }
    const Segment ss = check_return_ss(c, ss_sel, rpl);
    if (eip > limit_of(desc)) raise(Vector::GP, 0);
    const u32 new_esp = (ss.attr & kDB) ? esp + release : static_cast<u16>(esp + release);
    commit_outer_return(c, cs_sel, desc, eip, ss, new_esp);
    c.s.cycles += kRetOuter;
}

void interrupt_return(Core& c, bool o32, u32 next_eip) {
    ++c.stats.far_transfers;
    c.s.nmi_blocked = false;
    if (c.nmi_latched) c.refresh_pending();
    StackFrame f(c);
    auto pop = [&]() -> u32 { return o32 ? f.pop<u32>() : f.pop<u16>(); };

    if (!c.pe() || c.v86()) {
        if (c.v86() && c.iopl() < 3) raise(Vector::GP, 0);
        const u32 eip = pop();
        const u16 cs_sel = static_cast<u16>(pop());
        const u32 fl = pop();
        if (eip > c.s.seg[sreg::CS].limit) raise(Vector::GP, 0);
        f.commit();
        c.load_segment_real(sreg::CS, cs_sel);
        c.s.eip = eip;
        u32 mask = o32 ? (flag::kArith | flag::TF | flag::IF | flag::DF | flag::IOPL | flag::NT | flag::RF |
                          flag::AC | flag::ID)
                       : 0xFFFFu;
        if (c.v86()) mask &= ~flag::IOPL;
        c.write_eflags(fl, mask);
        return;
    }

    if (c.s.eflags & flag::NT) {  // return from a nested task
        const u16 back_link = c.sys_read<u16>(c.s.tr.base);
        task_switch(c, back_link, TaskSwitchReason::Iret, 0, false, 0, next_eip);
        return;
    }

    const u32 eip = pop();
    const u16 cs_sel = static_cast<u16>(pop());
    const u32 fl = pop();

    if (o32 && (fl & flag::VM) && c.s.cpl == 0) {  // back to virtual-8086 mode
        const u32 esp = f.pop<u32>();
        const u16 ss = static_cast<u16>(f.pop<u32>());
        const u16 es = static_cast<u16>(f.pop<u32>());
        const u16 ds = static_cast<u16>(f.pop<u32>());
        const u16 fs = static_cast<u16>(f.pop<u32>());
        const u16 gs = static_cast<u16>(f.pop<u32>());
        c.write_eflags(fl, ~u32{0});
        c.set_cpl(3);
        c.load_segment_real(sreg::CS, cs_sel);
        c.load_segment_real(sreg::SS, ss);
        c.load_segment_real(sreg::ES, es);
        c.load_segment_real(sreg::DS, ds);
        c.load_segment_real(sreg::FS, fs);
        c.load_segment_real(sreg::GS, gs);
        c.s.seg[sreg::CS].attr &= ~kCode;  // v86 segments are plain data segments
        c.s.r[reg::ESP] = esp;
        c.s.eip = eip & 0xFFFF;
        c.refresh_all_bounds();
        c.s.cycles += kIretOuter;
        return;
    }

    const u64 desc = check_return_cs(c, cs_sel);
    const u8 rpl = cs_sel & 3;
    const u8 old_cpl = c.s.cpl;
    u32 mask = flag::kArith | flag::TF | flag::DF | flag::NT;
    if (o32) mask |= flag::RF | flag::AC | flag::ID;
    if (old_cpl == 0) mask |= flag::IOPL;
    if (old_cpl <= c.iopl()) mask |= flag::IF;
    if (!o32) mask &= 0xFFFF;

    if (rpl == old_cpl) {
        if (eip > limit_of(desc)) raise(Vector::GP, 0);
        f.commit();
        c.load_code_segment_pm(cs_sel, desc, old_cpl);
        c.s.eip = eip;
        c.write_eflags(fl, mask);
        c.s.cycles += kIretProtectedExtra;
        return;
    }
    const u32 esp = pop();
    const u16 ss_sel = static_cast<u16>(pop());
    const Segment ss = check_return_ss(c, ss_sel, rpl);
    if (eip > limit_of(desc)) raise(Vector::GP, 0);
    commit_outer_return(c, cs_sel, desc, eip, ss, esp);
    c.write_eflags(fl, mask);
    c.s.cycles += kIretOuter;
}

}  // namespace hm::cpu
