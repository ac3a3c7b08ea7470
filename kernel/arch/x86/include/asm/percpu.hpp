// Per-CPU data, reached through %fs as Linux's i386 kernel does.
//
// Every CPU has one cpu_data entry in percpu_area[NR_CPUS]. %fs holds
// __KERNEL_PERCPU, a flat data segment whose *base* is this CPU's offset from
// percpu_area[0]: 0 on the BSP (head.S's GDT), cpu * sizeof(cpu_data) in each
// AP's own copy of the GDT (smpboot.cpp). So "%fs:percpu_area[0].field" is this
// CPU's field, one instruction whatever the CPU, and the BSP reads its data
// before the GDT is even reloaded. Why %fs and not an array indexed by the
// local APIC id: the id is an uncached MMIO read (and the APIC is not mapped
// on the 8259 path), while preempt_count() and current are on every hot path;
// why not the stack (old Linux's thread_info): interrupts and crash tests run
// on stacks that are not a thread's. The entry code (entry.S) reloads %fs, as
// user mode may leave anything in it.
#pragma once
#include <kernel/types.hpp>

struct task_struct;
struct tss_struct;

struct cpu_data {
    task_struct* curr;          // the thread running on this CPU ("current")
    u32 preempt_count;          // Linux's layout (kernel/preempt.hpp)
    u32 need_resched;
    unsigned cpu;               // 0 = the BSP
    unsigned kmap_slot_base;    // KM_SLOTS_PER_CPU * cpu: this CPU's block of kmap_local slots
    u32 apic_id;
    // For the cost report and the smp ktest suite (arch/x86/kernel/smp.cpp).
    u32 ipis_sent;              // call-function IPIs this CPU sent (one per target)
    u32 ipis_received;          // call-function IPIs this CPU handled
    u32 remote_tlb_flushes;     // TLB flushes done for another CPU's shootdown
    u32 tlb_shootdowns;         // flush_tlb_kernel_range calls that reached the others
    task_struct* fpu_owner;     // lazy FPU: whose state this CPU's x87 registers hold (fpu.cpp)
    // For the cost report: this CPU's own cycles (ipi_handler_clock, asm/smp.hpp) inside the
    // call-function IPI handler, from its first C statement to after the EOI.
    // Last so that no field above moves.
    u32 ipi_handler_cycles;
    // The scheduler's per-CPU part (kernel/sched/core.cpp), after the fields above.
    task_struct* idle;          // this CPU's idle thread (swapper/N)
    tss_struct* tss;            // this CPU's TSS (its ring-0 stack pointer changes at each switch)
    u32 timer_ticks;            // timer interrupts this CPU took (its own tick: PIT or local APIC timer)
    u32 timers_run;             // timer_list callbacks run on this CPU
    u32 resched_ipis;           // reschedule IPIs this CPU handled
    u32 nr_switches;            // context switches on this CPU
};

extern cpu_data percpu_area[];

// this_cpu_read(field) / this_cpu_write(field, v) / this_cpu_add(field, v):
// every field is 32 bits wide (one movl/addl with the %fs override).
#define __percpu_arg(field) "m"(percpu_area[0].field)
#define this_cpu_read(field)                                                          \
    ({                                                                                \
        decltype(percpu_area[0].field) v__;                                           \
        asm volatile("movl %%fs:%1, %0" : "=r"(v__) : __percpu_arg(field) : "memory"); \
        v__;                                                                          \
    })
#define this_cpu_write(field, val)                                                                   \
    do {                                                                                             \
        decltype(percpu_area[0].field) v__ = (val);                                                  \
        asm volatile("movl %1, %%fs:%0" : "=m"(percpu_area[0].field) : "ri"(v__) : "memory");           \
    } while (0)
#define this_cpu_add(field, val) \
    asm volatile("addl %1, %%fs:%0" : "+m"(percpu_area[0].field) : "ri"(static_cast<u32>(val)) : "memory")
#define this_cpu_sub(field, val) \
    asm volatile("subl %1, %%fs:%0" : "+m"(percpu_area[0].field) : "ri"(static_cast<u32>(val)) : "memory")

inline unsigned smp_processor_id() { return this_cpu_read(cpu); }
