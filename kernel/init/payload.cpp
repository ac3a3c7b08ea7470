// kernel.elf's payload (run by the init thread): the memory report, checked
// against the memory map, the thread list, then power off (status 0, or 1 when the figures do not add up).
#include <kernel/highmem.hpp>
#include <kernel/meminfo.hpp>
#include <kernel/printk.hpp>
#include <kernel/reboot.hpp>
#include <kernel/sched.hpp>

int init_payload() {
    show_meminfo();
    if (!meminfo_self_check()) return EXIT_STATUS_TEST_FAILURE;
    show_kmapinfo();
    show_tasks();
    printk("Boot complete: powering off\n");
    return EXIT_STATUS_OK;
}
