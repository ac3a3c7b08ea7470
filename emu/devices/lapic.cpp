#include "devices/lapic.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace hm {

namespace {

constexpr u32 kMaskedLvt = lapic_bit::kLvtMask;
// Writable bits of each LVT entry (SDM 10.5.1, figure 10-8): vector, delivery
// mode, polarity, trigger mode, mask, timer mode (periodic; no TSC deadline).
constexpr u32 kLvtWritable[kLvtCount] = {0x300FF, 0x107FF, 0x1A7FF, 0x1A7FF, 0x100FF};
constexpr u32 kLvtOffset[kLvtCount] = {0x320, 0x340, 0x350, 0x360, 0x370};
constexpr u8 kLvtMode(u32 lvt) { return static_cast<u8>((lvt >> 8) & 7); }

std::string hex(u32 v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return buf;
}

}  // namespace

Lapic::Lapic(const VirtualClock& clock, EventQueue& events, ApicBus& bus, u8 id, bool bsp)
    : clock_(clock), events_(events), bus_(bus), bsp_(bsp), initial_id_(id) {
    timer_ = events_.create("lapic-timer", [this](u64 now) { timer_fire(now); });
    bus_.attach(*this);
    reset();
}

void Lapic::reset() {
    const bool hw = st_.hw_enabled;
    events_.cancel(timer_);
    st_ = LapicState{};
    st_.hw_enabled = hw;
    st_.id = initial_id_;
    for (u32& l : st_.lvt) l = kMaskedLvt;
    if (bsp_) st_.lvt[kLvtLint0Idx] = u32{apic_mode::kExtInt} << 8;
    update();
}

void Lapic::set_hw_enabled(bool enabled) {
    if (enabled == st_.hw_enabled) return;
    const bool lint0 = st_.lint0_level, lint1 = st_.lint1_level;
    st_.hw_enabled = enabled;
    reset();  // SDM 10.4.3: disabling loses the APIC's state; it comes back as after power-up
    st_.lint0_level = lint0;
    st_.lint1_level = lint1;
    update();
}

// ---------------- priorities ----------------

int Lapic::highest(const u32 (&bits)[8]) const {
    for (int i = 7; i >= 0; --i) {
        if (bits[i]) return i * 32 + 31 - std::countl_zero(bits[i]);
    }
    return -1;
}

u8 Lapic::ppr() const {
    const int isrv = highest(st_.isr);
    const u8 isr_class = isrv < 0 ? 0 : static_cast<u8>(isrv & 0xF0);
    return (st_.tpr & 0xF0) >= isr_class ? st_.tpr : isr_class;
}

u8 Lapic::arbitration_priority() const {
    const int isrv = highest(st_.isr), irrv = highest(st_.irr);
    const u32 tpr_c = st_.tpr & 0xF0u, isr_c = isrv < 0 ? 0 : isrv & 0xF0, irr_c = irrv < 0 ? 0 : irrv & 0xF0;
    if (tpr_c >= irr_c && tpr_c > isr_c) return st_.tpr;
    return static_cast<u8>(std::max({tpr_c, isr_c, irr_c}));
}

bool Lapic::extint_passes() const {
    const u32 l = st_.lvt[kLvtLint0Idx];
    return !st_.hw_enabled || (!(l & lapic_bit::kLvtMask) && kLvtMode(l) == apic_mode::kExtInt);
}

bool Lapic::can_interrupt() const {
    if (!st_.hw_enabled) return false;
    const int v = highest(st_.irr);
    return (v >= 0 && (v & 0xF0) > (ppr() & 0xF0)) || events_.armed(timer_);
}

void Lapic::update() {
    bool out;
    if (!st_.hw_enabled) {
        out = st_.lint0_level;
    } else {
        const int v = highest(st_.irr);
        out = (v >= 0 && (v & 0xF0) > (ppr() & 0xF0)) || (st_.lint0_level && extint_passes());
    }
    if (on_intr) on_intr(out);
}

// ---------------- interrupt acceptance ----------------

u8 Lapic::acknowledge() {
    if (st_.hw_enabled) {
        const int v = highest(st_.irr);
        if (v >= 0 && (v & 0xF0) > (ppr() & 0xF0)) {
            st_.irr[v >> 5] &= ~(1u << (v & 31));
            st_.isr[v >> 5] |= 1u << (v & 31);
            ++stats_.delivered;
            update();
            return static_cast<u8>(v);
        }
        if (!(st_.lint0_level && extint_passes())) {
            // INTR was seen but the request is gone (TPR raised meanwhile): SDM 10.9.
            ++stats_.spurious;
            return static_cast<u8>(st_.svr & 0xFF);
        }
    }
    ++stats_.extint;
    return pic_acknowledge ? pic_acknowledge() : 0xFF;
}

