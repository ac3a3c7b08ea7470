// The two cascaded 8259A interrupt controllers, remapped so IRQ n arrives on
// vector FIRST_EXTERNAL_VECTOR + n (0x20..0x2F), clear of the CPU exceptions.
#pragma once
#include <kernel/types.hpp>

void init_8259A();
// Every line masked, the cascade too (the APIC path).
void mask_8259A();
void enable_8259A_irq(unsigned irq);
void disable_8259A_irq(unsigned irq);
void ack_8259A_irq(unsigned irq);  // end of interrupt
// For spurious-interrupt detection: is irq really in service?
bool i8259A_irq_in_service(unsigned irq);
