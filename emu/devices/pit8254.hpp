// Intel 8254 programmable interval timer at ports 0x40-0x43, clocked at
// 1.193182 MHz derived from the CPU cycle counter (time/virtual_clock.hpp).
//
// Channel 0 drives IRQ 0, channel 2's gate and output belong to port 0x61
// (devices/port61.hpp); channel 1 (DRAM refresh on old PCs) counts but drives
// nothing. All six modes are modelled analytically: a channel remembers when its
// count was loaded and computes its counter and OUT level for any instant, so
// nothing runs per tick. Only channel 0's next rising OUT edge is scheduled on
// the event queue. Supported: binary and BCD counting, LSB/MSB/LSB-then-MSB
// access, counter latch, the read-back command (count and status), gate
// behaviour per mode (modes 0/4 pause, 1/5 trigger, 2/3 stop with OUT high and
// reload on the rising edge).
// Simplification (documented in docs/devices.md): a new count takes effect at the
// next clock tick in every mode; real parts wait for the period's end in modes 2/3.
#pragma once
#include <array>

#include "devices/irq.hpp"
#include "mem/io_device.hpp"
#include "time/event_queue.hpp"
#include "time/virtual_clock.hpp"
#include "core/state_visitor.hpp"

namespace hm {

struct PitStats {
    u64 irq0_edges = 0;   // rising edges of channel 0's OUT delivered to IRQ 0
    u64 reprograms = 0;   // control words written
};

class Pit8254 : public IoDevice {
public:
    Pit8254(VirtualClock& clock, EventQueue& events, IrqLine irq0);

    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;

    void set_gate(unsigned channel, bool level);
    bool gate(unsigned channel) const { return ch_[channel].gate; }
    bool out(unsigned channel) const;
    // The value the counting element holds now (what a latch would capture).
    u32 count(unsigned channel) const;
    unsigned mode(unsigned channel) const { return ch_[channel].mode; }
    const PitStats& stats() const { return stats_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.section(0x504954);  // "PIT"
        for (Channel& c : ch_) {
            v.bounded(c.mode, 6), v.bounded(c.access, 4), v.value(c.bcd), v.value(c.gate), v.value(c.reload);
            v.value(c.loaded), v.value(c.counting), v.value(c.start_tick), v.value(c.out_before_start);
            v.value(c.paused), v.value(c.paused_count), v.value(c.paused_elapsed), v.value(c.write_msb_next);
            v.value(c.write_lsb), v.value(c.read_msb_next), v.value(c.count_latched), v.value(c.latched_count);
            v.value(c.latched_msb_next), v.value(c.status_latched), v.value(c.latched_status), v.value(c.null_count);
        }
        v.value(irq0_edge_tick_);
        snap::u64_fields(v, stats_);
    }

private:
    struct Channel {
        unsigned mode = 0;
        unsigned access = 3;  // 1 LSB, 2 MSB, 3 LSB then MSB
        bool bcd = false;
        bool gate = true;
        u32 reload = 0x10000;     // N: the count written (0 means 65536 / 10000)
        bool loaded = false;      // a count was written since the control word
        bool counting = false;    // the counting element runs from start_tick
        u64 start_tick = 0;       // tick at which counting began with `reload`
        bool out_before_start = false;  // OUT level while not counting
        // modes 0/4 with the gate low: frozen counter value
        bool paused = false;
        u32 paused_count = 0;
        u64 paused_elapsed = 0;   // ticks counted before the pause
        // write/read byte sequencing
        bool write_msb_next = false;
        u8 write_lsb = 0;
        bool read_msb_next = false;
        bool count_latched = false;
        u16 latched_count = 0;
        bool latched_msb_next = false;
        bool status_latched = false;
        u8 latched_status = 0;
        bool null_count = true;
    };

    u64 now_tick() const { return clock_.ticks_now(kPitFrequency); }
    u32 modulus(const Channel& c) const { return c.bcd ? 10000 : 0x10000; }
    u64 elapsed(const Channel& c, u64 tick) const;
    u32 count_at(const Channel& c, u64 tick) const;
    bool out_at(const Channel& c, u64 tick) const;
    // The first tick > after at which OUT rises, or kNever.
    u64 next_rising_edge(const Channel& c, u64 after) const;
    void write_control(u8 value);
    void write_count(unsigned ch, u8 value);
    u8 read_counter(unsigned ch);
    void start(Channel& c, u64 tick);
    void reschedule_irq0();
    void on_irq0_timer(u64 now);
    u16 encode(const Channel& c, u32 value) const;
    u8 status_byte(const Channel& c) const;

    VirtualClock& clock_;
    EventQueue& events_;
    IrqLine irq0_;
    EventQueue::TimerId timer_;
    u64 irq0_edge_tick_ = 0;  // the edge the timer is armed for
    std::array<Channel, 3> ch_;
    PitStats stats_;
};

}  // namespace hm
