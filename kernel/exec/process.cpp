// User processes: creation (an address space, the program, a stack with its
// arguments, a thread that drops to ring 3), faults in user mode, and exit.
#include <asm/ptrace.hpp>
#include <kernel/binfmt.hpp>
#include <kernel/errno.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/printk.hpp>
#include <kernel/process.hpp>
#include <kernel/slab.hpp>

extern "C" [[noreturn]] void start_user_thread(u32 ip, u32 sp, u32 kernel_stack_top);

constinit process_counters process_stats{};

namespace {

struct user_start {
    unsigned long ip, sp;
};

// The new process's thread, in kernel mode on its own page tables (the
// context switch loaded them): off to user space, for good.
int user_thread(void* arg) {
    auto* start = static_cast<user_start*>(arg);
    unsigned long ip = start->ip, sp = start->sp;
    kfree(start);
    start_user_thread(ip, sp, reinterpret_cast<u32>(current->stack) + THREAD_SIZE);
}

}  // namespace

task_struct* process_spawn(const void* elf, unsigned long elf_size, const char* const* argv, const char* name,
                           int* err) {
    mm_struct* mm = mm_alloc();
    if (!mm) {
        *err = -ENOMEM;
        return nullptr;
    }
    unsigned long entry = 0, sp = 0;
    int r = load_elf_binary(mm, elf, elf_size, &entry);
    if (!r) {
        MutexGuard lock(mm->mmap_lock);
        r = mmap_region(mm, STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE, VM_READ | VM_WRITE | VM_GROWSDOWN);
    }
    if (!r) r = setup_arg_pages(mm, argv, &sp);
    auto* start = r ? nullptr : static_cast<user_start*>(kmalloc(sizeof(user_start), GFP_KERNEL));
    task_struct* t = start ? kthread_create(user_thread, start, name) : nullptr;
    if (!t) {
        kfree(start);
        mmput(mm);
        *err = r ? r : -ENOMEM;
        return nullptr;
    }
    start->ip = entry;
    start->sp = sp;
    t->mm = mm;
    t->flags &= ~PF_KTHREAD;
    ++process_stats.spawned;
    *err = 0;
    wake_up_process(t);
    return t;
}

void force_sig_fault(int sig, const char* what, pt_regs* regs, unsigned long address, const char* detail) {
    task_struct* t = current;
    if (sig == SIGSEGV) ++process_stats.segfaults;
    printk("%s[%d]: %s at %08lx ip %08x sp %08x error %x%s%s%s: killed (signal %d)\n", t->comm, t->pid, what, address,
           regs->ip, regs->sp, regs->error_code, detail ? " (" : "", detail ? detail : "", detail ? ")" : "", sig);
    local_irq_enable();
    do_exit(sig);
}

// do_exit's part for a process: leave the address space and drop it.
void exit_mm(task_struct* t) {
    mm_struct* mm = t->mm;
    if (!mm) return;
    {
        SpinLockIrqSaveGuard guard(task_mm_lock);  // t->mm and mm->users (Linux: task_lock)
        t->mm = nullptr;
        switch_mm(&init_mm);  // never free the tables CR3 points at
    }
    mmput(mm);
}
