// Port 0x92, "system control port A" (the PS/2 "fast A20" port): bit 1 gates
// address line 20, and writing bit 0 as 1 requests a CPU reset. Other bits read
// back as written (bit 3, the power-on password lock, is kept but means nothing).
// A20 is the OR of this gate and the keyboard controller's (the machine combines
// them), so either path can enable it.
#pragma once
#include <functional>

#include "mem/io_device.hpp"
#include "core/state_visitor.hpp"

namespace hm {

class Port92 : public IoDevice {
public:
    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;
    bool a20() const { return value_ & 0x02; }

    std::function<void(bool)> on_a20;
    std::function<void()> on_reset;
    u64 reset_requests() const { return reset_requests_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.value(value_), v.value(reset_requests_);
    }

private:
    u8 value_ = 0;
    u64 reset_requests_ = 0;
};

}  // namespace hm
