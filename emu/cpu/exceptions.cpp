// Delivering exceptions and interrupts: the real-mode IVT, the protected-mode
// IDT with interrupt and trap gates (same privilege, inner privilege through the
// TSS stacks, and from virtual-8086 mode), and the double-fault rules of the
// SDM (Vol. 3A, 6.15, Table 6-5) ending in a triple-fault shutdown.
//
// Delivery never changes registers until every check and every push has
// succeeded, so a fault during delivery leaves the interrupted state intact for
// the next event (or the #DF) to be delivered from.
#include <cstdio>

#include "cpu/core.hpp"
#include "cpu/stack_frame.hpp"
#include "cpu/tss.hpp"

namespace hm::cpu {

using namespace seg_attr;

namespace {

enum class FaultClass : u8 { Benign, Contributory, PageFault, DoubleFault };

FaultClass classify(Vector v) {
    switch (v) {
        case Vector::DE:
        case Vector::TS:
        case Vector::NP:
        case Vector::SS:
        case Vector::GP: return FaultClass::Contributory;
        case Vector::PF: return FaultClass::PageFault;
        case Vector::DF: return FaultClass::DoubleFault;
        default: return FaultClass::Benign;
    }
}

std::string describe(const GuestFault& f) {
    static const char* const kShort[32] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09",
                                            "#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM"};
    const unsigned v = static_cast<unsigned>(f.vector);
    std::string name = v < 20 ? kShort[v] : "#" + std::to_string(v);
    if (!f.has_error_code) return name;
    char buf[32];
    std::snprintf(buf, sizeof buf, "(0x%x)", f.error_code);
    return name + buf;
}

// Cycle costs of delivery are the CPU profile's (ExtraCosts::int_*; Intel486
// table: INT n 30 real mode, 44 protected same privilege, 71 to an inner
// privilege, 82 from virtual-8086 mode).

}  // namespace

void Core::enter_shutdown(const std::string& why) {
    shutdown = true;
    shutdown_reason = why;
    s.halted = false;
}

void Core::deliver_exception(const GuestFault& first, ImageRf rf) {
    GuestFault cur = first;
    // Delivery pushes eflags(): RF rides in it for the image and is cleared by
    // the gate (or replaced by the new task's flags). #DF is an abort: no RF.
    const u32 rf_before = s.eflags & flag::RF;
    for (;;) {
        if (rf == ImageRf::Fault && cur.vector != Vector::DF) s.eflags |= flag::RF;
        else s.eflags = (s.eflags & ~flag::RF) | rf_before;
        const unsigned v = static_cast<unsigned>(cur.vector);
        ++stats.exceptions[v & 31];
        if (sink) {
            ExceptionEvent ev{s.cycles, static_cast<u8>(v), cur.has_error_code, cur.error_code, s.eip,
                              s.seg[sreg::CS].selector, s.cr.cr2};
            sink->on_exception(ev);
        }
        try {
            deliver_event(static_cast<u8>(v), EventSource::Exception, cur.has_error_code, cur.error_code, s.eip);
            return;
        } catch (const GuestFault& next) {
            s.eflags = (s.eflags & ~flag::RF) | rf_before;  // delivery failed: nothing changed
            const FaultClass a = classify(cur.vector), b = classify(next.vector);
            if (a == FaultClass::DoubleFault) {
                enter_shutdown("triple fault: " + describe(next) + " while delivering #DF");
                return;
            }
            const bool df = (a == FaultClass::Contributory && b == FaultClass::Contributory) ||
                            (a == FaultClass::PageFault &&
                             (b == FaultClass::Contributory || b == FaultClass::PageFault));
            if (df) {
                ++stats.double_faults;
                cur = GuestFault::with_code(Vector::DF, 0);
            } else {
                cur = next;
            }
        }
    }
}

void Core::deliver_interrupt(u8 vector, EventSource src, u32 return_eip) {
    ++stats.interrupts[vector];
    if (sink) {
        InterruptEvent ev{s.cycles, vector, src == EventSource::External, return_eip, s.seg[sreg::CS].selector};
        sink->on_interrupt(ev);
    }
    deliver_event(vector, src, false, 0, return_eip);
}

void Core::deliver_event(u8 vector, EventSource src, bool has_error, u32 error, u32 return_eip) {
    if (protected_mode() || v86()) {
        deliver_protected(vector, src, has_error, error, return_eip);
    } else {
        deliver_real(vector, return_eip);
    }
    s.halted = false;
}

void Core::deliver_real(u8 vector, u32 return_eip) {
    if (u32{vector} * 4 + 3 > s.idtr.limit) raise(Vector::GP, 0);
    const u32 ivt = sys_read<u32>(s.idtr.base + u32{vector} * 4);
    StackFrame f(*this);
    f.push<u16>(static_cast<u16>(eflags()));
    f.push<u16>(s.seg[sreg::CS].selector);
    f.push<u16>(static_cast<u16>(return_eip));
    f.commit();
    load_segment_real(sreg::CS, static_cast<u16>(ivt >> 16));
    s.eip = ivt & 0xFFFF;
    write_eflags(0, flag::IF | flag::TF | flag::AC | flag::RF);
    s.cycles += profile->extra.int_real;
}

