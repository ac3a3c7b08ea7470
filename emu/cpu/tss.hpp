// The task-state segment: the inner-privilege stacks that interrupt gates and
// call gates switch to, and the hardware task switch (task gates, JMP/CALL to
// a TSS, IRET with NT set).
#pragma once
#include "cpu/core.hpp"

namespace hm::cpu {

// SS:ESP for privilege level `dpl` from the current TSS; #TS on a short TSS.
void tss_stack_for(Core& c, u8 dpl, u32 ext, u16& ss, u32& esp);

// Validates a new stack segment for privilege `dpl` (by the rules for stacks
// taken from a TSS: #TS for a bad selector or descriptor, #SS if not present)
// and returns its descriptor cache with the accessed bit set.
Segment load_inner_stack_segment(Core& c, u16 ss_sel, u8 dpl, u32 ext);

enum class TaskSwitchReason : u8 { Jump, Call, Iret, Gate };

// Switches to the task whose TSS selector is given (SDM Vol. 3A, 7.3). For a
// gate (interrupt/exception through a task gate) an error code is pushed on the
// new task's stack. `return_eip` is the EIP saved in the old task's TSS.
void task_switch(Core& c, u16 tss_sel, TaskSwitchReason why, u32 ext, bool has_error, u32 error, u32 return_eip);

}  // namespace hm::cpu
