// Test scaffolding for devices: a bus, a virtual clock the test drives, an event
// queue, and an interrupt sink that records what every IRQ line did.
#pragma once
#include <array>
#include <vector>

#include "devices/irq.hpp"
#include "mem/bus.hpp"
#include "time/event_queue.hpp"
#include "time/virtual_clock.hpp"

namespace hm::test {

struct RecordingIrqs : IrqSink {
    std::array<bool, 16> level{};
    std::array<unsigned, 16> rising{};
    void set_irq(unsigned line, bool l) override {
        if (l && !level[line]) ++rising[line];
        level[line] = l;
    }
    IrqLine line(unsigned n) { return IrqLine{this, n}; }
};

struct DeviceFixture {
    static constexpr u64 kHz = 100'000'000;
    PhysicalMemory ram{2 * kMiB};
    Bus bus{ram};
    u64 cycles = 0;
    VirtualClock clock{cycles, kHz};
    EventQueue events;
    RecordingIrqs irqs;

    // Moves virtual time to `target`, firing every event on its exact cycle.
    void advance_to(u64 target) {
        while (events.next_deadline() <= target) {
            u64 t = events.next_deadline();
            if (t > cycles) cycles = t;
            events.run_due(cycles);
        }
        cycles = target;
    }
    void advance(u64 delta) { advance_to(cycles + delta); }
    void advance_ns(u64 ns) { advance(clock.cycles_from_ns(ns)); }
    u8 in8(u16 port) { return static_cast<u8>(bus.io_read(port, 1)); }
    u32 in32(u16 port) { return bus.io_read(port, 4); }
    void out8(u16 port, u8 v) { bus.io_write(port, v, 1); }
    void out32(u16 port, u32 v) { bus.io_write(port, v, 4); }
};

}  // namespace hm::test
