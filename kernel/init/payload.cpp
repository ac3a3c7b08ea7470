// kernel.elf's payload: the memory report, checked against the memory map,
// then power off (status 0, or 1 when the figures do not add up).
#include <kernel/meminfo.hpp>
#include <kernel/printk.hpp>
#include <kernel/reboot.hpp>

int init_payload() {
    show_meminfo();
    if (!meminfo_self_check()) return EXIT_STATUS_TEST_FAILURE;
    printk("Boot complete: powering off\n");
    return EXIT_STATUS_OK;
}
