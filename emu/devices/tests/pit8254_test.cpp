#include <catch2/catch.hpp>

#include "device_fixture.hpp"
#include "devices/pit8254.hpp"
#include "devices/port61.hpp"

using namespace hm;
using hm::test::DeviceFixture;

namespace {
struct PitFixture : DeviceFixture {
    Pit8254 pit{clock, events, irqs.line(0)};
    Port61 port61{clock, pit};
    PitFixture() {
        bus.attach_io(0x40, 4, pit, "pit");
        bus.attach_io(0x61, 1, port61, "port61");
    }
    // Cycle at which PIT tick t happens.
    u64 at_tick(u64 t) const { return clock.cycle_of_tick(t, kPitFrequency); }
    u64 tick_now() const { return clock.ticks_now(kPitFrequency); }
    void program(unsigned ch, unsigned mode, u16 count) {
        out8(0x43, static_cast<u8>(ch << 6 | 0x30 | mode << 1));
        out8(static_cast<u16>(0x40 + ch), static_cast<u8>(count));
        out8(static_cast<u16>(0x40 + ch), static_cast<u8>(count >> 8));
    }
    u16 latch_read(unsigned ch) {
        out8(0x43, static_cast<u8>(ch << 6));
        u16 lo = in8(static_cast<u16>(0x40 + ch));
        u16 hi = in8(static_cast<u16>(0x40 + ch));
        return static_cast<u16>(lo | hi << 8);
    }
};
}  // namespace

TEST_CASE("Mode 2 on channel 0 raises IRQ 0 once per period, on exact cycles", "[pit]") {
    PitFixture f;
    f.advance(12345);  // start at an arbitrary instant
    const u64 t0 = f.tick_now();
    f.program(0, 2, 1193);  // ~1 kHz
    // Counting starts on the tick after the write; the first edge is N ticks later.
    const u64 first = f.at_tick(t0 + 1 + 1193);
    f.advance_to(first - 1);
    CHECK(f.irqs.rising[0] == 0);
    f.advance_to(first);
    CHECK(f.irqs.rising[0] == 1);
    // One virtual second later: exactly the number of whole periods that fit.
    f.advance_to(first + DeviceFixture::kHz);
    u64 periods = (f.tick_now() - (t0 + 1)) / 1193;
    CHECK(f.irqs.rising[0] == periods);
    CHECK(periods >= 1000);
    CHECK(f.pit.stats().irq0_edges == periods);
}

TEST_CASE("Mode 2 counter reads count down from N and reload", "[pit]") {
    PitFixture f;
    const u64 t0 = f.tick_now();
    f.program(0, 2, 100);
    f.advance_to(f.at_tick(t0 + 1 + 30));
    CHECK(f.latch_read(0) == 70);
    f.advance_to(f.at_tick(t0 + 1 + 99));
    CHECK(f.latch_read(0) == 1);
    CHECK_FALSE(f.pit.out(0));  // OUT is low for the one tick when the count is 1
    f.advance_to(f.at_tick(t0 + 1 + 100));
    CHECK(f.latch_read(0) == 100);
    CHECK(f.pit.out(0));
}

TEST_CASE("Mode 3 is a square wave: OUT high for the first half, counting by two", "[pit]") {
    PitFixture f;
    const u64 t0 = f.tick_now();
    f.program(0, 3, 10);
    f.advance_to(f.at_tick(t0 + 1 + 2));
    CHECK(f.pit.out(0));
    CHECK(f.latch_read(0) == 6);
    f.advance_to(f.at_tick(t0 + 1 + 5));
    CHECK_FALSE(f.pit.out(0));
    CHECK(f.latch_read(0) == 10);  // second half-period starts from N again
    f.advance_to(f.at_tick(t0 + 1 + 10));
    CHECK(f.pit.out(0));
    CHECK(f.irqs.rising[0] == 1);
}

TEST_CASE("Mode 0 drives OUT low, then high once at terminal count and the count wraps", "[pit]") {
    PitFixture f;
    const u64 t0 = f.tick_now();
    f.program(0, 0, 50);
    CHECK_FALSE(f.pit.out(0));
    f.advance_to(f.at_tick(t0 + 1 + 49));
    CHECK_FALSE(f.pit.out(0));
    CHECK(f.irqs.rising[0] == 0);
    f.advance_to(f.at_tick(t0 + 1 + 50));
    CHECK(f.pit.out(0));
    CHECK(f.irqs.rising[0] == 1);
    f.advance_to(f.at_tick(t0 + 1 + 52));
    CHECK(f.latch_read(0) == 0xFFFE);
    f.advance(DeviceFixture::kHz);  // no further edges: mode 0 is one-shot
    CHECK(f.irqs.rising[0] == 1);
    CHECK_FALSE(f.events.armed(0));
}

