// The architecture side of a context switch.
#pragma once
#include <kernel/types.hpp>

struct task_struct;

extern "C" task_struct* __switch_to_asm(u32* prev_sp, u32 next_sp, task_struct* prev);
// Prepares a new thread's stack so that switching to it enters ret_from_fork.
void copy_thread(task_struct* p);
// Per-switch CPU state: the ring-0 stack in this CPU's TSS, the x87.
void arch_switch_to(task_struct* prev, task_struct* next);
