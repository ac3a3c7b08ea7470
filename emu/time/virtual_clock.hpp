// Virtual time. The only clock any device sees is the CPU's cycle counter; the
// configured CPU frequency turns cycles into seconds, and every device clock (the
// PIT's 1.193182 MHz, the RTC's 32.768 kHz, a UART's baud rate) is derived from
// it with exact integer arithmetic from cycle 0. No host time enters here, so the
// same program and flags give the same device behaviour on every run and host.
#pragma once
#include "core/types.hpp"

namespace hm {

// A frequency as an exact ratio num/den Hz (the PIT runs at 105/88 MHz).
struct Frequency {
    u64 num;
    u64 den = 1;
};

constexpr Frequency kPitFrequency{13'125'000, 11};  // 1.193181818... MHz
constexpr Frequency kRtcFrequency{32'768, 1};
constexpr u64 kDefaultCpuHz = 100'000'000;            // --cpu-mhz 100

// floor(a * b / c) without overflow for any 64-bit a, b and nonzero c that fits.
HM_ALWAYS_INLINE u64 mul_div_floor(u64 a, u64 b, u64 c) {
    return static_cast<u64>(static_cast<unsigned __int128>(a) * b / c);
}
HM_ALWAYS_INLINE u64 mul_div_ceil(u64 a, u64 b, u64 c) {
    unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
    return static_cast<u64>((p + c - 1) / c);
}

class VirtualClock {
public:
    static constexpr u64 kNever = ~u64{0};

    // cycles: the CPU's counter (CpuState::cycles), read on every query.
    VirtualClock(const u64& cycles, u64 cpu_hz);
    // With several CPUs the machine points the clock at the counter of the CPU
    // that is running (a device it touches sees that CPU's time), and between
    // quanta at the machine's own counter (docs/devices.md, "SMP").
    void bind(const u64& cycles) { cycles_ = &cycles; }

    u64 now() const { return *cycles_; }
    u64 cpu_hz() const { return hz_; }

    // Whole ticks of a clock at f that have elapsed by cycle c (tick 0 at cycle 0).
    u64 ticks_at(u64 c, Frequency f) const;
    u64 ticks_now(Frequency f) const { return ticks_at(*cycles_, f); }
    // The first cycle at which tick t of a clock at f has happened.
    u64 cycle_of_tick(u64 t, Frequency f) const;

    u64 ns_at(u64 c) const { return mul_div_floor(c, 1'000'000'000, hz_); }
    u64 cycles_from_ns(u64 ns) const { return mul_div_ceil(ns, hz_, 1'000'000'000); }

private:
    const u64* cycles_;
    u64 hz_;
};

}  // namespace hm
