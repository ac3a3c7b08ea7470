#include <catch2/catch.hpp>

#include "device_fixture.hpp"
#include "devices/uart16550.hpp"

using namespace hm;
using hm::test::DeviceFixture;

namespace {
constexpr u16 kCom1 = 0x3F8;
struct UartFixture : DeviceFixture {
    CaptureSink out;
    Uart16550 uart{clock, events, irqs.line(4), &out};
    UartFixture() { bus.attach_io(kCom1, 8, uart, "com1"); }
    u8 iir() { return in8(kCom1 + 2); }
    u8 lsr() { return in8(kCom1 + 5); }
    void set_divisor(u16 d) {
        u8 lcr = in8(kCom1 + 3);
        out8(kCom1 + 3, lcr | 0x80);
        out8(kCom1 + 0, static_cast<u8>(d));
        out8(kCom1 + 1, static_cast<u8>(d >> 8));
        out8(kCom1 + 3, lcr);
    }
};
}  // namespace

TEST_CASE("A polling guest's bytes reach the sink in order", "[uart]") {
    UartFixture f;
    f.out8(kCom1 + 3, 0x03);
    for (char c : std::string("hello, world\r\n")) {
        REQUIRE((f.lsr() & 0x60) == 0x60);  // THRE and TEMT: always ready
        f.out8(kCom1, static_cast<u8>(c));
    }
    CHECK(f.out.text == "hello, world\r\n");
    CHECK(f.uart.stats().tx_bytes == 14);
}

TEST_CASE("The divisor latch shares offsets 0 and 1 with DLAB", "[uart]") {
    UartFixture f;
    f.out8(kCom1 + 1, 0x05);  // IER
    f.set_divisor(0x0102);
    f.out8(kCom1 + 3, 0x83);
    CHECK(f.in8(kCom1 + 0) == 0x02);
    CHECK(f.in8(kCom1 + 1) == 0x01);
    f.out8(kCom1 + 3, 0x03);
    CHECK(f.in8(kCom1 + 1) == 0x05);  // IER untouched
    CHECK(f.out.text.empty());        // a DLL write is not a transmitted byte
}

TEST_CASE("THR-empty interrupt: raised on enable, acknowledged by IIR, re-raised by a write", "[uart]") {
    UartFixture f;
    f.out8(kCom1 + 4, 0x08);  // OUT2: the PC's interrupt gate
    CHECK(f.iir() == 0x01);
    f.out8(kCom1 + 1, 0x02);  // ETBEI
    CHECK(f.irqs.level[4]);
    CHECK(f.iir() == 0x02);   // reading IIR acknowledges THRE
    CHECK_FALSE(f.irqs.level[4]);
    CHECK(f.iir() == 0x01);
    f.out8(kCom1, 'x');       // transmitted at once: THR empty again
    CHECK(f.irqs.level[4]);
    CHECK(f.irqs.rising[4] == 2);
}

TEST_CASE("OUT2 gates the IRQ line and loopback keeps it off the PIC", "[uart]") {
    UartFixture f;
    f.out8(kCom1 + 1, 0x02);
    CHECK_FALSE(f.irqs.level[4]);  // pending inside, but OUT2 is clear
    CHECK(f.iir() == 0x02);
    f.out8(kCom1 + 1, 0x00);
    f.out8(kCom1 + 4, 0x18);  // OUT2 + loopback
    f.out8(kCom1 + 1, 0x02);
    CHECK_FALSE(f.irqs.level[4]);
    CHECK(f.iir() == 0x02);
}

TEST_CASE("Received bytes: DR, data-available interrupt, overrun in 16450 mode", "[uart]") {
    UartFixture f;
    f.out8(kCom1 + 4, 0x08);
    f.out8(kCom1 + 1, 0x01);  // ERBFI
    CHECK(f.uart.can_receive());
    f.uart.receive('a');
    CHECK((f.lsr() & 0x01) == 0x01);
    CHECK(f.iir() == 0x04);
    CHECK(f.irqs.level[4]);
    CHECK_FALSE(f.uart.can_receive());  // one holding register without the FIFO
    f.uart.receive('b');                // overrun: overwrites, sets OE
    u8 lsr = f.lsr();
    CHECK((lsr & 0x02) == 0x02);
    CHECK((f.lsr() & 0x02) == 0);       // OE clears on read
    CHECK(f.in8(kCom1) == 'b');
    CHECK((f.lsr() & 0x01) == 0);
    CHECK_FALSE(f.irqs.level[4]);
    CHECK(f.uart.stats().overruns == 1);
}

