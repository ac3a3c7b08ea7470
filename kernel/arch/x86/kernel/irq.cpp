// do_IRQ: runs the handler of an external interrupt in hardirq context (counted
// in preempt_count), acknowledges the PIC, and on the way out gives the
// scheduler its chance to preempt the interrupted thread.
#include <asm/desc.hpp>
#include <asm/i8259.hpp>
#include <asm/irq.hpp>
#include <asm/ptrace.hpp>
#include <asm/traps.hpp>
#include <kernel/bug.hpp>
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
    enable_8259A_irq(irq);
}

u64 irq_count(unsigned irq) { return irq < NR_IRQS ? irq_descs[irq].count : 0; }

void init_IRQ() { init_8259A(); }

void do_IRQ(pt_regs* regs) {
    unsigned irq = regs->vector - FIRST_EXTERNAL_VECTOR;
    // IRQ 7 and 15 arrive spuriously when a request vanishes before the CPU
    // acknowledges it; the PIC then has nothing in service. No EOI for those
    // (except the master's for a spurious slave IRQ 15).
    if ((irq == 7 || irq == 15) && !i8259A_irq_in_service(irq)) {
        ++spurious_count;
        if (irq == 15) ack_8259A_irq(2);
        return;
    }
    preempt_count_add(HARDIRQ_OFFSET);
    irq_desc& desc = irq_descs[irq];
    ++desc.count;
    if (desc.handler) desc.handler(irq, regs);
    else printk("do_IRQ: no handler for IRQ %u\n", irq);
    ack_8259A_irq(irq);
    preempt_count_sub(HARDIRQ_OFFSET);
    irqentry_exit_cond_resched(regs);
}
