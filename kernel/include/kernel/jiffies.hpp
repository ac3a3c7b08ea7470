// Kernel time: jiffies counts timer ticks (HZ per second) since the PIT started.
#pragma once
#include <asm/irqflags.hpp>
#include <kernel/types.hpp>

constexpr unsigned HZ = 100;

extern volatile u64 jiffies_64;
// Odd while the BSP's tick updates jiffies_64 (a sequence count, Linux's
// jiffies_lock seqcount): a 64-bit value is two 32-bit words on i386.
extern volatile u32 jiffies_seq;

// A 64-bit read that neither an interrupt nor another CPU's tick can tear:
// retried while an update is under way, or when one happened meanwhile.
inline u64 get_jiffies_64() {
    for (;;) {
        u32 s = __atomic_load_n(&jiffies_seq, __ATOMIC_ACQUIRE);
        u64 j = jiffies_64;
        if (!(s & 1) && __atomic_load_n(&jiffies_seq, __ATOMIC_ACQUIRE) == s) return j;
        asm volatile("pause" ::: "memory");
    }
}
inline constexpr u64 msecs_to_jiffies(u64 ms) { return (ms * HZ + 999) / 1000; }
inline constexpr u64 jiffies_to_msecs(u64 j) { return j * 1000 / HZ; }

// Called by the BSP's timer interrupt once per tick: jiffies, then
// update_process_times().
void do_timer();
// Every CPU's tick (the APs' local APIC timers call only this): this CPU's
// timers and its running thread's timeslice.
void update_process_times();
// The tick: the PIT (channel 0 at HZ on IRQ 0), or the local APIC timer with "apic".
void time_init();
