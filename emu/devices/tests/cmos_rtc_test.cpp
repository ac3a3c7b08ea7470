#include <catch2/catch.hpp>

#include "device_fixture.hpp"
#include "devices/cmos_rtc.hpp"

using namespace hm;
using hm::test::DeviceFixture;

namespace {
struct RtcFixture : DeviceFixture {
    CmosRtc rtc{clock, events, irqs.line(8), kDefaultRtcEpoch};
    RtcFixture() { bus.attach_io(0x70, 2, rtc, "cmos"); }
    u8 reg(u8 index) {
        out8(0x70, index);
        return in8(0x71);
    }
    void set(u8 index, u8 value) {
        out8(0x70, index);
        out8(0x71, value);
    }
    void advance_s(double seconds) { advance(static_cast<u64>(seconds * kHz)); }
};
}  // namespace

TEST_CASE("The clock starts at the fixed epoch, in BCD and 24-hour form", "[rtc]") {
    RtcFixture f;
    CHECK(f.reg(0x00) == 0x00);
    CHECK(f.reg(0x02) == 0x00);
    CHECK(f.reg(0x04) == 0x00);
    CHECK(f.reg(0x06) == 0x02);  // Monday
    CHECK(f.reg(0x07) == 0x01);
    CHECK(f.reg(0x08) == 0x01);
    CHECK(f.reg(0x09) == 0x24);
    CHECK(f.reg(0x32) == 0x20);
    CHECK(f.reg(0x0D) == 0x80);
}

TEST_CASE("Time advances with virtual time only", "[rtc]") {
    RtcFixture f;
    f.advance_s(61.5);
    CHECK(f.reg(0x00) == 0x01);
    CHECK(f.reg(0x02) == 0x01);
    f.advance_s(3600.0 * 13);
    CHECK(f.reg(0x04) == 0x13);
    CHECK(f.rtc.current_seconds() == kDefaultRtcEpoch + 13 * 3600 + 61);
}

TEST_CASE("Binary and 12-hour formats", "[rtc]") {
    RtcFixture f;
    f.advance_s(13 * 3600 + 5);
    f.set(0x0B, 0x04);  // binary, 12-hour
    CHECK(f.reg(0x04) == (0x80 | 1));  // 1 PM
    CHECK(f.reg(0x00) == 5);
    f.set(0x0B, 0x06);  // binary, 24-hour
    CHECK(f.reg(0x04) == 13);
}

TEST_CASE("SET freezes the clock for writing and clearing it runs from the new time", "[rtc]") {
    RtcFixture f;
    f.set(0x0B, 0x82);  // SET, BCD, 24h
    f.set(0x04, 0x23);
    f.set(0x02, 0x59);
    f.set(0x00, 0x58);
    f.set(0x07, 0x31);
    f.set(0x08, 0x12);
    f.set(0x09, 0x99);
    f.set(0x32, 0x19);
    f.advance_s(5);
    CHECK(f.reg(0x00) == 0x58);  // frozen
    f.set(0x0B, 0x02);
    f.advance_s(2.5);
    CHECK(f.reg(0x00) == 0x00);
    CHECK(f.reg(0x02) == 0x00);
    CHECK(f.reg(0x04) == 0x00);
    CHECK(f.reg(0x07) == 0x01);
    CHECK(f.reg(0x08) == 0x01);
    CHECK(f.reg(0x09) == 0x00);
    CHECK(f.reg(0x32) == 0x20);  // 1999-12-31 23:59:58 + 2 s = 2000-01-01 00:00:00
}

