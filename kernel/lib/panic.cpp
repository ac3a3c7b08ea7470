// panic(): the kernel cannot continue. Prints the reason and a stack trace, then
// powers the machine off with EXIT_STATUS_PANIC so a test run ends at once.
#include <asm/irqflags.hpp>
#include <kernel/bug.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/printk.hpp>
#include <kernel/reboot.hpp>

namespace {
constinit bool in_panic = false;
}

void panic(const char* fmt, ...) {
    local_irq_disable();
    if (in_panic) machine_power_off(EXIT_STATUS_PANIC);  // a panic while panicking
    in_panic = true;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printk("Kernel panic - not syncing: %s\n", msg);
    dump_stack();
    printk("---[ end Kernel panic - not syncing: %s ]---\n", msg);
    machine_power_off(EXIT_STATUS_PANIC);
}
