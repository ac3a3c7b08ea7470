// The local APIC (xAPIC, as integrated in P6-class CPUs), one per CPU: the
// registers of Intel SDM vol. 3A chapter 10 at offsets 0x000-0x3F0 of its 4 KiB
// MMIO page (0xFEE00000 unless IA32_APIC_BASE moves it). docs/devices.md lists
// every register and what is not modelled.
//
// Interrupt sources: the APIC bus (IPIs, the I/O APIC), the LVT timer, LINT0
// (the 8259 pair's INT output: ExtINT "virtual wire"), LINT1 (NMI) and errors.
// The CPU's INTR line is `on_intr`; the INTA cycle is acknowledge(), which in
// ExtINT mode asks the PIC (`pic_acknowledge`). While the APIC is hardware-
// disabled (IA32_APIC_BASE.EN = 0), LINT0 is the CPU's INTR and LINT1 its NMI.
//
// Timer: the count decrements once per `divide` CPU cycles (the APIC's input
// clock is the CPU clock here), so the current count is a pure function of the
// cycle counter; the event queue fires only the interrupt.
#pragma once
#include <functional>

#include "devices/apic_bus.hpp"
#include "mem/io_device.hpp"
#include "time/event_queue.hpp"
#include "time/virtual_clock.hpp"
#include "core/state_visitor.hpp"

namespace hm {

namespace lapic_reg {  // register offsets
constexpr u32 kId = 0x20, kVersion = 0x30, kTpr = 0x80, kApr = 0x90, kPpr = 0xA0, kEoi = 0xB0, kRrd = 0xC0;
constexpr u32 kLdr = 0xD0, kDfr = 0xE0, kSvr = 0xF0, kIsr = 0x100, kTmr = 0x180, kIrr = 0x200, kEsr = 0x280;
constexpr u32 kIcrLow = 0x300, kIcrHigh = 0x310, kLvtTimer = 0x320, kLvtPerf = 0x340, kLvtLint0 = 0x350;
constexpr u32 kLvtLint1 = 0x360, kLvtError = 0x370, kTimerInitial = 0x380, kTimerCurrent = 0x390;
constexpr u32 kTimerDivide = 0x3E0;
}  // namespace lapic_reg

namespace lapic_bit {
constexpr u32 kSvrEnable = 1u << 8, kSvrFocusDisable = 1u << 9;
constexpr u32 kLvtMask = 1u << 16, kLvtPeriodic = 1u << 17, kLvtLevel = 1u << 15, kLvtRemoteIrr = 1u << 14;
constexpr u32 kEsrSendIllegalVector = 1u << 5, kEsrReceiveIllegalVector = 1u << 6, kEsrIllegalRegister = 1u << 7;
constexpr u32 kVersion = 0x00040014;  // version 0x14 (integrated xAPIC), max LVT entry 4
}  // namespace lapic_bit

// LVT entries in register order (0x320, 0x340, 0x350, 0x360, 0x370).
enum LvtIndex : u8 { kLvtTimerIdx, kLvtPerfIdx, kLvtLint0Idx, kLvtLint1Idx, kLvtErrorIdx, kLvtCount };

// Everything guest-visible, as plain data (snapshots save it).
struct LapicState {
    u8 id = 0;
    u8 tpr = 0;
    u32 ldr = 0, dfr = 0xFFFFFFFF, svr = 0xFF;
    u32 isr[8] = {}, tmr[8] = {}, irr[8] = {};
    u32 esr = 0, esr_pending = 0;  // ESR reads `esr`; a write latches `esr_pending` into it
    u32 icr_low = 0, icr_high = 0;
    u32 lvt[kLvtCount] = {};
    u32 divide = 0;          // divide configuration register (bits 0, 1, 3)
    u32 timer_initial = 0;   // initial count register
    // The count was `timer_base_count` at cycle `timer_base_cycle`; 0 = stopped.
    u32 timer_base_count = 0;
    u64 timer_base_cycle = 0;
    bool hw_enabled = true;  // IA32_APIC_BASE.EN (the CPU's MSR is the master copy)
    bool lint0_level = false, lint1_level = false;
};

struct LapicStats {
    u64 delivered = 0;      // vectors acknowledged from IRR
    u64 extint = 0;         // acknowledges passed to the PIC
    u64 spurious = 0;
    u64 timer_fired = 0;
    u64 ipis_sent = 0;
    u64 ipis_dropped = 0;   // no present CPU was addressed (INIT/SIPI to absent APs)
    u64 sipis_received = 0;
};

class Lapic : public MmioDevice {
public:
    static constexpr u64 kDefaultBase = 0xFEE00000;
    static constexpr u64 kSize = 0x1000;

