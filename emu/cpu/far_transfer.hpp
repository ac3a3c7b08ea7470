// Far control transfers by the rules of the current mode (SDM Vol. 2, JMP,
// CALL, RET, IRET; Vol. 3A, 5.8): real and virtual-8086 mode load CS as
// selector << 4; protected mode checks the target descriptor, follows call
// gates (with the inner-stack switch and parameter copy), switches tasks
// through TSS descriptors and task gates, and returns to outer privilege levels
// (nulling data segments the outer level may not use). Every function either
// completes or throws without having changed registers.
#pragma once
#include "cpu/core.hpp"

namespace hm::cpu {

// `o32`: operand size of the instruction (offset width, pushed/popped sizes).
void far_jump(Core& c, u16 selector, u32 offset, bool o32, u32 next_eip);
void far_call(Core& c, u16 selector, u32 offset, bool o32, u32 next_eip);
void far_return(Core& c, bool o32, u16 release);
void interrupt_return(Core& c, bool o32, u32 next_eip);

}  // namespace hm::cpu
