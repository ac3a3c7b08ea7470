// Exit path "triple fault": an exception with an empty IDT becomes #GP, then #DF,
// then a shutdown. hm386 exits 122 and prints the CPU state; QEMU (-no-reboot)
// stops too, which tools/scripts/run-qemu.sh maps to 122.
#include "machine_guest.hpp"

extern "C" uint32_t guest_main(uint32_t, const bm::MultibootInfo*) {
    bm::serial_init();
    bm::puts("triple: loading an empty IDT, then ud2\n");
    struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } empty{0, 0};
    asm volatile("lidt %0\n ud2" ::"m"(empty));
    bm::puts("triple: still running?!\n");
    return 1;
}
