#include "devices/acpi_pm.hpp"

namespace hm {

namespace {
constexpr u16 kSciEn = 1u << 0, kSlpEn = 1u << 13, kSlpTypMask = 7u << 10;
}

u8 AcpiPm::read_byte(unsigned off) {
    switch (off) {
        case 0: return static_cast<u8>(status_);
        case 1: return static_cast<u8>(status_ >> 8);
        case 2: return static_cast<u8>(enable_);
        case 3: return static_cast<u8>(enable_ >> 8);
        case 4: return static_cast<u8>(control_ | kSciEn);
        case 5: return static_cast<u8>(control_ >> 8);
        case 8: case 9: case 10: {
            const u64 ticks = clock_.ticks_now(kPmTimerFrequency) & 0xFFFFFF;
            return static_cast<u8>(ticks >> (8 * (off - 8)));
        }
        default: return 0;  // bits 31-24 of PM_TMR (24-bit timer) and the gap at 0x606
    }
}

u32 AcpiPm::io_read(u16 port, unsigned size) {
    const unsigned off = port - kBase;
    if (off <= 10 && off + size > 8) ++stats_.timer_reads;
    u32 v = 0;
    for (unsigned i = 0; i < size && off + i < kPorts; ++i) v |= static_cast<u32>(read_byte(off + i)) << (8 * i);
    return v;
}

void AcpiPm::io_write(u16 port, u32 value, unsigned size) {
    const unsigned off = port - kBase;
    bool control_written = false;
    for (unsigned i = 0; i < size && off + i < kPorts; ++i) {
        const u8 b = static_cast<u8>(value >> (8 * i));
        switch (off + i) {
            case 0: status_ &= static_cast<u16>(~b); break;
            case 1: status_ &= static_cast<u16>(~(b << 8)); break;
            case 2: enable_ = static_cast<u16>((enable_ & 0xFF00) | b); break;
            case 3: enable_ = static_cast<u16>((enable_ & 0x00FF) | b << 8); break;
            case 4: control_ = static_cast<u16>((control_ & 0xFF00) | b); control_written = true; break;
            case 5: control_ = static_cast<u16>((control_ & 0x00FF) | b << 8); control_written = true; break;
            default: break;  // PM_TMR is read-only
        }
    }
    if (!control_written || !(control_ & kSlpEn)) return;
    control_ = static_cast<u16>(control_ & ~(kSlpEn | kSciEn));  // SLP_EN is write-only
    if (((control_ & kSlpTypMask) >> 10) == kSlpTypS5) {
        ++stats_.power_offs;
        if (on_power_off) on_power_off();
    } else {
        ++stats_.other_sleeps;
    }
}

}  // namespace hm
