// Thread creation and switching, the i386 part.
#include <asm/desc.hpp>
#include <asm/fpu.hpp>
#include <asm/switch_to.hpp>
#include <kernel/sched.hpp>

extern "C" char ret_from_fork[];

void copy_thread(task_struct* p) {
    auto* sp = reinterpret_cast<u32*>(static_cast<u8*>(p->stack) + THREAD_SIZE);
    // What __switch_to_asm pops: edi, esi, ebx, ebp (0 ends stack traces), return address.
    *--sp = reinterpret_cast<u32>(ret_from_fork);
    *--sp = 0;  // ebp
    *--sp = 0;  // ebx
    *--sp = 0;  // esi
    *--sp = 0;  // edi
    p->thread.sp = reinterpret_cast<u32>(sp);
}

void arch_switch_to(task_struct* prev, task_struct* next) {
    // The stack this CPU switches to on an interrupt from user mode.
    this_cpu_read(tss)->esp0 = reinterpret_cast<u32>(next->stack) + THREAD_SIZE;
    fpu_switch_to(prev, next);  // CR0.TS: the x87 state follows lazily (#NM)
}