TEST_CASE("Receiver line status interrupt has the highest priority", "[uart]") {
    UartFixture f;
    f.out8(kCom1 + 1, 0x05);  // ERBFI + ELSI
    f.uart.receive('1');
    f.uart.receive('2');      // overrun
    CHECK(f.iir() == 0x06);
    f.lsr();
    CHECK(f.iir() == 0x04);
}

TEST_CASE("FIFO: trigger level and the character-timeout indication", "[uart]") {
    UartFixture f;
    f.set_divisor(1);         // 115200 baud: a character is 86.8 us
    f.out8(kCom1 + 2, 0x47);  // FIFO on, cleared, trigger level 4
    f.out8(kCom1 + 1, 0x01);
    CHECK((f.iir() & 0xC0) == 0xC0);
    f.uart.receive('a');
    f.uart.receive('b');
    CHECK((f.iir() & 0x0F) == 0x01);  // below the trigger level: nothing yet
    f.advance_ns(4 * 86'806 - 2000);
    CHECK((f.iir() & 0x0F) == 0x01);
    f.advance_ns(4000);               // four character times without activity
    CHECK((f.iir() & 0x0F) == 0x0C);
    CHECK(f.in8(kCom1) == 'a');       // reading clears the timeout
    CHECK((f.iir() & 0x0F) == 0x01);
    f.uart.receive('c');
    f.uart.receive('d');
    f.uart.receive('e');
    CHECK((f.iir() & 0x0F) == 0x04);  // 4 bytes: trigger level reached
    for (char c : std::string("bcde")) CHECK(f.in8(kCom1) == static_cast<u8>(c));
    CHECK((f.lsr() & 0x01) == 0);
    for (int i = 0; i < 16; ++i) f.uart.receive(static_cast<u8>(i));
    CHECK_FALSE(f.uart.can_receive());
    f.out8(kCom1 + 2, 0x03);          // clear the receive FIFO
    CHECK((f.lsr() & 0x01) == 0);
}

TEST_CASE("Loopback sends THR to RBR and MCR to MSR", "[uart]") {
    UartFixture f;
    f.out8(kCom1 + 4, 0x10);  // loopback, all outputs off
    f.in8(kCom1 + 6);         // clear deltas
    f.out8(kCom1, 0x5A);
    CHECK(f.out.text.empty());
    CHECK(f.in8(kCom1) == 0x5A);
    f.out8(kCom1 + 4, 0x1F);  // DTR RTS OUT1 OUT2 + loop
    u8 msr = f.in8(kCom1 + 6);
    CHECK((msr & 0xF0) == 0xF0);
    CHECK((msr & 0x0B) == 0x0B);  // DCTS DDSR DDCD changed
    f.out8(kCom1 + 4, 0x1B);      // OUT1 (RI) falls: trailing edge
    CHECK((f.in8(kCom1 + 6) & 0x04) == 0x04);
    CHECK((f.in8(kCom1 + 6) & 0x0F) == 0);  // deltas clear on read
}

TEST_CASE("Host input waits until the guest listens", "[uart]") {
    UartFixture f;
    CHECK_FALSE(f.uart.listening());
    f.out8(kCom1 + 3, 0x03);
    f.out8(kCom1 + 2, 0xC7);
    CHECK_FALSE(f.uart.listening());  // initialising is not listening
    f.lsr();
    CHECK(f.uart.listening());
    UartFixture g;
    g.out8(kCom1 + 1, 0x01);  // an interrupt-driven driver enables RDA instead
    CHECK(g.uart.listening());
}

TEST_CASE("Modem status interrupt and scratch register", "[uart]") {
    UartFixture f;
    f.out8(kCom1 + 7, 0xA5);
    CHECK(f.in8(kCom1 + 7) == 0xA5);
    f.out8(kCom1 + 1, 0x08);  // EDSSI
    f.out8(kCom1 + 4, 0x10);  // loopback drops CTS/DSR/DCD that the host side had
    CHECK(f.iir() == 0x00);
    f.in8(kCom1 + 6);
    CHECK(f.iir() == 0x01);
}