TEST_CASE("A latched count holds still while time passes and LSB/MSB order", "[pit]") {
    PitFixture f;
    const u64 t0 = f.tick_now();
    f.program(0, 2, 0x1234);
    f.advance_to(f.at_tick(t0 + 1 + 0x10));
    f.out8(0x43, 0x00);  // latch channel 0
    f.advance(10'000);
    f.out8(0x43, 0x00);  // a second latch before reading is ignored
    CHECK(f.in8(0x40) == 0x24);
    f.advance(10'000);
    CHECK(f.in8(0x40) == 0x12);
    // LSB-only access mode
    f.out8(0x43, 0x14);  // channel 0, LSB only, mode 2
    f.out8(0x40, 0x80);
    CHECK(f.pit.count(0) == 0x80);
}

TEST_CASE("Read-back returns status (OUT, null count, mode) and latches counts", "[pit]") {
    PitFixture f;
    f.out8(0x43, 0xB6);  // channel 2, LSB/MSB, mode 3, binary
    u8 cmd = 0xE0 | 0x08;  // read-back: status only (COUNT bit = 1), channel 2
    f.out8(0x43, cmd);
    u8 status = f.in8(0x42);
    CHECK((status & 0x3F) == 0x36);
    CHECK((status & 0x40) != 0);  // null count: no count written yet
    f.out8(0x42, 0x00);
    f.out8(0x42, 0x10);
    f.advance(1000);
    f.out8(0x43, 0xC0 | 0x08);  // status and count
    status = f.in8(0x42);
    CHECK((status & 0x40) == 0);  // the count has been loaded
    u16 count = f.in8(0x42);
    count |= static_cast<u16>(f.in8(0x42) << 8);
    CHECK(count <= 0x1000);
    CHECK(count % 2 == 0);
}

TEST_CASE("BCD counting reads and wraps in decimal", "[pit]") {
    PitFixture f;
    const u64 t0 = f.tick_now();
    f.out8(0x43, 0x31);  // channel 0, LSB/MSB, mode 0, BCD
    f.out8(0x40, 0x00);
    f.out8(0x40, 0x01);  // 0100 BCD = 100
    f.advance_to(f.at_tick(t0 + 1 + 1));
    CHECK(f.latch_read(0) == 0x0099);
    f.advance_to(f.at_tick(t0 + 1 + 101));
    CHECK(f.latch_read(0) == 0x9999);
}

TEST_CASE("Channel 2's gate and OUT live in port 0x61", "[pit]") {
    PitFixture f;
    f.out8(0x61, 0x00);  // gate low
    f.out8(0x43, 0xB0);  // channel 2, mode 0
    f.out8(0x42, 0xFF);
    f.out8(0x42, 0x00);  // 255
    f.advance(1'000'000);  // 10 ms with the gate low: no counting
    CHECK(f.pit.count(2) == 255);
    CHECK((f.in8(0x61) & 0x20) == 0);
    const u64 t = f.tick_now();
    f.out8(0x61, 0x01);  // gate high: counts (a calibration loop polls bit 5)
    f.advance_to(f.at_tick(t + 1 + 254));
    CHECK((f.in8(0x61) & 0x20) == 0);
    f.advance_to(f.at_tick(t + 1 + 255));
    CHECK((f.in8(0x61) & 0x20) == 0x20);
    CHECK((f.in8(0x61) & 0x01) == 0x01);
}

TEST_CASE("Port 0x61 bit 4 toggles with DRAM refresh", "[pit]") {
    PitFixture f;
    u8 a = f.in8(0x61) & 0x10;
    f.advance_ns(15'100);
    u8 b = f.in8(0x61) & 0x10;
    CHECK(a != b);
}

TEST_CASE("Mode 1 is a one-shot started by the gate's rising edge", "[pit]") {
    PitFixture f;
    f.out8(0x61, 0x00);
    f.out8(0x43, 0xB2);  // channel 2, mode 1
    f.out8(0x42, 20);
    f.out8(0x42, 0);
    f.advance(100'000);
    CHECK(f.pit.out(2));  // not triggered yet
    const u64 t = f.tick_now();
    f.out8(0x61, 0x01);
    f.advance_to(f.at_tick(t + 2));
    CHECK_FALSE(f.pit.out(2));
    f.advance_to(f.at_tick(t + 1 + 20));
    CHECK(f.pit.out(2));
}

TEST_CASE("Reprogramming channel 0 to mode 0 stops the periodic IRQ", "[pit]") {
    PitFixture f;
    f.program(0, 2, 500);
    f.advance(DeviceFixture::kHz / 100);
    unsigned before = f.irqs.rising[0];
    CHECK(before > 0);
    f.out8(0x43, 0x30);  // mode 0, no count yet
    f.advance(DeviceFixture::kHz / 100);
    CHECK(f.irqs.rising[0] == before);
    CHECK(f.events.next_deadline() == EventQueue::kNever);
}
