// Port 0x61, "system control port B" of the PC/AT: the PIT channel 2 gate
// (bit 0) and speaker data enable (bit 1) are read/write; bit 4 toggles with
// every DRAM refresh request (each 15.09 us, derived from virtual time, which old
// delay loops count); bit 5 reads PIT channel 2's OUT (how firmware and Linux
// calibrate delays against the PIT). Bits 6-7 (parity / channel-check errors)
// read 0. No sound is produced; speaker toggles are counted.
#pragma once
#include "devices/pit8254.hpp"
#include "mem/io_device.hpp"
#include "time/virtual_clock.hpp"
#include "core/state_visitor.hpp"

namespace hm {

class Port61 : public IoDevice {
public:
    Port61(VirtualClock& clock, Pit8254& pit) : clock_(clock), pit_(pit) {}
    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;
    u64 speaker_enables() const { return speaker_enables_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.value(control_), v.value(speaker_enables_);
    }

private:
    VirtualClock& clock_;
    Pit8254& pit_;
    u8 control_ = 0;  // bits 0-3 as written
    u64 speaker_enables_ = 0;
};

}  // namespace hm
