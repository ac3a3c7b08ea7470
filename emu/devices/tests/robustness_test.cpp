// No value on any port, in any order, with time passing, can crash a device or
// the host: a deterministic random storm over every device's ports (run under
// ASan/UBSan in the sanitizer tree).
#include <catch2/catch.hpp>

#include <random>

#include "device_fixture.hpp"
#include "devices/cmos_rtc.hpp"
#include "devices/debug_console.hpp"
#include "devices/debug_exit.hpp"
#include "devices/kbc8042.hpp"
#include "devices/pci_host.hpp"
#include "devices/pic8259.hpp"
#include "devices/pit8254.hpp"
#include "devices/port61.hpp"
#include "devices/port92.hpp"
#include "devices/post_port.hpp"
#include "devices/uart16550.hpp"
#include "devices/vga_text.hpp"

using namespace hm;
using hm::test::DeviceFixture;

TEST_CASE("Random port traffic never crashes a device", "[devices][robustness]") {
    DeviceFixture f;
    PicPair pic;
    Pit8254 pit(f.clock, f.events, pic.line(0));
    Port61 p61(f.clock, pit);
    CaptureSink sink;
    Uart16550 uart(f.clock, f.events, pic.line(4), &sink);
    CmosRtc rtc(f.clock, f.events, pic.line(8), kDefaultRtcEpoch);
    Kbc8042 kbc(pic.line(1));
    Port92 p92;
    VgaText vga(f.clock);
    DebugConsole con(&sink);
    PostPort post(f.clock, &sink);
    DebugExit dx;
    PciHost pci;
    f.bus.attach_io(0x20, 2, pic, "pic1");
    f.bus.attach_io(0xA0, 2, pic, "pic2");
    f.bus.attach_io(0x4D0, 2, pic, "elcr");
    f.bus.attach_io(0x40, 4, pit, "pit");
    f.bus.attach_io(0x61, 1, p61, "p61");
    f.bus.attach_io(0x3F8, 8, uart, "uart");
    f.bus.attach_io(0x70, 2, rtc, "rtc");
    f.bus.attach_io(0x60, 1, kbc, "kbc");
    f.bus.attach_io(0x64, 1, kbc, "kbc");
    f.bus.attach_io(0x92, 1, p92, "p92");
    vga.attach(f.bus);
    f.bus.attach_io(0xE9, 1, con, "e9");
    f.bus.attach_io(0x80, 1, post, "post");
    f.bus.attach_io(0xF4, 4, dx, "exit");
    f.bus.attach_io(PciHost::kBase, PciHost::kPorts, pci, "pci");
    const u16 ports[] = {0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x3F8, 0x3F9,
                         0x3FA, 0x3FB, 0x3FC, 0x3FD, 0x3FE, 0x3FF, 0x70, 0x71, 0x60, 0x64, 0x92, 0x3D4,
                         0x3D5, 0x3DA, 0x3C2, 0x3CC, 0xE9, 0x80, 0xF4, 0xCF8, 0xCF9, 0xCFC, 0xCFD, 0xCFE, 0xCFF};
    std::mt19937 rng(12345);
    unsigned acks = 0;
    for (int i = 0; i < 200000; ++i) {
        u16 port = ports[rng() % std::size(ports)];
        unsigned size = 1u << (rng() % 3);
        if (rng() & 1) {
            f.bus.io_write(port, static_cast<u32>(rng()), size);
        } else {
            f.bus.io_read(port, size);
        }
        if (rng() % 16 == 0) f.advance(rng() % 100000);
        if (rng() % 64 == 0 && uart.can_receive()) uart.receive(static_cast<u8>(rng()));
        if (pic.intr() && rng() % 4 == 0) {
            u8 v = pic.acknowledge();
            (void)v;
            ++acks;
        }
    }
    CHECK(acks > 0);  // the storm really exercised the interrupt path
    CHECK(f.bus.stats().unassigned_io_reads == 0);
}
