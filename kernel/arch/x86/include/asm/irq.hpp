// External interrupts: one handler per legacy IRQ line.
#pragma once
#include <kernel/types.hpp>

struct pt_regs;
using irq_handler_t = void (*)(unsigned irq, pt_regs* regs);

// Installs the handler and unmasks the line.
void request_irq(unsigned irq, irq_handler_t handler, const char* name);
// Masks the line and forgets the handler.
void free_irq(unsigned irq);
// The 8259 pair, or with "apic" the local APIC and I/O APIC.
void init_IRQ();
// Interrupts handled per line since boot.
u64 irq_count(unsigned irq);
