// kernel.elf's payload (run by the init thread): the memory report, checked
// against the memory map; then either the highmem demo (boot option "demo",
// init/demo.cpp) or the end-of-boot reports (kmapinfo, demand paging, the
// thread list). Powers off with status 0, or 1 when the figures do not add up.
#include <kernel/highmem.hpp>
#include <kernel/meminfo.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/printk.hpp>
#include <kernel/reboot.hpp>
#include <kernel/sched.hpp>

bool demo_requested();
int run_highmem_demo();

int init_payload() {
    show_meminfo();
    if (!meminfo_self_check()) return EXIT_STATUS_TEST_FAILURE;
    if (demo_requested()) return run_highmem_demo();
    show_kmapinfo();
    show_vm_events();
    show_tasks();
    printk("Boot complete: powering off\n");
    return EXIT_STATUS_OK;
}
