// Interrupt-flag control (EFLAGS.IF) in Linux's names.
#pragma once
#include <kernel/types.hpp>

constexpr unsigned long X86_EFLAGS_IF = 1u << 9;

inline unsigned long native_save_fl() {
    unsigned long flags;
    asm volatile("pushfl; popl %0" : "=r"(flags) : : "memory");
    return flags;
}
inline void local_irq_disable() { asm volatile("cli" ::: "memory"); }
inline void local_irq_enable() { asm volatile("sti" ::: "memory"); }
inline unsigned long local_irq_save() {
    unsigned long flags = native_save_fl();
    local_irq_disable();
    return flags;
}
inline void local_irq_restore(unsigned long flags) {
    if (flags & X86_EFLAGS_IF) local_irq_enable();
    else local_irq_disable();
}
inline bool irqs_disabled_flags(unsigned long flags) { return !(flags & X86_EFLAGS_IF); }
inline bool irqs_disabled() { return irqs_disabled_flags(native_save_fl()); }
// Enables interrupts and halts in one step: "sti; hlt" cannot lose a wake-up,
// because sti takes effect only after the next instruction.
inline void safe_halt() { asm volatile("sti; hlt" ::: "memory"); }
inline void halt() { asm volatile("hlt" ::: "memory"); }