void Lapic::set_irr(u8 vector, bool level) {
    st_.irr[vector >> 5] |= 1u << (vector & 31);
    if (level) st_.tmr[vector >> 5] |= 1u << (vector & 31);
    else st_.tmr[vector >> 5] &= ~(1u << (vector & 31));
    update();
}

void Lapic::error(u32 esr_bit) {
    st_.esr_pending |= esr_bit;
    const u32 l = st_.lvt[kLvtErrorIdx];
    if (l & lapic_bit::kLvtMask) return;
    const u8 vector = static_cast<u8>(l & 0xFF);
    if (vector < 16) {  // an illegal error vector only records itself
        st_.esr_pending |= lapic_bit::kEsrReceiveIllegalVector;
        return;
    }
    set_irr(vector, false);
}

void Lapic::deliver_local(LvtIndex idx) {
    const u32 l = st_.lvt[idx];
    if (l & lapic_bit::kLvtMask) return;
    const u8 mode = idx == kLvtTimerIdx || idx == kLvtErrorIdx ? apic_mode::kFixed : kLvtMode(l);
    switch (mode) {
        case apic_mode::kFixed: {
            const u8 vector = static_cast<u8>(l & 0xFF);
            if (vector < 16) return error(lapic_bit::kEsrReceiveIllegalVector);
            const bool level = (idx == kLvtLint0Idx || idx == kLvtLint1Idx) && (l & lapic_bit::kLvtLevel);
            return set_irr(vector, level);
        }
        case apic_mode::kNmi:
            if (on_nmi) on_nmi();
            return;
        case apic_mode::kExtInt: return;  // a level, not an event: see update()
        default:
            throw std::logic_error("local APIC: LVT entry " + hex(kLvtOffset[idx]) +
                                   " with delivery mode " + std::to_string(mode) + " (SMI/INIT) is not modelled");
    }
}

bool Lapic::addressed_by(const ApicMessage& m) const {
    if (!m.logical) return m.destination == 0xFF || m.destination == st_.id;
    const u8 logical_id = static_cast<u8>(st_.ldr >> 24);
    if ((st_.dfr >> 28) == 0xF) return (logical_id & m.destination) != 0;  // flat model
    // Cluster model: high nibble the cluster (15 = all clusters), low nibble a bit mask.
    const u8 cluster = m.destination >> 4;
    return (cluster == 0xF || cluster == (logical_id >> 4)) && (logical_id & m.destination & 0xF) != 0;
}

void Lapic::accept(const ApicMessage& m) {
    switch (m.mode) {
        case apic_mode::kFixed:
        case apic_mode::kLowestPriority:
            if (m.vector < 16) return error(lapic_bit::kEsrReceiveIllegalVector);
            return set_irr(m.vector, m.level_trigger);
        case apic_mode::kNmi:
            if (on_nmi) on_nmi();
            return;
        case apic_mode::kInit:
            if (!m.assert_level) return;  // INIT level de-assert: arbitration IDs only
            // The APIC itself comes back as after power-up, but for its ID and
            // IA32_APIC_BASE (SDM 10.4.7.3); then the CPU takes the INIT.
            init_reset();
            if (on_init) on_init();
            return;
        case apic_mode::kStartup:
            ++stats_.sipis_received;
            if (on_startup) on_startup(m.vector);
            return;
        default:
            throw std::logic_error("local APIC " + std::to_string(st_.id) + ": a message with delivery mode " +
                                   std::to_string(m.mode) + " (SMI) is not modelled");
    }
}

void Lapic::init_reset() {
    const u8 id = st_.id;
    const bool lint0 = st_.lint0_level, lint1 = st_.lint1_level;
    reset();
    st_.id = id;
    st_.lint0_level = lint0;
    st_.lint1_level = lint1;
    update();
}

void Lapic::set_lint0(bool level) {
    const bool rising = level && !st_.lint0_level;
    st_.lint0_level = level;
    if (st_.hw_enabled && rising) deliver_local(kLvtLint0Idx);
    update();
}

void Lapic::set_lint1(bool level) {
    const bool rising = level && !st_.lint1_level;
    st_.lint1_level = level;
    if (rising) {
        if (!st_.hw_enabled) {
            if (on_nmi) on_nmi();
        } else {
            deliver_local(kLvtLint1Idx);
        }
    }
    update();
}

void Lapic::eoi() {
    const int v = highest(st_.isr);
    if (v < 0) return;
    st_.isr[v >> 5] &= ~(1u << (v & 31));
    if (st_.tmr[v >> 5] & (1u << (v & 31))) bus_.broadcast_eoi(static_cast<u8>(v));
    update();
}

