#include "cpu/tss.hpp"

#include <stdexcept>

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

void task_switch(Core&, u16, TaskSwitchReason, u32, bool, u32, u32) {
    throw std::logic_error("hardware task switch is not implemented yet");
}

}  // namespace hm::cpu
