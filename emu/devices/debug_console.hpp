// The Bochs/QEMU debug console at port 0xE9: every byte written goes to the
// configured sink (`--debugcon`), reading returns 0xE9 so a guest can detect it.
#pragma once
#include "devices/char_backend.hpp"
#include "mem/io_device.hpp"
#include "core/state_visitor.hpp"

namespace hm {

class DebugConsole : public IoDevice {
public:
    static constexpr u16 kPort = 0xE9;
    explicit DebugConsole(CharSink* out) : out_(out) {}
    u32 io_read(u16, unsigned) override { return kPort; }
    void io_write(u16, u32 value, unsigned) override {
        ++bytes_;
        if (out_) out_->put(static_cast<u8>(value));
    }
    u64 bytes() const { return bytes_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.value(bytes_);
    }

private:
    CharSink* out_;
    u64 bytes_ = 0;
};

}  // namespace hm
