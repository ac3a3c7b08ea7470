// Motorola MC146818 real-time clock and CMOS RAM at ports 0x70 (index; bit 7
// masks NMI) and 0x71 (data), IRQ 8.
//
// Time of day runs on virtual time from a fixed epoch (kDefaultRtcEpoch unless
// configured), never from the host clock, so a run is reproducible. Registers
// 0x00-0x09 in BCD or binary (register B's DM bit) and 12- or 24-hour form;
// register A's divider (clock stopped unless 010) and periodic rate; register B's
// SET (freezes the clock so it can be written), PIE/AIE/UIE; register C's flags
// (PF, AF, UF, IRQF; cleared by reading, which also releases IRQ 8); register D's
// VRT. UIP reads 1 during the last 244 us before each second's update, as on the
// chip. Flags are computed lazily from virtual time; timers exist only while an
// interrupt is enabled, so an idle RTC never wakes a halted CPU.
//
// CMOS RAM holds what firmware would have left there: the memory sizes (0x15/16
// base KiB, 0x17/18 and 0x30/31 extended KiB, 0x34/35 RAM above 16 MiB in 64 KiB
// units, 0x5B-0x5D RAM above 4 GiB in 64 KiB units, as QEMU/SeaBIOS define
// them), the century (0x32), and "no floppy, no disk".
#pragma once
#include <array>

#include "devices/irq.hpp"
#include "mem/io_device.hpp"
#include "time/civil_time.hpp"
#include "time/event_queue.hpp"
#include "time/virtual_clock.hpp"
#include "core/state_visitor.hpp"

namespace hm {

struct RtcStats {
    u64 periodic_irqs = 0;
    u64 update_irqs = 0;
    u64 alarm_irqs = 0;
};

class CmosRtc : public IoDevice {
public:
    CmosRtc(VirtualClock& clock, EventQueue& events, IrqLine irq8, i64 epoch_seconds);

    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;

    // Fills the memory-size registers (called once by the machine).
    void set_memory_size(u64 below_4g_bytes, u64 above_4g_bytes);

    bool nmi_masked() const { return nmi_masked_; }
    // Unix seconds the clock shows now (tests, debugger).
    i64 current_seconds() const;
    u8 raw(unsigned index) const { return ram_[index & 0x7F]; }
    const RtcStats& stats() const { return stats_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.section(0x525443);  // "RTC"
        snap::values(v, ram_);
        v.bounded(index_, 128), v.value(nmi_masked_), v.value(base_seconds_), v.value(base_cycle_);
        v.value(divider_epoch_), v.value(flags_at_), v.value(irq_level_);
        snap::u64_fields(v, stats_);
    }

private:
    enum : u8 { kRegA = 0x0A, kRegB = 0x0B, kRegC = 0x0C, kRegD = 0x0D };
    enum : u8 { kBSet = 0x80, kBPie = 0x40, kBAie = 0x20, kBUie = 0x10, kBBinary = 0x04, kB24h = 0x02 };
    enum : u8 { kCIrqf = 0x80, kCPf = 0x40, kCAf = 0x20, kCUf = 0x10 };

    u8 read_register(unsigned index);
    void write_register(unsigned index, u8 value);
    bool running() const;            // divider running and SET clear
    u64 periodic_period_ticks() const;  // in 32.768 kHz ticks, 0 = off
    void accumulate_flags(u64 now);  // flags for events in (flags_at_, now]
    bool alarm_matches(i64 seconds) const;
    i64 seconds_at(u64 cycle) const;       // whole seconds the clock shows at a cycle
    i64 second_boundary_at_or_before(u64 cycle) const;
    void load_time_registers(i64 seconds);  // registers 0..9 from a time
    i64 time_from_registers() const;
    u8 encode(unsigned v) const;
    unsigned decode(u8 v) const;
    void update_irq_line();
    void reschedule();
    void on_timer(u64 now);

    VirtualClock& clock_;
    EventQueue& events_;
    IrqLine irq_;
    EventQueue::TimerId timer_;
    std::array<u8, 128> ram_{};
    u8 index_ = 0;
    bool nmi_masked_ = false;
    // Clock: the time shown at base_cycle_; seconds tick at base_cycle_ + k * hz.
    i64 base_seconds_;
    i64 base_cycle_ = 0;     // may lie ahead of or behind cycle 0 (half-second phase)
    u64 divider_epoch_ = 0;  // cycle at which the 32 kHz divider chain (re)started
    u64 flags_at_ = 0;       // flags in register C cover events up to this cycle
    bool irq_level_ = false;
    RtcStats stats_;
};

}  // namespace hm
