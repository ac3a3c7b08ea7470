#include <catch2/catch.hpp>

#include "device_fixture.hpp"
#include "devices/kbc8042.hpp"
#include "devices/port92.hpp"

using namespace hm;
using hm::test::DeviceFixture;

namespace {
struct KbcFixture : DeviceFixture {
    Kbc8042 kbc{irqs.line(1)};
    Port92 port92;
    std::vector<bool> a20_changes;
    unsigned resets = 0;
    KbcFixture() {
        bus.attach_io(0x60, 1, kbc, "kbc-data");
        bus.attach_io(0x64, 1, kbc, "kbc-cmd");
        bus.attach_io(0x92, 1, port92, "port92");
        kbc.on_a20 = [this](bool on) { a20_changes.push_back(on); };
        kbc.on_reset = [this] { ++resets; };
        port92.on_a20 = [this](bool on) { a20_changes.push_back(on); };
        port92.on_reset = [this] { ++resets; };
    }
    u8 read_data() {
        REQUIRE((in8(0x64) & 0x01) == 0x01);
        return in8(0x60);
    }
};
}  // namespace

TEST_CASE("Controller self test and configuration byte", "[kbc]") {
    KbcFixture f;
    CHECK((f.in8(0x64) & 0x01) == 0);
    f.out8(0x64, 0xAA);
    CHECK(f.read_data() == 0x55);
    CHECK((f.in8(0x64) & 0x04) == 0x04);  // system flag
    f.out8(0x64, 0x20);
    u8 config = f.read_data();
    CHECK(config == 0x45);
    f.out8(0x64, 0x60);
    f.out8(0x60, 0x44);  // keyboard interrupt off
    f.out8(0x64, 0x20);
    CHECK(f.read_data() == 0x44);
    f.out8(0x64, 0xAB);
    CHECK(f.read_data() == 0x00);
}

TEST_CASE("Keyboard commands answer with ACK and their data, one byte at a time on IRQ 1", "[kbc]") {
    KbcFixture f;
    f.out8(0x60, 0xFF);  // reset
    CHECK(f.irqs.level[1]);
    CHECK(f.read_data() == 0xFA);
    CHECK(f.irqs.rising[1] == 2);  // the next byte is a new output-buffer fill
    CHECK(f.read_data() == 0xAA);
    CHECK_FALSE(f.irqs.level[1]);
    f.out8(0x60, 0xF2);
    CHECK(f.read_data() == 0xFA);
    CHECK(f.read_data() == 0xAB);
    CHECK(f.read_data() == 0x83);
    f.out8(0x60, 0xED);
    CHECK(f.read_data() == 0xFA);
    f.out8(0x60, 0x07);  // LED argument
    CHECK(f.read_data() == 0xFA);
    f.out8(0x60, 0x12);  // not a command
    CHECK(f.read_data() == 0xFE);
    f.kbc.push_scancode(0x1C);
    CHECK(f.read_data() == 0x1C);
    f.out8(0x60, 0xF5);  // disable scanning
    CHECK(f.read_data() == 0xFA);
    f.kbc.push_scancode(0x1C);
    CHECK((f.in8(0x64) & 0x01) == 0);
}

TEST_CASE("A20 through the output port, the 0xDD/0xDF commands and port 0x92", "[kbc]") {
    KbcFixture f;
    CHECK(f.kbc.a20());
    f.out8(0x64, 0xD0);
    CHECK((f.read_data() & 0x02) == 0x02);
    f.out8(0x64, 0xD1);
    f.out8(0x60, 0xDD);  // A20 off, reset line inactive
    CHECK_FALSE(f.kbc.a20());
    f.out8(0x64, 0xDF);
    CHECK(f.kbc.a20());
    CHECK(f.a20_changes == std::vector<bool>{false, true});
    f.out8(0x92, 0x02);
    CHECK(f.port92.a20());
    CHECK(f.in8(0x92) == 0x02);
    CHECK(f.a20_changes.back());
    CHECK(f.resets == 0);
}

TEST_CASE("Reset requests: 0xFE pulse, output port bit 0, port 0x92 bit 0", "[kbc]") {
    KbcFixture f;
    f.out8(0x64, 0xFE);
    CHECK(f.resets == 1);
    f.out8(0x64, 0xFF);  // pulses nothing
    CHECK(f.resets == 1);
    f.out8(0x64, 0xD1);
    f.out8(0x60, 0xDE);
    CHECK(f.resets == 2);
    f.out8(0x92, 0x01);
    CHECK(f.resets == 3);
    CHECK((f.in8(0x92) & 0x01) == 0);
}
