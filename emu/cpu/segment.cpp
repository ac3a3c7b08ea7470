// Segment registers: loading them by the rules of the current mode, the
// descriptor-table lookups behind that, and the hot-path bounds (read_end /
// write_end) that let an ordinary access skip every check but one compare.
#include "cpu/core.hpp"

namespace hm::cpu {

using namespace seg_attr;

void Core::set_cpl(u8 cpl) {
    if (cpl != s.cpl) ++stats.privilege_changes;
    s.cpl = cpl;
    data_priv = cpl == 3 ? Priv::User : Priv::Supervisor;
    update_alignment_check();
}

// Alignment checking sends every data access through the slow segment check
// (the fast bounds become 0), which tests the alignment: free while it is off.
void Core::update_alignment_check() {
    const bool on = (s.cr.cr0 & cr0::kAM) && (s.eflags & flag::AC) && s.cpl == 3;
    if (on != alignment_check) {
        alignment_check = on;
        refresh_all_bounds();
    }
}

void Core::refresh_bounds(u8 seg) {
    Segment& sg = s.seg[seg];
    const u64 end = u64{sg.limit} + 1;
    const bool data = (sg.attr & kS) && !(sg.attr & kCode);
    const bool expand_down = data && (sg.attr & kExpandDown);
    if (data_breakpoints_armed || alignment_check || expand_down) {
        sg.read_end = sg.write_end = 0;
    } else if (!pe() || v86()) {
        sg.read_end = sg.write_end = end;  // no type checks outside protected mode
    } else if ((sg.attr & kUnusable) || !(sg.attr & kS)) {
        sg.read_end = sg.write_end = 0;
    } else if (sg.attr & kCode) {
        sg.read_end = (sg.attr & kReadable) ? end : 0;
        sg.write_end = 0;
    } else {
        sg.read_end = end;
        sg.write_end = (sg.attr & kWritable) ? end : 0;
    }
}

void Core::refresh_all_bounds() {
    for (u8 i = 0; i < 6; ++i) refresh_bounds(i);
}

void Core::segment_fault(u8 seg) {
    if (seg == sreg::SS) raise(Vector::SS, 0);
    raise(Vector::GP, 0);
}

void Core::segment_check_slow(u8 seg, u32 ea, unsigned size, Access a) {
    const Segment& sg = s.seg[seg];
    if (protected_mode()) {
        if (sg.attr & kUnusable) segment_fault(seg);
        if (a == Access::Write && ((sg.attr & kCode) || !(sg.attr & kWritable))) segment_fault(seg);
        if (a == Access::Read && (sg.attr & kCode) && !(sg.attr & kReadable)) segment_fault(seg);
    }
    const u64 last = u64{ea} + size - 1;
    const bool data = (sg.attr & kS) && !(sg.attr & kCode);
    if (data && (sg.attr & kExpandDown)) {
        const u64 upper = (sg.attr & kDB) ? 0xFFFFFFFFu : 0xFFFFu;
        if (ea <= sg.limit || last > upper) segment_fault(seg);
    } else if (last > sg.limit) {
        segment_fault(seg);
    }
    if (alignment_check && size > 1 && ((sg.base + ea) & (size - 1))) raise(Vector::AC, 0);
    if (data_breakpoints_armed) {
        const u32 lin = sg.base + ea;
        const u32 dr7 = s.dr[7];
        for (unsigned n = 0; n < 4; ++n) {
            if (!((dr7 >> (n * 2)) & 3)) continue;
            const u32 rw = (dr7 >> (16 + n * 4)) & 3;
            const u32 len = ((dr7 >> (18 + n * 4)) & 3) + 1;  // 1, 2, (3 = 8: undefined on 32-bit), 4
            if (rw == 0 || rw == 2) continue;                  // execute / I/O
            if (rw == 1 && a != Access::Write) continue;       // write only
            const u32 bp_len = len == 3 ? 8 : len;
            const u32 bp = s.dr[n] & ~(bp_len - 1);
            if (lin <= bp + bp_len - 1 && bp <= lin + size - 1) data_breakpoint_hits |= 1u << n;
        }
    }
}

bool Core::descriptor_in_table(u16 selector) const {
    const u32 offset = selector & ~7u;
    if (selector & 4) {
        if (s.ldtr.attr & kUnusable) return false;
        return offset + 7 <= s.ldtr.limit;
    }
    return offset + 7 <= s.gdtr.limit;
}

u64 Core::read_descriptor(u16 selector, u32 error_code) {
    if (!descriptor_in_table(selector)) raise(Vector::GP, error_code);
    const u32 base = (selector & 4) ? s.ldtr.base : s.gdtr.base;
    return sys_read<u64>(base + (selector & ~7u));
}

void Core::set_accessed(u16 selector, u64& desc) {
    constexpr u64 kAccessedBit = u64{1} << 40;
    constexpr u64 kSBit = u64{1} << 44;
    if ((desc & kSBit) && !(desc & kAccessedBit)) {
        desc |= kAccessedBit;
        const u32 base = (selector & 4) ? s.ldtr.base : s.gdtr.base;
        sys_write<u8>(base + (selector & ~7u) + 5, static_cast<u8>(desc >> 40));
    }
}

void Core::fill_segment(Segment& sg, u16 selector, u64 desc) {
    sg.selector = selector;
    sg.base = static_cast<u32>(((desc >> 16) & 0xFFFFFF) | ((desc >> 32) & 0xFF000000));
    u32 limit = static_cast<u32>((desc & 0xFFFF) | ((desc >> 32) & 0xF0000));
    sg.attr = static_cast<u32>((desc >> 40) & 0xF0FF);
    if (sg.attr & kG) limit = (limit << 12) | 0xFFF;
    sg.limit = limit;
}

void Core::load_segment_real(u8 seg, u16 selector) {
    Segment& sg = s.seg[seg];
    sg.selector = selector;
    sg.base = u32{selector} << 4;
    if (v86()) {
        sg.limit = 0xFFFF;
        sg.attr = kP | kS | (3u << kDplShift) | kWritable | kAccessed;
    } else {
        // Real mode keeps the cached limit and size bits (so "unreal mode" works),
        // and makes the segment a present, writable data segment.
        sg.attr = (sg.attr & (kG | kDB | kAvl)) | kP | kS | kWritable | kAccessed;
        if (seg == sreg::CS) sg.attr |= kCode;
    }
    refresh_bounds(seg);
}

void Core::load_segment(u8 seg, u16 selector) {
    if (!protected_mode()) {
        load_segment_real(seg, selector);
        return;
    }
    const u16 index = selector & 0xFFFC;
    const u8 rpl = selector & 3;
    Segment& sg = s.seg[seg];
    if (seg == sreg::SS) {
        if (index == 0) raise(Vector::GP, 0);
        u64 desc = read_descriptor(selector, index);
        const u32 a = static_cast<u32>((desc >> 40) & 0xFF);
        const u8 dpl = (a >> 5) & 3;
        if (rpl != s.cpl || dpl != s.cpl || !(a & kS) || (a & kCode) || !(a & kWritable)) raise(Vector::GP, index);
        if (!(a & kP)) raise(Vector::SS, index);
        set_accessed(selector, desc);
        fill_segment(sg, selector, desc);
        refresh_bounds(seg);
        return;
    }
    if (index == 0) {  // a null selector may be loaded; using it faults
        sg.selector = selector;
        sg.attr = kUnusable;
        sg.base = 0;
        sg.limit = 0;
        refresh_bounds(seg);
        return;
    }
    u64 desc = read_descriptor(selector, index);
    const u32 a = static_cast<u32>((desc >> 40) & 0xFF);
    const u8 dpl = (a >> 5) & 3;
    if (!(a & kS) || ((a & kCode) && !(a & kReadable))) raise(Vector::GP, index);
    const bool conforming_code = (a & kCode) && (a & kConforming);
    if (!conforming_code && (rpl > dpl || s.cpl > dpl)) raise(Vector::GP, index);
    if (!(a & kP)) raise(Vector::NP, index);
    set_accessed(selector, desc);
    fill_segment(sg, selector, desc);
    refresh_bounds(seg);
}

void Core::load_code_segment_pm(u16 selector, u64 desc, u8 new_cpl) {
    set_accessed(selector, desc);
    Segment& cs = s.seg[sreg::CS];
    fill_segment(cs, static_cast<u16>((selector & 0xFFFC) | new_cpl), desc);
    set_cpl(new_cpl);
    refresh_bounds(sreg::CS);
}

void Core::write_eflags(u32 value, u32 mask) {
    materialize_flags(s);
    const u32 old = s.eflags;
    s.eflags = (((old & ~mask) | (value & mask)) & flag::kImplemented & ~profile->eflags_fixed0) | flag::kFixed1;
    if ((old ^ s.eflags) & flag::VM) refresh_all_bounds();
    // IF needs no refresh: pending::kIntr follows the INTR line, not IF.
    if ((old ^ s.eflags) & (flag::TF | flag::RF)) refresh_pending();
    if ((old ^ s.eflags) & flag::AC) update_alignment_check();
}

}  // namespace hm::cpu
