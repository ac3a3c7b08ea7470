// The ACPI fixed-hardware registers the FADT (emu/boot/acpi_tables.*) points
// Linux at, at QEMU's PIIX4 PM base 0x600 (ACPI 1.0b, 4.7 and 4.7.3):
//
//   0x600  PM1a_STS (16 bits, write 1 to clear; nothing sets a bit here: no SCI)
//   0x602  PM1a_EN  (16 bits, read/write, has no effect)
//   0x604  PM1a_CNT (16 bits): SCI_EN (bit 0) reads 1, since the FADT has no
//          SMI_CMD the machine is always in ACPI mode; SLP_TYP (bits 12-10)
//          reads back; writing SLP_EN (bit 13) with SLP_TYP = kSlpTypS5 is the
//          soft power-off (on_power_off); other sleep types are counted and ignored
//          (the DSDT declares only \_S5). SLP_EN reads 0.
//   0x608  PM_TMR   (24 bits, read-only): a counter at 3.579545 MHz (14.31818 MHz
//          / 4, the PIT crystal's 39375000/11 Hz) derived from the cycle counter,
//          0 at cycle 0, wrapping at 2^24.
//
// Any access size at any of the 12 ports is accepted; bytes outside these
// registers read 0.
#pragma once
#include <functional>

#include "mem/io_device.hpp"
#include "time/virtual_clock.hpp"
#include "core/state_visitor.hpp"

namespace hm {

constexpr Frequency kPmTimerFrequency{39'375'000, 11};  // 3.579545... MHz

struct AcpiPmStats {
    u64 timer_reads = 0, power_offs = 0, other_sleeps = 0;
};

class AcpiPm : public IoDevice {
public:
    static constexpr u16 kBase = 0x600;
    static constexpr u16 kPorts = 12;
    static constexpr u16 kPm1aEvt = 0x600, kPm1aCnt = 0x604, kPmTmr = 0x608;
    static constexpr u8 kSlpTypS5 = 0;  // what the DSDT's \_S5 package says (as QEMU's)

    explicit AcpiPm(const VirtualClock& clock) : clock_(clock) {}
    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;

    std::function<void()> on_power_off;
    const AcpiPmStats& stats() const { return stats_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.value(status_), v.value(enable_), v.value(control_);
        snap::u64_fields(v, stats_);
    }

private:
    u8 read_byte(unsigned offset);

    const VirtualClock& clock_;
    u16 status_ = 0, enable_ = 0, control_ = 0;
    AcpiPmStats stats_;
};

}  // namespace hm
