// Exit path "reset request": pulses the CPU reset line through the keyboard
// controller (command 0xFE). hm386 stops, as QEMU does with -no-reboot; both end
// with status 122.
#include "machine_guest.hpp"

extern "C" uint32_t guest_main(uint32_t, const bm::MultibootInfo*) {
    bm::serial_init();
    bm::puts("reset: pulsing the reset line through the keyboard controller\n");
    bm::outb(0x64, 0xFE);
    for (;;) asm volatile("hlt");
}
