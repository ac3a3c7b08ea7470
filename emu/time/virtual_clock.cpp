#include "time/virtual_clock.hpp"

#include <stdexcept>

namespace hm {

VirtualClock::VirtualClock(const u64& cycles, u64 cpu_hz) : cycles_(&cycles), hz_(cpu_hz) {
    if (cpu_hz == 0) throw std::invalid_argument("CPU frequency must be positive");
}

u64 VirtualClock::ticks_at(u64 c, Frequency f) const {
    // ticks = c * (num/den) / hz
    unsigned __int128 n = static_cast<unsigned __int128>(c) * f.num;
    unsigned __int128 d = static_cast<unsigned __int128>(f.den) * hz_;
    return static_cast<u64>(n / d);
}

u64 VirtualClock::cycle_of_tick(u64 t, Frequency f) const {
    // smallest c with c * num >= t * den * hz
    unsigned __int128 n = static_cast<unsigned __int128>(t) * f.den * hz_;
    unsigned __int128 c = (n + f.num - 1) / f.num;
    if (c > kNever - 1) return kNever - 1;
    return static_cast<u64>(c);
}

}  // namespace hm
