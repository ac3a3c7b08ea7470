// Bridges the bus's port-I/O observer to an EventSink, stamping each access with
// the cycle counter (trace files, the debugger's I/O log).
#pragma once
#include "debug/events.hpp"
#include "mem/bus.hpp"

namespace hm {

class PortIoTracer : public IoObserver {
public:
    PortIoTracer(const u64& cycles, EventSink& sink) : cycles_(cycles), sink_(sink) {}
    void on_io(u16 port, u32 value, unsigned size, bool is_write) override {
        sink_.on_port_io(PortIoEvent{cycles_, port, static_cast<u8>(size), static_cast<u8>(is_write), value});
    }

private:
    const u64& cycles_;
    EventSink& sink_;
};

}  // namespace hm
