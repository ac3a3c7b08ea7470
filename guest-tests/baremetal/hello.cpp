// The smallest useful guest: greets over COM1 and exits through the debug-exit
// device with the status given as "exit=N" on the command line (default 0).
#include "baremetal.hpp"

extern "C" uint32_t guest_main(uint32_t magic, const bm::MultibootInfo* mbi) {
    bm::serial_init();
    if (magic != bm::kMultibootBootloaderMagic) {
        bm::puts("hello: not started by a Multiboot loader\n");
        return 99;
    }
    bm::puts("hello from a highmem386 guest\n");
    bm::puts("lower memory: ");
    bm::put_dec(mbi->mem_lower);
    bm::puts(" KiB, upper memory: ");
    bm::put_dec(mbi->mem_upper);
    bm::puts(" KiB\n");
    uint32_t status = bm::cmdline_uint(mbi, "exit", 0);
    bm::puts("exiting with status ");
    bm::put_dec(status);
    bm::putc('\n');
    return status;
}
