// kernel.elf's payload: report memory and power off with status 0.
#include <kernel/memblock.hpp>
#include <kernel/printk.hpp>

int init_payload() {
    printk("Memory: %llu KiB RAM, %llu KiB reserved at boot\n", memblock_phys_mem_size() >> 10,
           memblock_reserved_size() >> 10);
    printk("Boot complete: powering off\n");
    return 0;
}
