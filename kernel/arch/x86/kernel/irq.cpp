// do_IRQ: runs the handler of an external interrupt in hardirq context (counted
// in preempt_count), acknowledges the interrupt controller (the 8259 pair, or
// the local APIC with "apic"), and on the way out gives the scheduler its
// chance to preempt the interrupted thread.
#include <asm/apic.hpp>
#include <asm/desc.hpp>
#include <asm/i8259.hpp>
#include <asm/irq.hpp>
#include <asm/ptrace.hpp>
#include <asm/traps.hpp>
#include <kernel/bug.hpp>
#include <kernel/cmdline.hpp>
#include <kernel/preempt.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>

namespace {
struct irq_desc {
    irq_handler_t handler;
    const char* name;
    u64 count;
};
constinit irq_desc irq_descs[NR_IRQS]{};
constinit u64 spurious_count = 0;
}  // namespace

void request_irq(unsigned irq, irq_handler_t handler, const char* name) {
    BUG_ON(irq >= NR_IRQS || irq_descs[irq].handler);
    irq_descs[irq] = {handler, name, 0};
    if (apic_mode) io_apic_unmask_irq(irq);
    else enable_8259A_irq(irq);
}

void free_irq(unsigned irq) {
    BUG_ON(irq >= NR_IRQS || !irq_descs[irq].handler);
    if (apic_mode) io_apic_mask_irq(irq);
    else disable_8259A_irq(irq);
    irq_descs[irq].handler = nullptr;
}

u64 irq_count(unsigned irq) { return irq < NR_IRQS ? irq_descs[irq].count : 0; }

namespace {
// Linux's spelling; the 8259 stays the default (docs/kernel.md says why).
bool parse_apic(const char* v) {
    apic_requested = true;
    return !*v;
}
early_param("apic", parse_apic, "apic takes no value");
bool parse_noapic(const char* v) {
    apic_requested = false;
    return !*v;
}
early_param("noapic", parse_noapic, "noapic takes no value");
}  // namespace

void init_IRQ() {
    // The 8259 pair is reprogrammed in both modes, so that nothing it might
    // still raise lands on an exception vector; with the APIC it then stays
    // fully masked (and LINT0, its path to the CPU, is closed).
    init_8259A();
    if (!apic_requested || !setup_local_APIC()) {
        printk("Interrupts: 8259 PIC pair, vectors %#x-%#x\n", FIRST_EXTERNAL_VECTOR, FIRST_EXTERNAL_VECTOR + 15);
        return;
    }
    mask_8259A();
    setup_IO_APIC();
    apic_mode = true;
    printk("Interrupts: I/O APIC + local APIC (the 8259 pair masked)\n");
}

void do_IRQ(pt_regs* regs) {
    unsigned irq = regs->vector - FIRST_EXTERNAL_VECTOR;
    // IRQ 7 and 15 arrive spuriously when a request vanishes before the CPU
    // acknowledges it; the PIC then has nothing in service. No EOI for those
    // (except the master's for a spurious slave IRQ 15).
    if (!apic_mode && (irq == 7 || irq == 15) && !i8259A_irq_in_service(irq)) {
        ++spurious_count;
        if (irq == 15) ack_8259A_irq(2);
        return;
    }
    preempt_count_add(HARDIRQ_OFFSET);
    irq_desc& desc = irq_descs[irq];
    ++desc.count;
    if (desc.handler) desc.handler(irq, regs);
    else printk("do_IRQ: no handler for IRQ %u\n", irq);
    if (apic_mode) apic_eoi();
    else ack_8259A_irq(irq);
    preempt_count_sub(HARDIRQ_OFFSET);
    irqentry_exit_cond_resched(regs);
}
