// Lazy x87 switching and x87 error reporting (docs/kernel.md, "Lazy FPU").
//
// CR0.TS is set at every context switch; the first x87 instruction a thread
// runs afterwards raises #NM, whose handler clears TS and, when another thread
// owns the x87 registers, saves that thread's state (FXSAVE when CPUID reports
// FXSR, FNSAVE otherwise) and loads the current thread's (a thread that never
// used the x87 starts from FNINIT's state). An unmasked x87 exception reaches
// the kernel as #MF (CR0.NE = 1, the default) or as IRQ 13 through the PC's
// FERR# latch at port F0h (CR0.NE = 0); either way the owner's exception state
// is recorded in its fpu_fault record, a report line is printed, the flags are
// cleared and the thread goes on (a user process gets SIGFPE instead).
#pragma once
#include <kernel/types.hpp>

struct task_struct;
struct pt_regs;

constexpr u32 X86_CR0_MP = 1u << 1;
constexpr u32 X86_CR0_EM = 1u << 2;
constexpr u32 X86_CR0_TS = 1u << 3;
constexpr u32 X86_CR0_NE = 1u << 5;
constexpr u32 X86_CR4_OSFXSR = 1u << 9;
constexpr unsigned FPU_IRQ = 13;

// The last x87 exception reported to a thread: the environment as FNSTENV
// stored it when the report arrived.
struct fpu_fault {
    unsigned count;   // exceptions reported to the thread so far
    unsigned via;     // FPU_FAULT_VIA_MF or FPU_FAULT_VIA_IRQ13: how it arrived
    u16 cw, sw, tw, fop;
    u32 fip, fdp;
    u16 fcs, fds;
};
constexpr unsigned FPU_FAULT_VIA_MF = 16;
constexpr unsigned FPU_FAULT_VIA_IRQ13 = 13;

// A thread's x87 side. The save area is large enough for FXSAVE (512 bytes,
// 16-byte aligned: fpu_area() aligns inside it); FNSAVE uses its first 108.
struct fpu_struct {
    bool used;           // the thread has a saved x87 state (it ran an x87 instruction)
    fpu_fault fault;
    u8 raw_area[512 + 15];
};

struct fpu_counters {
    u64 nm_traps;     // #NM taken
    u64 saves;        // states saved into a thread (owner changed)
    u64 restores;     // states loaded from a thread
    u64 inits;        // first use: FNINIT
    u64 mf_reports;   // exceptions reported through #MF
    u64 irq13_reports;// exceptions reported through IRQ 13
};
extern fpu_counters fpu_stats;
// Whether the kernel saves with FXSAVE (CPUID.1:EDX.FXSR) rather than FNSAVE.
bool fpu_uses_fxsave();
// The thread whose state is in the x87 registers (nullptr: nobody's).
task_struct* fpu_current_owner();

// Boot: CR0.MP/NE set, EM clear, TS set; CR4.OSFXSR with FXSR; IRQ 13 handler.
void fpu_init();
// Context switch (interrupts off): sets CR0.TS so the next x87 use traps.
void fpu_switch_to(task_struct* prev, task_struct* next);
// An AP, before it runs threads: FNINIT, CR0.TS set.
void fpu_init_secondary();
// Thread exit: a dead thread no longer owns the registers.
void fpu_exit(task_struct* t);
// Exception entries (from do_exception, interrupts off).
void do_device_not_available(pt_regs* regs);
void do_coprocessor_error(pt_regs* regs);
