#include <catch2/catch.hpp>

#include "time/virtual_clock.hpp"

using namespace hm;

TEST_CASE("PIT ticks derive exactly from cycles and the CPU frequency", "[time]") {
    u64 cycles = 0;
    VirtualClock clock(cycles, 100'000'000);
    // One second of CPU time holds floor(1193181.81...) whole PIT ticks.
    CHECK(clock.ticks_at(100'000'000, kPitFrequency) == 1'193'181);
    // Ten seconds: 11931818.18 -> 11931818, no drift from accumulated rounding.
    CHECK(clock.ticks_at(1'000'000'000, kPitFrequency) == 11'931'818);
    cycles = 84;  // one PIT tick lasts 83.8 cycles at 100 MHz
    CHECK(clock.ticks_now(kPitFrequency) == 1);
    cycles = 83;
    CHECK(clock.ticks_now(kPitFrequency) == 0);
}

TEST_CASE("cycle_of_tick is the first cycle at which a tick has happened", "[time]") {
    u64 cycles = 0;
    for (u64 hz : {u64{1'000'000}, u64{33'000'000}, u64{100'000'000}, u64{3'000'000'000}}) {
        VirtualClock clock(cycles, hz);
        for (u64 t : {u64{1}, u64{2}, u64{1000}, u64{65536}, u64{123'456'789}}) {
            for (Frequency f : {kPitFrequency, kRtcFrequency, Frequency{115200 / 16, 1}}) {
                u64 c = clock.cycle_of_tick(t, f);
                CHECK(clock.ticks_at(c, f) >= t);
                CHECK(clock.ticks_at(c - 1, f) < t);
            }
        }
    }
}

TEST_CASE("Nanoseconds convert both ways", "[time]") {
    u64 cycles = 250;
    VirtualClock clock(cycles, 50'000'000);
    CHECK(clock.ns_at(cycles) == 5000);
    CHECK(clock.cycles_from_ns(5000) == 250);
    CHECK(clock.cycles_from_ns(1) == 1);  // rounds up: an event is never early
    CHECK_THROWS(VirtualClock(cycles, 0));
}
