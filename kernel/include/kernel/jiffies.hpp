// Kernel time: jiffies counts timer ticks (HZ per second) since the PIT started.
#pragma once
#include <asm/irqflags.hpp>
#include <kernel/types.hpp>

constexpr unsigned HZ = 100;

extern volatile u64 jiffies_64;

// A 64-bit read that an interrupt cannot tear (uniprocessor: irqs off suffices).
inline u64 get_jiffies_64() {
    unsigned long flags = local_irq_save();
    u64 j = jiffies_64;
    local_irq_restore(flags);
    return j;
}
inline constexpr u64 msecs_to_jiffies(u64 ms) { return (ms * HZ + 999) / 1000; }
inline constexpr u64 jiffies_to_msecs(u64 j) { return j * 1000 / HZ; }

// Called by the timer interrupt once per tick.
void do_timer();
// The tick: the PIT (channel 0 at HZ on IRQ 0), or the local APIC timer with "apic".
void time_init();
