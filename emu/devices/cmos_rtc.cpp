#include "devices/cmos_rtc.hpp"

#include <algorithm>

namespace hm {

namespace {
constexpr u8 kDividerNormal = 0x20;  // register A bits 6..4 = 010: 32.768 kHz time base running
i64 floor_div(i64 a, i64 b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
u8 to_bcd(unsigned v) { return static_cast<u8>((v / 10 % 10) << 4 | v % 10); }
unsigned from_bcd(u8 v) { return (v >> 4) * 10u + (v & 0xF); }
}  // namespace

CmosRtc::CmosRtc(VirtualClock& clock, EventQueue& events, IrqLine irq8, i64 epoch_seconds)
    : clock_(clock), events_(events), irq_(irq8), base_seconds_(epoch_seconds) {
    timer_ = events_.create("rtc", [this](u64 now) { on_timer(now); }, static_cast<int>(irq_.line));
    ram_[kRegA] = 0x26;  // divider running, 1024 Hz periodic rate selected
    ram_[kRegB] = kB24h; // BCD, 24-hour, no interrupts
    ram_[kRegD] = 0x80;  // valid RAM and time
    ram_[0x10] = 0x00;   // no floppy drives
    ram_[0x12] = 0x00;   // no hard disks
    ram_[0x14] = 0x06;   // equipment: FPU present, PS/2 mouse port
    base_cycle_ = static_cast<i64>(clock_.now());
}

void CmosRtc::set_memory_size(u64 below_4g, u64 above_4g) {
    auto put16 = [&](unsigned lo, u64 v) {
        v = std::min<u64>(v, 0xFFFF);
        ram_[lo] = static_cast<u8>(v);
        ram_[lo + 1] = static_cast<u8>(v >> 8);
    };
    put16(0x15, 640);
    u64 ext_kib = below_4g > kMiB ? (below_4g - kMiB) / kKiB : 0;
    put16(0x17, ext_kib);
    put16(0x30, ext_kib);
    put16(0x34, below_4g > 16 * kMiB ? (below_4g - 16 * kMiB) / (64 * kKiB) : 0);
    u64 high = above_4g / (64 * kKiB);
    ram_[0x5B] = static_cast<u8>(high);
    ram_[0x5C] = static_cast<u8>(high >> 8);
    ram_[0x5D] = static_cast<u8>(high >> 16);
}

bool CmosRtc::running() const {
    return (ram_[kRegA] & 0x70) == kDividerNormal && !(ram_[kRegB] & kBSet);
}

i64 CmosRtc::seconds_at(u64 cycle) const {
    i64 hz = static_cast<i64>(clock_.cpu_hz());
    return base_seconds_ + floor_div(static_cast<i64>(cycle) - base_cycle_, hz);
}

i64 CmosRtc::second_boundary_at_or_before(u64 cycle) const {
    i64 hz = static_cast<i64>(clock_.cpu_hz());
    return base_cycle_ + floor_div(static_cast<i64>(cycle) - base_cycle_, hz) * hz;
}

i64 CmosRtc::current_seconds() const {
    return running() ? seconds_at(clock_.now()) : time_from_registers();
}

u8 CmosRtc::encode(unsigned v) const { return (ram_[kRegB] & kBBinary) ? static_cast<u8>(v) : to_bcd(v); }
unsigned CmosRtc::decode(u8 v) const { return (ram_[kRegB] & kBBinary) ? v : from_bcd(v); }

void CmosRtc::load_time_registers(i64 seconds) {
    CivilTime t = civil_from_unix(seconds);
    ram_[0x00] = encode(t.second);
    ram_[0x02] = encode(t.minute);
    if (ram_[kRegB] & kB24h) {
        ram_[0x04] = encode(t.hour);
    } else {
        unsigned h12 = t.hour % 12 == 0 ? 12 : t.hour % 12;
        ram_[0x04] = static_cast<u8>(encode(h12) | (t.hour >= 12 ? 0x80 : 0));
    }
    ram_[0x06] = encode(t.weekday);
    ram_[0x07] = encode(t.day);
    ram_[0x08] = encode(t.month);
    ram_[0x09] = encode(static_cast<unsigned>(((t.year % 100) + 100) % 100));
    ram_[0x32] = encode(static_cast<unsigned>(std::clamp<i64>(t.year / 100, 0, 99)));
}

i64 CmosRtc::time_from_registers() const {
    CivilTime t{};
    t.second = decode(ram_[0x00]) % 60;
    t.minute = decode(ram_[0x02]) % 60;
    u8 h = ram_[0x04];
    if (ram_[kRegB] & kB24h) {
        t.hour = decode(h) % 24;
    } else {
        t.hour = decode(h & 0x7F) % 12 + ((h & 0x80) ? 12 : 0);
    }
    // Out-of-range dates written by a guest are folded into range, never trusted.
    t.day = std::clamp(decode(ram_[0x07]), 1u, 31u);
    t.month = std::clamp(decode(ram_[0x08]), 1u, 12u);
    t.year = static_cast<i64>(decode(ram_[0x32]) % 100) * 100 + decode(ram_[0x09]) % 100;
    return unix_from_civil(t);
}

u64 CmosRtc::periodic_period_ticks() const {
    if ((ram_[kRegA] & 0x70) != kDividerNormal) return 0;
    unsigned rate = ram_[kRegA] & 0x0F;
    if (rate == 0) return 0;
    if (rate <= 2) rate += 7;  // rates 1 and 2 repeat 8 and 9 (256 Hz, 128 Hz)
    return u64{1} << (rate - 1);
}

bool CmosRtc::alarm_matches(i64 seconds) const {
    // Compare in register encoding (as the chip does); 0xC0-0xFF means "any".
    CivilTime t = civil_from_unix(seconds);
    auto match = [&](u8 alarm, u8 value) { return (alarm & 0xC0) == 0xC0 || alarm == value; };
    u8 hour;
    if (ram_[kRegB] & kB24h) {
        hour = encode(t.hour);
    } else {
        unsigned h12 = t.hour % 12 == 0 ? 12 : t.hour % 12;
        hour = static_cast<u8>(encode(h12) | (t.hour >= 12 ? 0x80 : 0));
    }
    return match(ram_[0x01], encode(t.second)) && match(ram_[0x03], encode(t.minute)) && match(ram_[0x05], hour);
}

void CmosRtc::accumulate_flags(u64 now) {
    if (now <= flags_at_) return;
    u8 flags = 0;
    if (u64 period = periodic_period_ticks()) {
        u64 from = clock_.ticks_at(flags_at_ > divider_epoch_ ? flags_at_ - divider_epoch_ : 0, kRtcFrequency);
        u64 to = clock_.ticks_at(now > divider_epoch_ ? now - divider_epoch_ : 0, kRtcFrequency);
        if (to / period > from / period) flags |= kCPf;
    }
    if (running()) {
        i64 s_from = seconds_at(flags_at_);
        i64 s_to = seconds_at(now);
        if (s_to > s_from) {
            flags |= kCUf;
            // One day of consecutive seconds covers every hh:mm:ss an alarm can name.
            i64 n = std::min<i64>(s_to - s_from, 86400);
            for (i64 s = s_to - n + 1; s <= s_to; ++s) {
                if (alarm_matches(s)) {
                    flags |= kCAf;
                    break;
                }
            }
        }
    }
    ram_[kRegC] |= flags;
    flags_at_ = now;
}

void CmosRtc::update_irq_line() {
    u8 c = ram_[kRegC];
    u8 b = ram_[kRegB];
    bool level = ((c & kCPf) && (b & kBPie)) || ((c & kCAf) && (b & kBAie)) || ((c & kCUf) && (b & kBUie));
    if (level) {
        ram_[kRegC] |= kCIrqf;
    } else {
        ram_[kRegC] &= static_cast<u8>(~kCIrqf);
    }
    if (level != irq_level_) {
        irq_level_ = level;
        if (level) {
            if ((c & kCPf) && (b & kBPie)) ++stats_.periodic_irqs;
            if ((c & kCUf) && (b & kBUie)) ++stats_.update_irqs;
            if ((c & kCAf) && (b & kBAie)) ++stats_.alarm_irqs;
        }
        irq_.set(level);
    }
}

void CmosRtc::reschedule() {
    // While IRQ 8 is asserted nothing more can happen until the guest reads C.
    u8 b = ram_[kRegB];
    u64 next = EventQueue::kNever;
    if (!irq_level_) {
        const u64 now = clock_.now();
        if ((b & kBPie)) {
            if (u64 period = periodic_period_ticks()) {
                u64 t = clock_.ticks_at(now > divider_epoch_ ? now - divider_epoch_ : 0, kRtcFrequency);
                u64 tick = (t / period + 1) * period;
                next = std::min(next, divider_epoch_ + clock_.cycle_of_tick(tick, kRtcFrequency));
            }
        }
        if ((b & (kBUie | kBAie)) && running()) {
            i64 boundary = second_boundary_at_or_before(now) + static_cast<i64>(clock_.cpu_hz());
            next = std::min(next, static_cast<u64>(std::max<i64>(boundary, static_cast<i64>(now) + 1)));
        }
    }
    if (next == EventQueue::kNever) {
        events_.cancel(timer_);
    } else {
        events_.schedule(timer_, next);
    }
}

void CmosRtc::on_timer(u64 now) {
    accumulate_flags(now);
    update_irq_line();
    reschedule();
}

u8 CmosRtc::read_register(unsigned index) {
    const u64 now = clock_.now();
    switch (index) {
        case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08: case 0x09: case 0x32:
            if (running()) load_time_registers(seconds_at(now));
            return ram_[index];
        case kRegA: {
            u8 v = ram_[kRegA] & 0x7F;
            if (running()) {
                // Update in progress: the 244 us before each second boundary.
                i64 next = second_boundary_at_or_before(now) + static_cast<i64>(clock_.cpu_hz());
                if (static_cast<i64>(now) + static_cast<i64>(clock_.cycles_from_ns(244'000)) >= next) v |= 0x80;
            }
            return v;
        }
        case kRegC: {
            accumulate_flags(now);
            update_irq_line();
            u8 v = ram_[kRegC];
            ram_[kRegC] = 0;
            update_irq_line();
            reschedule();
            return v;
        }
        case kRegD: return 0x80;
        default: return ram_[index];
    }
}

void CmosRtc::write_register(unsigned index, u8 value) {
    const u64 now = clock_.now();
    accumulate_flags(now);
    const bool was_running = running();
    switch (index) {
        case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08: case 0x09: case 0x32:
            if (was_running) {
                load_time_registers(seconds_at(now));
                ram_[index] = value;
                // Keep the phase of the second: the next update comes on schedule.
                base_seconds_ = time_from_registers();
                base_cycle_ = second_boundary_at_or_before(now);
            } else {
                ram_[index] = value;
            }
            break;
        case kRegA: {
            u8 old_divider = ram_[kRegA] & 0x70;
            if (was_running) load_time_registers(seconds_at(now));
            ram_[kRegA] = value & 0x7F;
            if ((value & 0x70) == kDividerNormal && old_divider != kDividerNormal) {
                // Divider chain restarts: the first update comes 500 ms later.
                divider_epoch_ = now;
                if (running()) {
                    base_seconds_ = time_from_registers();
                    base_cycle_ = static_cast<i64>(now) - static_cast<i64>(clock_.cpu_hz() / 2);
                }
            }
            break;
        }
        case kRegB: {
            if (was_running) load_time_registers(seconds_at(now));
            u8 v = value;
            if (v & kBSet) v &= static_cast<u8>(~kBUie);  // SET clears UIE (datasheet)
            ram_[kRegB] = v;
            if (!was_running && running()) {
                base_seconds_ = time_from_registers();
                base_cycle_ = static_cast<i64>(now);
            }
            break;
        }
        case kRegC:
        case kRegD: break;  // read-only
        default: ram_[index] = value; break;
    }
    update_irq_line();
    reschedule();
}

u32 CmosRtc::io_read(u16 port, unsigned) {
    if ((port & 1) == 0) return 0xFF;  // the index register is write-only
    return read_register(index_);
}

void CmosRtc::io_write(u16 port, u32 value, unsigned) {
    if ((port & 1) == 0) {
        index_ = value & 0x7F;
        nmi_masked_ = value & 0x80;
    } else {
        write_register(index_, static_cast<u8>(value));
    }
}

}  // namespace hm
