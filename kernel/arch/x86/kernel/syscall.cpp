// System calls: int 0x80 from ring 3, Linux's i386 convention. The number is
// in eax, the arguments in ebx, ecx, edx, esi, edi, ebp; the result (or a
// negative errno) goes back in eax. The table maps Linux's i386 numbers to
// the implementations in exec/sys.cpp.
#include <asm/ptrace.hpp>
#include <kernel/bug.hpp>
#include <kernel/preempt.hpp>
#include <kernel/process.hpp>
#include <kernel/sched.hpp>
#include <kernel/syscalls.hpp>

namespace {

struct syscall_entry {
    unsigned nr;
    long (*fn)(const syscall_args& args);
    const char* name;
};

constexpr syscall_entry syscall_table[] = {
    {__NR_exit, sys_exit, "exit"},
    {__NR_write, sys_write, "write"},
    {__NR_getpid, sys_getpid, "getpid"},
    {__NR_brk, sys_brk, "brk"},
    {__NR_munmap, sys_munmap, "munmap"},
    {__NR_sched_yield, sys_sched_yield, "sched_yield"},
    {__NR_nanosleep, sys_nanosleep, "nanosleep"},
    {__NR_mmap2, sys_mmap2, "mmap2"},
    {__NR_process_vm_readv, sys_process_vm_readv, "process_vm_readv"},
    {__NR_process_vm_writev, sys_process_vm_writev, "process_vm_writev"},
};

const syscall_entry* lookup(unsigned nr) {
    for (const syscall_entry& e : syscall_table)
        if (e.nr == nr) return &e;
    return nullptr;
}

// Before going back to user mode: a pending reschedule or kill is acted on
// here, in process context (Linux's exit_to_user_mode loop).
void exit_to_user_mode() {
    for (;;) {
        local_irq_disable();
        if (current->kill_pending) {
            local_irq_enable();
            do_exit(-EINTR);
        }
        if (!need_resched()) return;  // interrupts stay off until iret
        local_irq_enable();
        schedule();
    }
}

}  // namespace

void do_int80_syscall(pt_regs* regs) {
    BUG_ON(!user_mode(regs));
    local_irq_enable();
    ++process_stats.syscalls;
    syscall_args args{{regs->bx, regs->cx, regs->dx, regs->si, regs->di, regs->bp}};
    const syscall_entry* e = lookup(regs->ax);
    long ret = e ? e->fn(args) : -ENOSYS;
    regs->ax = static_cast<u32>(ret);
    exit_to_user_mode();
}