void Core::deliver_protected(u8 vector, EventSource src, bool has_error, u32 error, u32 return_eip) {
    const u32 ext = src != EventSource::Software ? 1 : 0;
    const u32 idt_error = u32{vector} * 8 + 2 + ext;
    if (u32{vector} * 8 + 7 > s.idtr.limit) raise(Vector::GP, idt_error);
    const u64 gate = sys_read<u64>(s.idtr.base + u32{vector} * 8);
    const u32 ga = static_cast<u32>((gate >> 40) & 0xFF);
    const u32 gtype = ga & 0x1F;  // S bit + type
    if (gtype != 0x05 && gtype != 0x06 && gtype != 0x07 && gtype != 0x0E && gtype != 0x0F) {
        raise(Vector::GP, idt_error);
    }
    const u8 gdpl = (ga >> 5) & 3;
    if (src == EventSource::Software && gdpl < s.cpl) raise(Vector::GP, idt_error);
    if (!(ga & kP)) raise(Vector::NP, idt_error);

    if (gtype == 0x05) {
        const u16 tss_sel = static_cast<u16>(gate >> 16);
        task_switch(*this, tss_sel, TaskSwitchReason::Gate, ext, has_error, error, return_eip);
        return;
    }

    const bool gate32 = gtype & 8;
    const bool trap_gate = gtype & 1;
    const u16 sel = static_cast<u16>(gate >> 16);
    const u32 offset = static_cast<u32>((gate & 0xFFFF) | (gate32 ? ((gate >> 32) & 0xFFFF0000) : 0));
    const u32 sel_error = (sel & 0xFFFC) + ext;
    if ((sel & 0xFFFC) == 0) raise(Vector::GP, ext);
    if (!descriptor_in_table(sel)) raise(Vector::GP, sel_error);
    u64 cdesc = read_descriptor(sel, sel_error);
    const u32 ca = static_cast<u32>((cdesc >> 40) & 0xFF);
    const u8 cdpl = (ca >> 5) & 3;
    if (!(ca & kS) || !(ca & kCode) || cdpl > s.cpl) raise(Vector::GP, sel_error);
    if (!(ca & kP)) raise(Vector::NP, sel_error);
    Segment new_cs;
    fill_segment(new_cs, sel, cdesc);
    const bool inner = !(ca & kConforming) && cdpl < s.cpl;
    const bool from_v86 = v86();
    if (from_v86 && (!inner || cdpl != 0)) raise(Vector::GP, sel_error);
    if (offset > new_cs.limit) raise(Vector::GP, 0);

    const u32 old_flags = eflags();
    const u16 old_cs = s.seg[sreg::CS].selector;
    if (inner) {
        u16 ss_sel;
        u32 esp;
        tss_stack_for(*this, cdpl, ext, ss_sel, esp);
        Segment new_ss = load_inner_stack_segment(*this, ss_sel, cdpl, ext);
        StackFrame f(*this, new_ss, esp, Priv::Supervisor, (ss_sel & 0xFFFC) + ext);
        auto push = [&](u32 v) {
            if (gate32) f.push<u32>(v);
            else f.push<u16>(static_cast<u16>(v));
        };
        if (from_v86) {
            push(s.seg[sreg::GS].selector);
            push(s.seg[sreg::FS].selector);
            push(s.seg[sreg::DS].selector);
            push(s.seg[sreg::ES].selector);
        }
        push(s.seg[sreg::SS].selector);
        push(s.r[reg::ESP]);
        push(old_flags);
        push(old_cs);
        push(return_eip);
        if (has_error) push(error);
        // Everything is in memory: commit.
        set_accessed(sel, cdesc);
        s.seg[sreg::SS] = new_ss;
        s.r[reg::ESP] = (new_ss.attr & kDB) ? f.sp() : ((s.r[reg::ESP] & 0xFFFF0000u) | (f.sp() & 0xFFFF));
        load_code_segment_pm(sel, cdesc, cdpl);
        if (from_v86) {
            for (u8 sr : {sreg::ES, sreg::DS, sreg::FS, sreg::GS}) {
                s.seg[sr] = Segment{};
                s.seg[sr].attr = kUnusable;
            }
        }
        s.cycles += from_v86 ? profile->extra.int_v86 : profile->extra.int_inner;
    } else {
        StackFrame f(*this, s.seg[sreg::SS], s.r[reg::ESP], data_priv, ext);
        auto push = [&](u32 v) {
            if (gate32) f.push<u32>(v);
            else f.push<u16>(static_cast<u16>(v));
        };
        push(old_flags);
        push(old_cs);
        push(return_eip);
        if (has_error) push(error);
        set_accessed(sel, cdesc);
        f.commit();
        load_code_segment_pm(sel, cdesc, s.cpl);
        s.cycles += profile->extra.int_same;
    }
    s.eip = gate32 ? offset : (offset & 0xFFFF);
    u32 clear = flag::TF | flag::NT | flag::RF | flag::VM;
    if (!trap_gate) clear |= flag::IF;
    write_eflags(0, clear);
    refresh_all_bounds();
    ++stats.far_transfers;
}

}  // namespace hm::cpu