void Lapic::send_ipi() {
    const u32 lo = st_.icr_low;
    ApicMessage m;
    m.vector = static_cast<u8>(lo & 0xFF);
    m.mode = kLvtMode(lo);
    m.logical = lo & (1u << 11);
    m.assert_level = lo & (1u << 14);
    m.level_trigger = lo & (1u << 15);
    m.destination = static_cast<u8>(st_.icr_high >> 24);
    const auto shorthand = static_cast<ApicShorthand>((lo >> 18) & 3);
    if ((m.mode == apic_mode::kFixed || m.mode == apic_mode::kLowestPriority) && m.vector < 16) {
        return error(lapic_bit::kEsrSendIllegalVector);
    }
    ++stats_.ipis_sent;
    if (bus_.send(m, shorthand, this) == 0) ++stats_.ipis_dropped;
}

// ---------------- timer ----------------

u32 Lapic::divisor() const {
    const u32 v = (st_.divide & 3) | ((st_.divide >> 1) & 4);
    return v == 7 ? 1 : 2u << v;
}

u32 Lapic::current_count() const {
    if (st_.timer_base_count == 0) return 0;
    const u64 ticks = (clock_.now() - st_.timer_base_cycle) / divisor();
    if (ticks < st_.timer_base_count) return static_cast<u32>(st_.timer_base_count - ticks);
    if ((st_.lvt[kLvtTimerIdx] & lapic_bit::kLvtPeriodic) && st_.timer_initial) {
        return static_cast<u32>(st_.timer_initial - (ticks - st_.timer_base_count) % st_.timer_initial);
    }
    return 0;
}

void Lapic::timer_start(u32 count) {
    st_.timer_base_count = count;
    st_.timer_base_cycle = clock_.now();
    timer_schedule();
}

// Arms the event for the next expiry after now, if an interrupt can come of it
// (a masked timer keeps counting, but only current_count() shows it).
void Lapic::timer_schedule() {
    events_.cancel(timer_);
    if (!st_.hw_enabled || st_.timer_base_count == 0 || (st_.lvt[kLvtTimerIdx] & lapic_bit::kLvtMask)) return;
    const u64 div = divisor();
    const u64 t = (clock_.now() - st_.timer_base_cycle) / div + 1;  // first tick after now
    u64 expiry;
    if (t <= st_.timer_base_count) {
        expiry = st_.timer_base_count;
    } else if ((st_.lvt[kLvtTimerIdx] & lapic_bit::kLvtPeriodic) && st_.timer_initial) {
        const u64 n = (t - st_.timer_base_count + st_.timer_initial - 1) / st_.timer_initial;
        expiry = st_.timer_base_count + n * st_.timer_initial;
    } else {
        return;  // a one-shot count that has run out
    }
    events_.schedule(timer_, st_.timer_base_cycle + expiry * div);
}

void Lapic::timer_fire(u64) {
    ++stats_.timer_fired;
    deliver_local(kLvtTimerIdx);
    timer_schedule();
}

// ---------------- registers ----------------

u64 Lapic::mmio_read(u64 offset, unsigned size) {
    // Registers are 32 bits wide on 16-byte boundaries; narrower reads see part of one.
    const u32 reg = static_cast<u32>(offset & ~u64{0xF});
    const unsigned shift = static_cast<unsigned>(offset & 3) * 8;
    if ((offset & 0xF) >= 4) return 0;  // the padding between registers
    u64 v = read_reg(reg) >> shift;
    if (size < 4) v &= (u64{1} << (size * 8)) - 1;
    return v;
}

void Lapic::mmio_write(u64 offset, u64 value, unsigned size) {
    // Only aligned 32-bit writes reach a register (SDM 10.4.1); others are dropped.
    if (size != 4 || (offset & 0xF)) return;
    write_reg(static_cast<u32>(offset), static_cast<u32>(value));
}

