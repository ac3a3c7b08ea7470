// Exception dispatch. Every exception from kernel mode is a bug and becomes an
// oops (die()); #UD may be a BUG()/WARN() site, #PF goes to do_page_fault().
#include <asm/apic.hpp>
#include <asm/smp.hpp>
#include <asm/desc.hpp>
#include <asm/fpu.hpp>
#include <asm/ptrace.hpp>
#include <asm/traps.hpp>
#include <kernel/bug.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/printk.hpp>
#include <kernel/process.hpp>
#include <kernel/syscalls.hpp>

namespace {

const char* const exception_names[] = {
    "divide error",           "debug",                 "NMI",
    "int3",                   "overflow",              "bounds",
    "invalid opcode",         "device not available",  "double fault",
    "coprocessor segment overrun", "invalid TSS",      "segment not present",
    "stack segment",          "general protection fault", "page fault",
    "reserved (15)",          "coprocessor error",     "alignment check",
    "machine check",          "SIMD floating-point exception", "virtualization exception",
    "control protection",     "reserved (22)",         "reserved (23)",
    "reserved (24)",          "reserved (25)",         "reserved (26)",
    "reserved (27)",          "hypervisor injection",  "VMM communication",
    "security exception",     "reserved (31)",
};
static_assert(ARRAY_SIZE(exception_names) == NR_EXCEPTION_VECTORS, "one name per exception vector");

// Exceptions whose error code is a segment selector (Intel SDM vol. 3, 6.13).
bool error_code_is_selector(unsigned v) {
    return v == X86_TRAP_TS || v == X86_TRAP_NP || v == X86_TRAP_SS || v == X86_TRAP_GP;
}

void do_invalid_op(pt_regs* regs) {
    switch (report_bug(regs->ip, regs)) {
    case bug_trap_type::warn:
        regs->ip += 2;  // resume after the ud2
        return;
    case bug_trap_type::bug:
        die("invalid opcode (BUG)", regs, 0);
    case bug_trap_type::none:
        die("invalid opcode", regs, 0);
    }
}

// The signal a user-mode exception ends the process with (Linux's choice).
int signal_for(unsigned v) {
    switch (v) {
    case X86_TRAP_DE: return SIGFPE;
    case X86_TRAP_DB:
    case X86_TRAP_BP: return SIGTRAP;
    case X86_TRAP_UD: return SIGILL;
    default: return SIGSEGV;
    }
}

}  // namespace

const char* exception_name(unsigned vector) {
    return vector < NR_EXCEPTION_VECTORS ? exception_names[vector] : "interrupt";
}

void do_exception(pt_regs* regs) {
    unsigned v = regs->vector;
    if (v == X86_TRAP_PF) return do_page_fault(regs, regs->error_code);
    // x87: lazy switching and error reports, legal in kernel threads too.
    if (v == X86_TRAP_NM) return do_device_not_available(regs);
    if (v == X86_TRAP_MF) return do_coprocessor_error(regs);
    if (user_mode(regs)) force_sig_fault(signal_for(v), exception_names[v], regs, 0);
    if (v == X86_TRAP_UD) return do_invalid_op(regs);
    unsigned n = oops_begin();
    printk("Oops: %s (vector %u), error code 0x%04x [#%u]\n", exception_names[v], v, regs->error_code, n);
    if (error_code_is_selector(v) && regs->error_code) {
        u32 e = regs->error_code;
        printk("  error code: selector index %u in the %s%s\n", e >> 3,
               (e & 2) ? "IDT" : (e & 4) ? "LDT" : "GDT", (e & 1) ? " (external event)" : "");
    }
    show_regs(regs);
    oops_end(regs, exception_names[v]);
}

extern "C" void do_interrupt(pt_regs* regs) {
    if (regs->vector < NR_EXCEPTION_VECTORS) do_exception(regs);
    else if (regs->vector >= FIRST_EXTERNAL_VECTOR && regs->vector < FIRST_EXTERNAL_VECTOR + NR_IRQS)
        do_IRQ(regs);
    else if (regs->vector == LOCAL_TIMER_VECTOR && apic_mode)
        smp_apic_timer_interrupt(regs);
    else if (regs->vector == SPURIOUS_APIC_VECTOR && apic_mode)
        smp_spurious_interrupt(regs);
    else if (regs->vector == ERROR_APIC_VECTOR && apic_mode)
        smp_error_interrupt(regs);
    else if (regs->vector == SYSCALL_VECTOR && user_mode(regs))
        do_int80_syscall(regs);
    else if (regs->vector == CALL_FUNCTION_VECTOR && apic_mode)
        smp_call_function_interrupt(regs);
    else if (regs->vector == RESCHEDULE_VECTOR && apic_mode)
        smp_reschedule_interrupt(regs);
    else
        die("unexpected interrupt vector", regs, regs->vector);
}
