// SMP: bringing up the application processors and talking to them by IPI
// (docs/kernel.md, "SMP"). Linux's names: smp_init, start_secondary,
// smp_call_function(_single), num_online_cpus, cpu_online.
#pragma once
#include <asm/hm386_diag.hpp>
#include <asm/percpu.hpp>
#include <asm/processor.hpp>
#include <kernel/types.hpp>

struct pt_regs;

// Linux's CALL_FUNCTION_VECTOR (arch/x86/include/asm/irq_vectors.h).
constexpr unsigned CALL_FUNCTION_VECTOR = 0xFC;
// Linux's RESCHEDULE_VECTOR: "run your scheduler" (a woken thread for an idle CPU).
constexpr unsigned RESCHEDULE_VECTOR = 0xFD;
// Where the real-mode AP trampoline is copied (a SIPI names a page below
// 1 MiB: vector 0x08 starts the AP at 0800:0000). Reserved in memblock when
// SMP may be used (apic on the command line, no nosmp).
constexpr u32 SMP_TRAMPOLINE_PHYS = 0x8000;

// Boot options: nosmp (Linux's: the BSP only), maxcpus=N (at most N CPUs,
// the BSP included), no_shootdown_ipi (not Linux's: kernel TLB flushes stay
// local, so another CPU keeps stale translations: the demonstration of why
// the shootdown exists; docs/kernel.md).
extern bool smp_disabled;
extern unsigned smp_max_cpus;
extern bool no_shootdown_ipi;

// True when the boot may start APs (reserves the trampoline page).
bool smp_may_start_aps();
// Brings up every CPU the firmware lists (the ACPI MADT; without one, QEMU's
// and hm386's fw_cfg CPU count), one at a time, with INIT-SIPI-SIPI. Needs the
// APIC path (apic): on the 8259 path the BSP runs alone.
void smp_init();

unsigned num_online_cpus();
bool cpu_online(unsigned cpu);
// The per-CPU data of any CPU (counters for tests and reports).
cpu_data& per_cpu_data(unsigned cpu);

using smp_call_func_t = void (*)(void* info);
// Runs func(info) on another online CPU, in its call-function IPI handler
// (hardirq context, interrupts off), and returns once it has run. From thread
// context (interrupts on, so that two CPUs calling each other progress). False when
// the CPU is not online or is this one.
bool smp_call_function_single(unsigned cpu, smp_call_func_t func, void* info);
// The same on every other online CPU, all at once; returns when all have run.
void smp_call_function(smp_call_func_t func, void* info);

// func(info) on every online CPU at the same time: posted to the others, run
// here with interrupts off meanwhile, then waits for all (Linux's on_each_cpu).
void on_each_cpu(smp_call_func_t func, void* info);

void smp_call_function_interrupt(pt_regs* regs);
// The clock the handler's own cycles (cpu_data.ipi_handler_cycles) are read
// with: RDTSC, or hm386's per-CPU counter when ipi_clock_cpu_cycles is set
// (cost-smp.elf sets it): under hm386 -smp N, RDTSC on a CPU that runs behind
// the machine's TSC floor does not move (docs/devices.md, "SMP"). Inline, and
// the handler reads the switch once before it starts the clock: its flush drops
// the whole TLB, and a clock on a code or data page of its own would add a
// walk to the figure.
extern bool ipi_clock_cpu_cycles;
inline u64 ipi_handler_clock(bool cpu_cycles) { return cpu_cycles ? hm386_cpu_cycles() : rdtsc(); }

// The reschedule IPI (sched/core.cpp's resched_cpu): nothing for this CPU or
// an offline one.
void smp_send_reschedule(unsigned cpu);
void smp_reschedule_interrupt(pt_regs* regs);

// How many CPUs the firmware lists (MADT, else fw_cfg; 1 when neither says).
unsigned smp_firmware_cpu_count();
