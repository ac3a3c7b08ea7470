// start_kernel(): the boot sequence after head.S, in order.
#include <asm/desc.hpp>
#include <asm/fpu.hpp>
#include <asm/irq.hpp>
#include <asm/irqflags.hpp>
#include <asm/layout.hpp>
#include <asm/serial.hpp>
#include <asm/setup.hpp>
#include <asm/smp.hpp>
#include <kernel/cmdline.hpp>
#include <kernel/crashtest.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/kallsyms.hpp>
#include <kernel/memblock.hpp>
#include <kernel/mm.hpp>
#include <kernel/printk.hpp>
#include <kernel/reboot.hpp>
#include <kernel/sched.hpp>
#include <kernel/version.hpp>

// What the kernel runs once booted: kernel.elf's payload reports and powers
// off; ktest.elf's runs the guest test suites (guest-tests/lib).
int init_payload();

namespace {
// The init thread (pid 1): the rest of the boot in process context.
int kernel_init(void*) {
    system_state = system_states::running;
    run_crash_test();
    int status = init_payload();
    system_state = system_states::halted;
    machine_power_off(static_cast<u32>(status));
}
}  // namespace

extern "C" [[noreturn]] void start_kernel(u32 magic, u32 mbi_phys) {
    early_serial_init();
    printk("%s\n", linux_banner);
    gdt_init();
    idt_init();
    copy_multiboot_info(magic, mbi_phys);
    printk("Command line: %s\n", boot_command_line);
    if (boot_loader_name[0]) printk("Boot loader: %s\n", boot_loader_name);
    parse_early_params();
    setup_arch();
    doublefault_init();
    free_area_init();
    mem_init();
    print_vm_layout();
    printk("kallsyms: %u symbols\n", kallsyms_count());
    sched_init();
    init_IRQ();
    fpu_init();
    time_init();
    local_irq_enable();
    smp_init();
    rest_init(kernel_init);
}