    Lapic(const VirtualClock& clock, EventQueue& events, ApicBus& bus, u8 id, bool bsp);

    u64 mmio_read(u64 offset, unsigned size) override;
    void mmio_write(u64 offset, u64 value, unsigned size) override;

    // Power-on / RESET state (SDM 10.4.7.1). The BSP's LINT0 comes up as
    // unmasked ExtINT, as QEMU sets it, so PIC interrupts reach a CPU whose
    // firmware never touched the APIC (hm386's reset-ROM guests).
    void reset();
    // INIT: as reset(), but the APIC ID (and IA32_APIC_BASE, the CPU's) survive.
    void init_reset();
    // IA32_APIC_BASE.EN changed. Disabling resets the APIC to its power-on state.
    void set_hw_enabled(bool enabled);
    bool hw_enabled() const { return st_.hw_enabled; }

    // LINT0: the 8259 pair's INT output. LINT1: an NMI source (edge on rising level).
    void set_lint0(bool level);
    void set_lint1(bool level);
    // The INTA cycle: a vector from IRR, the PIC's vector (ExtINT), or the spurious vector.
    u8 acknowledge();
    // From the APIC bus: does this APIC match the destination, and accept the message.
    bool addressed_by(const ApicMessage& m) const;
    void accept(const ApicMessage& m);
    u8 arbitration_priority() const;

    // For the machine's hang check: an interrupt is pending or the timer can raise one.
    bool can_interrupt() const;
    // Whether the PIC's INT reaches the CPU's INTR (hardware-disabled, or LINT0 unmasked ExtINT).
    bool extint_passes() const;

    std::function<void(bool)> on_intr;      // the CPU's INTR line
    std::function<void()> on_nmi;           // the CPU's NMI
    std::function<u8()> pic_acknowledge;    // INTA to the 8259 pair
    std::function<void()> on_init;          // an INIT message reached this APIC (after init_reset)
    std::function<void(u8)> on_startup;     // a SIPI with its vector

    const LapicState& state() const { return st_; }
    const LapicStats& stats() const { return stats_; }
    u8 ppr() const;
    u32 current_count() const;

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.section(0x4C415043);  // "LAPC"
        LapicState& a = st_;
        v.value(a.id), v.value(a.tpr), v.value(a.ldr), v.value(a.dfr), v.value(a.svr);
        snap::values(v, a.isr), snap::values(v, a.tmr), snap::values(v, a.irr);
        v.value(a.esr), v.value(a.esr_pending), v.value(a.icr_low), v.value(a.icr_high);
        snap::values(v, a.lvt);
        v.value(a.divide), v.value(a.timer_initial), v.value(a.timer_base_count), v.value(a.timer_base_cycle);
        v.value(a.hw_enabled), v.value(a.lint0_level), v.value(a.lint1_level);
        snap::u64_fields(v, stats_);
    }

private:
    u32 read_reg(u32 reg);
    void write_reg(u32 reg, u32 value);
    void write_lvt(LvtIndex idx, u32 value);
    void send_ipi();
    void eoi();
    void set_irr(u8 vector, bool level);
    void error(u32 esr_bit);
    void deliver_local(LvtIndex idx);
    int highest(const u32 (&bits)[8]) const;
    void update();
    bool sw_enabled() const { return st_.svr & lapic_bit::kSvrEnable; }
    u32 divisor() const;
    void timer_start(u32 count);
    void timer_schedule();
    void timer_fire(u64 now);

    const VirtualClock& clock_;
    EventQueue& events_;
    ApicBus& bus_;
    EventQueue::TimerId timer_;
    bool bsp_;
    u8 initial_id_;
    LapicState st_;
    LapicStats stats_;
};

}  // namespace hm
