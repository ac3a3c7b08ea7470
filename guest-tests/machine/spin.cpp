// Exit paths "timeout" and "cycle limit": a guest that computes forever.
#include "machine_guest.hpp"

extern "C" uint32_t guest_main(uint32_t, const bm::MultibootInfo*) {
    bm::serial_init();
    bm::puts("spin: looping forever\n");
    volatile uint32_t n = 0;
    for (;;) n = n + 1;
}
