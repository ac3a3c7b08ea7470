// User processes: an ELF program run in ring 3 in its own address space,
// by a thread that enters user mode through iret and comes back through
// int 0x80 (system calls), interrupts and exceptions.
#pragma once
#include <kernel/sched.hpp>

struct mm_struct;

// Starts the ELF image (in memory) as a new process with the given argv
// (null-terminated). Returns its task (the caller holds a reference) or null
// with *err set to a negative errno. The process starts at once.
task_struct* process_spawn(const void* elf, unsigned long elf_size, const char* const* argv, const char* name,
                           int* err);
// Finds a live process by pid (a reference for the caller), or null.
task_struct* find_get_task_by_pid(int pid);

// Exit codes of processes killed by the kernel (Linux's signal numbers).
constexpr int SIGTRAP = 5;
constexpr int SIGILL = 4;
constexpr int SIGFPE = 8;
constexpr int SIGKILL = 9;
constexpr int SIGSEGV = 11;

// Called by the exception handlers for a fault in user mode: reports
// "comm[pid]: WHAT at ADDRESS ip IP sp SP error E (DETAIL): killed (signal S)"
// and ends the process.
struct pt_regs;
[[noreturn]] void force_sig_fault(int sig, const char* what, pt_regs* regs, unsigned long address,
                                  const char* detail = nullptr);

// do_exit's part for a process: leaves and drops its address space.
void exit_mm(task_struct* t);

// Counters.
struct process_counters {
    unsigned long spawned, syscalls, segfaults, uaccess_faults;
};
extern process_counters process_stats;
