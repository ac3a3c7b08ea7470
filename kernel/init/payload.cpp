// kernel.elf's payload (run by the init thread): the memory report, checked
// against the memory map; then either the highmem demo (boot option "demo",
// init/demo.cpp) or the Multiboot modules run as user programs followed by the
// end-of-boot reports (kmapinfo, demand paging, the thread list). Powers off
// with status 0, or 1 when the figures do not add up or a module could not run.
#include <kernel/bootmodule.hpp>
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
    unsigned failed = run_boot_modules();
    show_kmapinfo();
    show_vm_events();
    show_tasks();
    printk("Boot complete: powering off\n");
    return failed ? EXIT_STATUS_TEST_FAILURE : EXIT_STATUS_OK;
}
