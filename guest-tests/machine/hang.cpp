// Exit path "hang": halts with interrupts disabled, so nothing can ever wake the
// CPU. hm386 notices at once and exits 123 (QEMU would wait until its timeout).
#include "machine_guest.hpp"

extern "C" uint32_t guest_main(uint32_t, const bm::MultibootInfo*) {
    bm::serial_init();
    bm::puts("hang: cli; hlt\n");
    for (;;) asm volatile("cli; hlt");
}