TEST_CASE("UIP is set in the 244 us before each update", "[rtc]") {
    RtcFixture f;
    f.advance_s(0.5);
    CHECK((f.reg(0x0A) & 0x80) == 0);
    f.advance_to(DeviceFixture::kHz - f.clock.cycles_from_ns(100'000));
    CHECK((f.reg(0x0A) & 0x80) == 0x80);
    f.advance_to(DeviceFixture::kHz + 10);
    CHECK((f.reg(0x0A) & 0x80) == 0);
}

TEST_CASE("Periodic interrupt: IRQ 8 asserted until register C is read", "[rtc]") {
    RtcFixture f;
    f.set(0x0A, 0x26);  // 1024 Hz
    f.set(0x0B, 0x42);  // PIE
    f.advance_ns(970'000);
    CHECK_FALSE(f.irqs.level[8]);
    f.advance_ns(10'000);  // 976.56 us
    CHECK(f.irqs.level[8]);
    f.advance_ns(5'000'000);
    CHECK(f.irqs.rising[8] == 1);  // stays asserted, no new edges, until C is read
    u8 c = f.reg(0x0C);
    CHECK((c & 0xC0) == 0xC0);  // IRQF + PF
    CHECK_FALSE(f.irqs.level[8]);
    CHECK(f.reg(0x0C) == 0);
    f.advance_ns(1'000'000);
    CHECK(f.irqs.rising[8] == 2);
    CHECK(f.rtc.stats().periodic_irqs == 2);
}

TEST_CASE("Update-ended and alarm interrupts", "[rtc]") {
    RtcFixture f;
    f.set(0x01, 0x05);  // alarm at hh:mm:05
    f.set(0x03, 0xC0);  // any minute
    f.set(0x05, 0xFF);  // any hour
    f.set(0x0B, 0x22);  // AIE only
    f.advance_s(4.9);
    CHECK_FALSE(f.irqs.level[8]);
    f.advance_s(0.2);
    CHECK(f.irqs.level[8]);
    CHECK((f.reg(0x0C) & 0xA0) == 0xA0);
    f.set(0x0B, 0x12);  // UIE only
    f.advance_s(1.0);
    CHECK(f.irqs.level[8]);
    CHECK((f.reg(0x0C) & 0x90) == 0x90);
}

TEST_CASE("Flags accumulate lazily with no timer armed", "[rtc]") {
    RtcFixture f;
    CHECK(f.events.next_deadline() == EventQueue::kNever);
    f.reg(0x0C);
    f.advance_s(2.0);
    CHECK(f.events.next_deadline() == EventQueue::kNever);  // idle RTC never wakes a halted CPU
    u8 c = f.reg(0x0C);
    CHECK((c & 0x50) == 0x50);  // PF and UF, but no IRQF with interrupts disabled
    CHECK((c & 0x80) == 0);
    CHECK_FALSE(f.irqs.level[8]);
}

TEST_CASE("CMOS memory-size registers as firmware leaves them", "[rtc]") {
    RtcFixture f;
    f.rtc.set_memory_size(64 * kMiB, kGiB);
    CHECK((f.reg(0x15) | f.reg(0x16) << 8) == 640);
    CHECK((f.reg(0x17) | f.reg(0x18) << 8) == 63 * 1024);
    CHECK((f.reg(0x30) | f.reg(0x31) << 8) == 63 * 1024);
    CHECK((f.reg(0x34) | f.reg(0x35) << 8) == 768);
    CHECK((f.reg(0x5B) | f.reg(0x5C) << 8 | f.reg(0x5D) << 16) == 16384);
    f.rtc.set_memory_size(3 * kGiB, 0);
    CHECK((f.reg(0x17) | f.reg(0x18) << 8) == 0xFFFF);  // saturates
}

TEST_CASE("Index bit 7 masks NMI and plain CMOS bytes are read/write", "[rtc]") {
    RtcFixture f;
    f.out8(0x70, 0x80 | 0x40);
    CHECK(f.rtc.nmi_masked());
    f.out8(0x71, 0x5A);
    CHECK(f.reg(0x40) == 0x5A);
    CHECK_FALSE(f.rtc.nmi_masked());
    f.set(0x0C, 0xFF);  // C and D are read-only
    f.set(0x0D, 0x00);
    CHECK(f.reg(0x0D) == 0x80);
}

TEST_CASE("Garbage in the time registers never breaks the clock", "[rtc]") {
    RtcFixture f;
    for (unsigned v = 0; v < 256; v += 7) {
        for (u8 r : {u8{0x00}, u8{0x02}, u8{0x04}, u8{0x07}, u8{0x08}, u8{0x09}, u8{0x32}, u8{0x0A}, u8{0x0B}}) {
            f.set(r, static_cast<u8>(v));
            f.advance(12'345'678);
            for (u8 i = 0; i < 14; ++i) f.reg(i);
        }
    }
    f.set(0x0A, 0x26);
    f.set(0x0B, 0x02);
    f.advance_s(1);
    CHECK(f.reg(0x0D) == 0x80);
}
