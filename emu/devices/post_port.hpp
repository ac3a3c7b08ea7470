// POST-code ports: 0x80 (the PC's "manufacturing diagnostic" port every BIOS
// writes progress codes to, and many kernels use as an I/O delay) and an optional
// second port (`--post-port`). Writes are counted and, with `--post-log FILE`,
// logged one per line as "cycle port value" so firmware progress can be read
// back after the run. Reading returns the last value written, as on most boards.
#pragma once
#include "devices/char_backend.hpp"
#include "mem/io_device.hpp"
#include "time/virtual_clock.hpp"
#include "core/state_visitor.hpp"

namespace hm {

class PostPort : public IoDevice {
public:
    PostPort(VirtualClock& clock, CharSink* log) : clock_(clock), log_(log) {}
    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;
    u64 writes() const { return writes_; }
    u32 last_value() const { return last_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.value(writes_), v.value(last_);
    }

private:
    VirtualClock& clock_;
    CharSink* log_;
    u64 writes_ = 0;
    u32 last_ = 0;
};

}  // namespace hm
