// The preemption counter, Linux's layout: one word whose fields count nested
// preempt_disable() calls, softirq and hardirq nesting. Zero means the running
// thread may be preempted (and may sleep). One counter per CPU (asm/percpu.hpp,
// as Linux's x86 __preempt_count); it is consistent across context switches
// because every switch happens with exactly one level of preempt_disable()
// held by schedule().
#pragma once
#include <asm/irqflags.hpp>
#include <asm/percpu.hpp>
#include <kernel/compiler.hpp>
#include <kernel/types.hpp>

constexpr u32 PREEMPT_OFFSET = 1u << 0;
constexpr u32 PREEMPT_MASK = 0x000000FF;
constexpr u32 SOFTIRQ_OFFSET = 1u << 8;
constexpr u32 SOFTIRQ_MASK = 0x0000FF00;
constexpr u32 HARDIRQ_OFFSET = 1u << 16;
constexpr u32 HARDIRQ_MASK = 0x000F0000;

inline u32 preempt_count() { return this_cpu_read(preempt_count); }
// do_exit after an oops: the dying thread's levels are dropped.
inline void preempt_count_set(u32 v) { this_cpu_write(preempt_count, v); }
inline bool in_hardirq() { return preempt_count() & HARDIRQ_MASK; }
inline bool in_interrupt() { return preempt_count() & (HARDIRQ_MASK | SOFTIRQ_MASK); }
// "Atomic context": the thread must not sleep (preemption off or in an interrupt).
inline bool in_atomic() { return preempt_count() != 0; }
inline bool preemptible() { return preempt_count() == 0 && !irqs_disabled(); }

inline void set_need_resched() { this_cpu_write(need_resched, 1u); }
inline void clear_need_resched() { this_cpu_write(need_resched, 0u); }
inline bool need_resched() { return this_cpu_read(need_resched); }

inline void preempt_count_add(u32 v) { this_cpu_add(preempt_count, v); }
inline void preempt_count_sub(u32 v) { this_cpu_sub(preempt_count, v); }

// Called when preempt_enable() drops the count to zero with a reschedule pending.
void preempt_schedule();

inline void preempt_disable() { preempt_count_add(PREEMPT_OFFSET); }
inline void preempt_enable_no_resched() { preempt_count_sub(PREEMPT_OFFSET); }
inline void preempt_enable() {
    preempt_count_sub(PREEMPT_OFFSET);
    if (unlikely(preempt_count() == 0 && need_resched())) preempt_schedule();
}

// RAII: preemption off for the lifetime of the guard.
class PreemptGuard {
public:
    PreemptGuard() { preempt_disable(); }
    ~PreemptGuard() { preempt_enable(); }
    PreemptGuard(const PreemptGuard&) = delete;
    PreemptGuard& operator=(const PreemptGuard&) = delete;
};

// RAII: interrupts off, restored to their previous state at the end of scope.
class IrqSaveGuard {
public:
    IrqSaveGuard() : flags_(local_irq_save()) {}
    ~IrqSaveGuard() { local_irq_restore(flags_); }
    IrqSaveGuard(const IrqSaveGuard&) = delete;
    IrqSaveGuard& operator=(const IrqSaveGuard&) = delete;

private:
    unsigned long flags_;
};
