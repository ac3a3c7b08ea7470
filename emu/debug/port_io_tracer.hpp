// Bridges the bus's port-I/O observer to an EventSink, stamping each access with
// the cycle counter of the CPU that made it (the virtual clock follows the
// running CPU: docs/devices.md, "SMP"), for trace files and the debugger's I/O log.
#pragma once
#include "observe/events.hpp"
#include "mem/bus.hpp"
#include "time/virtual_clock.hpp"

namespace hm {

class PortIoTracer : public IoObserver {
public:
    PortIoTracer(const VirtualClock& clock, EventSink& sink) : clock_(clock), sink_(sink) {}
    void on_io(u16 port, u32 value, unsigned size, bool is_write) override {
        sink_.on_port_io(PortIoEvent{clock_.now(), port, static_cast<u8>(size), static_cast<u8>(is_write), value});
    }

private:
    const VirtualClock& clock_;
    EventSink& sink_;
};

}  // namespace hm
