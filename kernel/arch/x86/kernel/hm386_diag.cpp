// hm386's diagnostic device: four 32-bit ports (see asm/hm386_diag.hpp).
#include <asm/hm386_diag.hpp>
#include <asm/io.hpp>
#include <asm/irqflags.hpp>
#include <kernel/spinlock.hpp>

namespace {
constinit spinlock_t diag_lock{0, "hm386_diag"};
}

bool hm386_diag_present() { return inl(HM386_DIAG_PORT_SIGNATURE) == HM386_DIAG_SIGNATURE; }

u64 hm386_diag_command(u32 command, u64 arg) {
    // Argument, command and result are three port accesses: not to be split
    // by an interrupt handler using the device too.
    // Nor by another CPU: the device is one for the machine.
    unsigned long flags = local_irq_save();
    do_raw_spin_lock(&diag_lock);
    outl(static_cast<u32>(arg), HM386_DIAG_PORT_ARG_LO);
    outl(static_cast<u32>(arg >> 32), HM386_DIAG_PORT_ARG_HI);
    outl(command, HM386_DIAG_PORT_COMMAND);
    u64 lo = inl(HM386_DIAG_PORT_ARG_LO);
    u64 hi = inl(HM386_DIAG_PORT_ARG_HI);
    do_raw_spin_unlock(&diag_lock);
    local_irq_restore(flags);
    return (hi << 32) | lo;
}

bool hm386_dtlb_holds(unsigned long va) { return hm386_diag_command(HM386_DIAG_CMD_TLB_PROBE, va) & HM386_DIAG_PROBE_DTLB; }

bool hm386_cpu_cycles_present() {
    return hm386_diag_present() && hm386_diag_command(HM386_DIAG_CMD_VERSION, 0) >= 2;
}
