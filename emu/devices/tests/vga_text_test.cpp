#include <catch2/catch.hpp>

#include "device_fixture.hpp"
#include "devices/vga_text.hpp"

using namespace hm;
using hm::test::DeviceFixture;

TEST_CASE("Text memory at 0xB8000 is what the screen shows", "[vga]") {
    DeviceFixture f;
    VgaText vga(f.clock);
    vga.attach(f.bus);
    CHECK(vga.text_lines()[0].empty());
    const char* msg = "Hi!";
    for (unsigned i = 0; msg[i]; ++i) f.bus.write(PhysAddr{0xB8000 + 2 * (80 * 2 + 5 + i)}, u64{0x1F00u | u8(msg[i])}, 2);
    auto lines = vga.text_lines();
    CHECK(lines[2] == "     Hi!");
    CHECK(vga.attribute(2, 5) == 0x1F);
    // Direct host access: the page is RAM-like for the TLB.
    CHECK(f.bus.page_host(PhysAddr{0xB8000}).write != nullptr);
    // Start address scrolls the view by whole cells.
    f.out8(0x3D4, 0x0D);
    f.out8(0x3D5, 80);
    CHECK(vga.text_lines()[1] == "     Hi!");
}

TEST_CASE("CRTC cursor registers and the misc output register", "[vga]") {
    DeviceFixture f;
    VgaText vga(f.clock);
    vga.attach(f.bus);
    f.out8(0x3D4, 0x0E);
    f.out8(0x3D5, 0x01);
    f.bus.io_write(0x3D4, 0x400F, 2);  // index and data in one 16-bit OUT
    CHECK(vga.cursor_offset() == 0x140);
    f.out8(0x3D4, 0x0F);
    CHECK(f.in8(0x3D5) == 0x40);
    CHECK(f.in8(0x3CC) == 0x67);
    f.out8(0x3D4, 0x0A);
    f.out8(0x3D5, 0x20);
    CHECK_FALSE(vga.cursor_visible());
}

TEST_CASE("Retrace bits follow virtual time, so polling loops end", "[vga]") {
    DeviceFixture f;
    VgaText vga(f.clock);
    vga.attach(f.bus);
    bool saw_retrace = false, saw_display = false;
    unsigned transitions = 0;
    u8 last = f.in8(0x3DA);
    for (int i = 0; i < 20000; ++i) {  // one 70 Hz frame in steps of 1/20000
        f.advance(DeviceFixture::kHz / 70 / 20000);
        u8 s = f.in8(0x3DA);
        saw_retrace |= (s & 0x08) != 0;
        saw_display |= (s & 0x01) == 0;
        transitions += (s ^ last) & 0x08 ? 1 : 0;
        last = s;
    }
    CHECK(saw_retrace);
    CHECK(saw_display);
    CHECK(transitions == 2);  // one retrace per frame: in, out
}
