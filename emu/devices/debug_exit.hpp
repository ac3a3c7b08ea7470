// The debug-exit device, compatible with QEMU's isa-debug-exit at iobase 0xF4,
// iosize 4: a write of any size to 0xF4-0xF7 ends the run. hm386's host exit
// status is the written value's low 8 bits; with the QEMU-compatible option it is
// QEMU's ((value << 1) | 1) & 0xFF. The device only records the request and calls
// on_exit (the machine stops the CPU after the current instruction).
#pragma once
#include <functional>

#include "mem/io_device.hpp"
#include "core/state_visitor.hpp"

namespace hm {

enum class DebugExitStyle : u8 { Plain, Qemu };

class DebugExit : public IoDevice {
public:
    static constexpr u16 kPort = 0xF4;
    static constexpr u32 kPorts = 4;

    u32 io_read(u16, unsigned) override { return 0; }
    void io_write(u16, u32 value, unsigned) override {
        if (!requested_) {
            requested_ = true;
            value_ = value;
        }
        if (on_exit) on_exit(value);
    }
    bool requested() const { return requested_; }
    u32 value() const { return value_; }
    static int host_status(u32 value, DebugExitStyle style) {
        return style == DebugExitStyle::Qemu ? static_cast<int>(((value << 1) | 1) & 0xFF)
                                             : static_cast<int>(value & 0xFF);
    }
    std::function<void(u32)> on_exit;

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.value(requested_), v.value(value_);
    }

private:
    bool requested_ = false;
    u32 value_ = 0;
};

}  // namespace hm
