// Lazy x87 switching, #NM, #MF and IRQ 13 (asm/fpu.hpp says how it works).
//
// One owner of the x87 registers per CPU (cpu_data::fpu_owner, asm/percpu.hpp:
// each CPU has its own registers). The registers keep the owner's state while other threads run without touching
// the x87, so a thread switched out and back in without anyone else using the
// x87 costs one #NM and no save or restore.
#include <asm/cpufeature.hpp>
#include <asm/fpu.hpp>
#include <asm/io.hpp>
#include <asm/irq.hpp>
#include <asm/irqflags.hpp>
#include <asm/processor.hpp>
#include <asm/ptrace.hpp>
#include <asm/traps.hpp>
#include <kernel/bug.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/printk.hpp>
#include <kernel/process.hpp>
#include <kernel/sched.hpp>
#include <asm/smp.hpp>

constinit fpu_counters fpu_stats{};

namespace {

task_struct* this_fpu_owner() { return this_cpu_read(fpu_owner); }
void set_fpu_owner(task_struct* t) { this_cpu_write(fpu_owner, t); }
constinit bool use_fxsave = false;

constexpr u16 FPU_ERROR_LATCH_PORT = 0xF0;  // a write clears FERR#'s IRQ 13 latch

// The 32-bit protected-mode FNSTENV image (SDM vol. 1, figure 8-9).
struct [[gnu::packed]] fpu_env32 {
    u32 cw, sw, tw, fip;
    u16 fcs, fop;
    u32 fdp, fds;
};
static_assert(sizeof(fpu_env32) == 28);

inline void clts() { asm volatile("clts" ::: "memory"); }
inline void stts() { write_cr0(read_cr0() | X86_CR0_TS); }

u8* fpu_area(task_struct* t) {
    auto a = reinterpret_cast<uintptr_t>(t->fpu.raw_area);
    return reinterpret_cast<u8*>((a + 15) & ~uintptr_t{15});
}

void save_state(task_struct* t) {
    if (use_fxsave) asm volatile("fxsave %0" : "=m"(*reinterpret_cast<u8(*)[512]>(fpu_area(t))));
    else asm volatile("fnsave %0" : "=m"(*reinterpret_cast<u8(*)[108]>(fpu_area(t))));
    ++fpu_stats.saves;
}

void restore_state(task_struct* t) {
    // FNINIT first: the registers may still hold a dead thread's state with a
    // pending exception, which must not fire here.
    asm volatile("fninit");
    if (use_fxsave) asm volatile("fxrstor %0" ::"m"(*reinterpret_cast<const u8(*)[512]>(fpu_area(t))));
    else asm volatile("frstor %0" ::"m"(*reinterpret_cast<const u8(*)[108]>(fpu_area(t))));
    ++fpu_stats.restores;
}

// Records the pending exception of the state in the x87 registers (the
// owner's) into t, then clears the exception flags (FNSTENV masks every
// exception; FLDCW puts the owner's masks back once nothing is pending).
void take_fault(task_struct* t, unsigned via) {
    fpu_env32 env;
    asm volatile("fnstenv %0\n\tfnclex\n\tfldcw %0" : "=m"(env));
    if (!t) return;
    fpu_fault& f = t->fpu.fault;
    ++f.count;
    f.via = via;
    f.cw = static_cast<u16>(env.cw);
    f.sw = static_cast<u16>(env.sw);
    f.tw = static_cast<u16>(env.tw);
    f.fip = env.fip;
    f.fcs = env.fcs;
    f.fop = env.fop & 0x7FF;
    f.fdp = env.fdp;
    f.fds = static_cast<u16>(env.fds);
    printk("x87: exception in %s[%d] via %s: sw %04x cw %04x fip %04x:%08x fop %03x fdp %04x:%08x\n", t->comm,
           t->pid, via == FPU_FAULT_VIA_MF ? "#MF" : "IRQ 13", f.sw, f.cw, f.fcs, f.fip, f.fop, f.fds, f.fdp);
}

// IRQ 13 (CR0.NE = 0): the chipset latched FERR#. The exception belongs to the
// owner of the registers, who need not be the interrupted thread.
void fpu_irq13(unsigned, pt_regs*) {
    outb(0, FPU_ERROR_LATCH_PORT);  // clear the latch (asserts IGNNE# while FERR# lasts)
    u32 cr0 = read_cr0();
    clts();
    take_fault(this_fpu_owner(), FPU_FAULT_VIA_IRQ13);
    if (cr0 & X86_CR0_TS) write_cr0(cr0);
    ++fpu_stats.irq13_reports;
}

}  // namespace