u32 Lapic::read_reg(u32 reg) {
    using namespace lapic_reg;
    if (reg >= kIsr && reg < kIsr + 0x80) return st_.isr[(reg - kIsr) >> 4];
    if (reg >= kTmr && reg < kTmr + 0x80) return st_.tmr[(reg - kTmr) >> 4];
    if (reg >= kIrr && reg < kIrr + 0x80) return st_.irr[(reg - kIrr) >> 4];
    switch (reg) {
        case kId: return u32{st_.id} << 24;
        case kVersion: return lapic_bit::kVersion;
        case kTpr: return st_.tpr;
        case kApr: return arbitration_priority();
        case kPpr: return ppr();
        case kEoi:
        case kRrd: return 0;
        case kLdr: return st_.ldr;
        case kDfr: return st_.dfr;
        case kSvr: return st_.svr;
        case kEsr: return st_.esr;
        case kIcrLow: return st_.icr_low;  // delivery status (bit 12) is always idle: delivery is instant
        case kIcrHigh: return st_.icr_high;
        case kLvtTimer: return st_.lvt[kLvtTimerIdx];
        case kLvtPerf: return st_.lvt[kLvtPerfIdx];
        case kLvtLint0: return st_.lvt[kLvtLint0Idx];
        case kLvtLint1: return st_.lvt[kLvtLint1Idx];
        case kLvtError: return st_.lvt[kLvtErrorIdx];
        case kTimerInitial: return st_.timer_initial;
        case kTimerCurrent: return current_count();
        case kTimerDivide: return st_.divide;
        default: error(lapic_bit::kEsrIllegalRegister); return 0;
    }
}

void Lapic::write_lvt(LvtIndex idx, u32 value) {
    u32 v = (value & kLvtWritable[idx]) | (st_.lvt[idx] & ~kLvtWritable[idx] & ~lapic_bit::kLvtMask);
    if (!sw_enabled()) v |= lapic_bit::kLvtMask;  // SDM 10.4.7.2: masks cannot be cleared
    st_.lvt[idx] = v;
    if (idx == kLvtTimerIdx) timer_schedule();
    update();
}

void Lapic::write_reg(u32 reg, u32 v) {
    using namespace lapic_reg;
    switch (reg) {
        case kId: st_.id = static_cast<u8>(v >> 24); break;
        case kTpr:
            st_.tpr = static_cast<u8>(v);
            update();
            break;
        case kEoi: eoi(); break;
        case kLdr: st_.ldr = v & 0xFF000000; break;
        case kDfr: st_.dfr = (v & 0xF0000000) | 0x0FFFFFFF; break;
        case kSvr:
            st_.svr = v & (0xFF | lapic_bit::kSvrEnable | lapic_bit::kSvrFocusDisable);
            if (!sw_enabled()) {
                for (u32& l : st_.lvt) l |= lapic_bit::kLvtMask;
                timer_schedule();
            }
            update();
            break;
        case kEsr:
            st_.esr = st_.esr_pending;
            st_.esr_pending = 0;
            break;
        case kIcrHigh: st_.icr_high = v & 0xFF000000; break;
        case kIcrLow:
            st_.icr_low = v & 0x000CCFFF;  // vector, mode, dest mode, level, trigger, shorthand
            send_ipi();
            break;
        case kLvtTimer: write_lvt(kLvtTimerIdx, v); break;
        case kLvtPerf: write_lvt(kLvtPerfIdx, v); break;
        case kLvtLint0: write_lvt(kLvtLint0Idx, v); break;
        case kLvtLint1: write_lvt(kLvtLint1Idx, v); break;
        case kLvtError: write_lvt(kLvtErrorIdx, v); break;
        case kTimerInitial:
            st_.timer_initial = v;
            timer_start(v);
            break;
        case kTimerDivide:
            if (st_.timer_base_count) {  // keep the count; the new rate applies from now
                const u32 count = current_count();
                st_.divide = v & 0xB;
                timer_start(count);
            } else {
                st_.divide = v & 0xB;
            }
            break;
        case kVersion:
        case kApr:
        case kPpr:
        case kRrd:
        case kTimerCurrent: break;  // read-only
        default:
            if (reg >= kIsr && reg < kIrr + 0x80) break;  // ISR/TMR/IRR are read-only
            error(lapic_bit::kEsrIllegalRegister);
    }
}

// ---------------- the APIC bus ----------------

unsigned ApicBus::send(const ApicMessage& m, ApicShorthand shorthand, Lapic* source) {
    auto addressed = [&](Lapic* l) {
        switch (shorthand) {
            case ApicShorthand::Self: return l == source;
            case ApicShorthand::AllIncludingSelf: return true;
            case ApicShorthand::AllExcludingSelf: return l != source;
            case ApicShorthand::None: break;
        }
        return l->addressed_by(m);
    };
    if (m.mode == apic_mode::kLowestPriority) {
        Lapic* best = nullptr;
        for (Lapic* l : lapics_) {
            if (addressed(l) && (!best || l->arbitration_priority() < best->arbitration_priority())) best = l;
        }
        if (!best) return 0;
        best->accept(m);
        return 1;
    }
    unsigned n = 0;
    for (Lapic* l : lapics_) {
        if (addressed(l)) {
            l->accept(m);
            ++n;
        }
    }
    return n;
}

}  // namespace hm
