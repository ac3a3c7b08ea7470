// The PC devices' programming models seen from inside a guest: checks whose
// answers are the same on a real PC, under QEMU and under hm386, so the output is
// compared between the two emulators. One line per check; the exit status is
// the number of failed checks.
#include "machine_guest.hpp"

namespace {
using mg::check;
using mg::inb;
using mg::outb;

uint8_t cmos(uint8_t reg) {
    outb(0x70, reg);
    return inb(0x71);
}
}  // namespace

extern "C" uint32_t guest_main(uint32_t, const bm::MultibootInfo* mbi) {
    bm::serial_init();
    // UART loopback first, while nothing else is being transmitted.
    while ((inb(0x3FD) & 0x40) == 0) {
    }
    outb(0x3FC, 0x1F);  // loopback with DTR, RTS, OUT1, OUT2
    outb(0x3F8, 0xA5);
    uint8_t lsr = inb(0x3FD);
    uint8_t rbr = inb(0x3F8);
    uint8_t msr = inb(0x3FE);
    outb(0x3FC, 0x03);  // back to normal: DTR, RTS
    outb(0x3FF, 0x5A);
    uint8_t scratch = inb(0x3FF);

    bm::puts("devices: checking the PC's programming models\n");
    unsigned failed = 0;
    failed += check("uart loopback data ready", lsr & 0x01, 0x01);
    failed += check("uart loopback byte", rbr, 0xA5);
    failed += check("uart loopback modem status", msr & 0xF0, 0xF0);
    failed += check("uart scratch register", scratch, 0x5A);
    failed += check("uart fifo enabled in IIR", inb(0x3FA) & 0xC0, 0xC0);

    mg::remap_pics(0x0000);
    failed += check("pic master mask", inb(0x21), 0xFF);
    failed += check("pic slave mask", inb(0xA1), 0xFF);
    outb(0x20, 0x0B);
    failed += check("pic master in-service", inb(0x20), 0x00);
    outb(0x20, 0x0A);

    outb(0x61, (inb(0x61) & 0xFC) | 0x01);  // gate channel 2 on, speaker off
    failed += check("port 0x61 gate bit", inb(0x61) & 0x03, 0x01);
    outb(0x43, 0xB0);  // channel 2, LSB/MSB, mode 0
    outb(0x42, 0xFF);
    outb(0x42, 0xFF);
    outb(0x43, 0xE8);  // read-back: status of channel 2
    failed += check("pit read-back status", inb(0x42) & 0x3F, 0x30);
    outb(0x43, 0x80);  // latch channel 2
    uint32_t first = inb(0x42);
    first |= static_cast<uint32_t>(inb(0x42)) << 8;
    for (volatile int i = 0; i < 20000; i = i + 1) {
    }
    outb(0x43, 0x80);
    uint32_t second = inb(0x42);
    second |= static_cast<uint32_t>(inb(0x42)) << 8;
    failed += check("pit channel 2 counts down", second < first, 1);

    failed += check("cmos register D (valid)", cmos(0x0D) & 0x80, 0x80);
    failed += check("cmos register B (24h, BCD)", cmos(0x0B) & 0x06, 0x02);
    failed += check("cmos base memory", cmos(0x15) | cmos(0x16) << 8, 640);
    uint32_t ext = (mbi->mem_upper + 128 > 65535) ? 65535 : mbi->mem_upper + 128;
    failed += check("cmos extended memory", cmos(0x17) | cmos(0x18) << 8, ext);
    uint8_t s0 = cmos(0x00);
    uint32_t spins = 0;
    while (cmos(0x00) == s0 && spins < 200000000) ++spins;
    failed += check("rtc seconds advance", cmos(0x00) != s0, 1);

    outb(0x64, 0xAA);
    uint32_t wait = 0;
    while (!(inb(0x64) & 0x01) && wait < 1000000) ++wait;
    failed += check("keyboard controller self test", inb(0x60), 0x55);
    failed += check("port 0x92 A20 gate", inb(0x92) & 0x02, 0x02);
    failed += check("unassigned port reads all ones", inb(0x2EF), 0xFF);

    volatile uint16_t* vga = reinterpret_cast<volatile uint16_t*>(0xB8000);
    vga[80 * 24] = 0x1F41;
    failed += check("vga text memory", vga[80 * 24], 0x1F41);

    bm::puts("devices: ");
    bm::put_dec(failed);
    bm::puts(" failed\n");
    return failed;
}