bool fpu_uses_fxsave() { return use_fxsave; }
task_struct* fpu_current_owner() { return this_fpu_owner(); }

void fpu_init() {
    if (!boot_cpu_has(x86_feature::FPU)) panic("x87: this CPU has no FPU (this kernel has no math emulation)");
    use_fxsave = boot_cpu_has(x86_feature::FXSR);
    if (use_fxsave) write_cr4(read_cr4() | X86_CR4_OSFXSR);
    // MP: WAIT traps with TS too; NE: errors as #MF (vector 16), not FERR#.
    write_cr0((read_cr0() & ~X86_CR0_EM) | X86_CR0_MP | X86_CR0_NE | X86_CR0_TS);
    request_irq(FPU_IRQ, fpu_irq13, "fpu");
    printk("x87: lazy switching with %s, errors via #MF (IRQ 13 when CR0.NE is clear)\n",
           use_fxsave ? "FXSAVE/FXRSTOR" : "FNSAVE/FRSTOR");
}

void fpu_switch_to(task_struct* prev, task_struct*) {
    u32 cr0 = read_cr0();
    // With more than one CPU online, prev may next run on another CPU, whose
    // #NM would load prev's saved state: the registers here must not keep a
    // newer one. So a thread that used the x87 in this timeslice (it owns the
    // registers: every switch-out clears the owner) is saved now, as Linux's
    // i386 kernel did (__unlazy_fpu). With one CPU the state stays lazy.
    if (this_fpu_owner() == prev && num_online_cpus() > 1) {
        if (cr0 & X86_CR0_TS) clts();
        save_state(prev);
        set_fpu_owner(nullptr);
    }
    write_cr0(cr0 | X86_CR0_TS);
}

void fpu_init_secondary() {
    // An AP's x87 starts in its reset state, owned by nobody; TS makes the
    // first x87 instruction of a thread trap (#NM) as on the BSP.
    clts();
    asm volatile("fninit");
    stts();
}

void fpu_exit(task_struct* t) {
    unsigned long flags = local_irq_save();
    // The exiting thread runs here: only this CPU's registers can hold its
    // state (fpu_switch_to saves it at every switch-out when SMP).
    if (this_fpu_owner() == t) {
        set_fpu_owner(nullptr);
        stts();
    }
    local_irq_restore(flags);
}

void do_device_not_available(pt_regs* regs) {
    ++fpu_stats.nm_traps;
    if (read_cr0() & X86_CR0_EM) die("x87 instruction with CR0.EM set (no math emulation)", regs, 0);
    clts();
    task_struct* me = current;
    task_struct* owner = this_fpu_owner();
    if (owner == me) return;
    if (owner) save_state(owner);
    if (me->fpu.used) {
        restore_state(me);
    } else {
        asm volatile("fninit");
        me->fpu.used = true;
        ++fpu_stats.inits;
    }
    set_fpu_owner(me);
}

void do_coprocessor_error(pt_regs* regs) {
    // A waiting x87 instruction found an unmasked exception: the current
    // thread owns the registers (it just ran an x87 instruction).
    ++fpu_stats.mf_reports;
    take_fault(current, FPU_FAULT_VIA_MF);
    if (user_mode(regs)) force_sig_fault(SIGFPE, "x87 exception", regs, current->fpu.fault.fip);
}
