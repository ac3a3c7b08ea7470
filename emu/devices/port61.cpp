#include "devices/port61.hpp"

namespace hm {

namespace {
// One refresh request every 18 PIT clocks (15.085 us), as PIT channel 1 used to
// trigger it on the PC/AT.
constexpr u64 kPitTicksPerRefresh = 18;
}  // namespace

u32 Port61::io_read(u16, unsigned) {
    u64 refresh = clock_.ticks_now(kPitFrequency) / kPitTicksPerRefresh;
    u8 v = control_ & 0x0F;
    if (refresh & 1) v |= 0x10;
    if (pit_.out(2)) v |= 0x20;
    return v;
}

void Port61::io_write(u16, u32 value, unsigned) {
    u8 old = control_;
    control_ = static_cast<u8>(value & 0x0F);
    if ((control_ & 0x03) == 0x03 && (old & 0x03) != 0x03) ++speaker_enables_;
    pit_.set_gate(2, control_ & 1);
}

}  // namespace hm
