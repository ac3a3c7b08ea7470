#include "devices/port92.hpp"

namespace hm {

u32 Port92::io_read(u16, unsigned) { return value_ & 0xFE; }

void Port92::io_write(u16, u32 value, unsigned) {
    u8 v = static_cast<u8>(value);
    u8 old = value_;
    value_ = v & 0xFE;
    if (((old ^ v) & 0x02) && on_a20) on_a20(v & 0x02);
    if (v & 0x01) {
        ++reset_requests_;
        if (on_reset) on_reset();
    }
}

}  // namespace hm
