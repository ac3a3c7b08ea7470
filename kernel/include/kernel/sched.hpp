// Scheduler entry points used by the rest of the kernel.
#pragma once
#include <kernel/types.hpp>

struct pt_regs;

// How far the boot has come. might_sleep() checks start once threads exist.
enum class system_states { booting, scheduling, running, halted };
extern system_states system_state;

// Sleeping is only legal in process context with preemption and interrupts on;
// anything else is a bug, reported as an oops at the caller.
#define might_sleep() __might_sleep(__FILE__, __LINE__)
void __might_sleep(const char* file, int line);

// Timer tick: accounting and timeslice expiry.
void scheduler_tick();
// On the way out of an interrupt: preempt the interrupted thread if it is
// preemptible and a reschedule is pending.
void irqentry_exit_cond_resched(pt_regs* regs);
// Whether an oops may end the current thread (false before the scheduler runs
// and for the idle thread: then an oops is a panic).
bool task_can_die();
// Ends the current thread after an oops.
[[noreturn]] void make_task_dead();
