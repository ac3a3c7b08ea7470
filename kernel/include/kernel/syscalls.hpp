// System call numbers (Linux i386) and implementations (exec/sys.cpp).
#pragma once
#include <kernel/errno.hpp>
#include <kernel/types.hpp>

constexpr unsigned __NR_exit = 1;
constexpr unsigned __NR_write = 4;
constexpr unsigned __NR_getpid = 20;
constexpr unsigned __NR_brk = 45;
constexpr unsigned __NR_munmap = 91;
constexpr unsigned __NR_sched_yield = 158;
constexpr unsigned __NR_nanosleep = 162;
constexpr unsigned __NR_mmap2 = 192;
constexpr unsigned __NR_process_vm_readv = 347;
constexpr unsigned __NR_process_vm_writev = 348;


// The six argument registers of a system call.
struct syscall_args {
    u32 arg[6];
    template <typename T>
    T get(unsigned i) const {
        if constexpr (__is_pointer(T)) return reinterpret_cast<T>(arg[i]);
        else return static_cast<T>(arg[i]);
    }
};

struct pt_regs;
void do_int80_syscall(pt_regs* regs);

long sys_exit(const syscall_args& a);
long sys_write(const syscall_args& a);
long sys_getpid(const syscall_args& a);
long sys_brk(const syscall_args& a);
long sys_mmap2(const syscall_args& a);
long sys_munmap(const syscall_args& a);
long sys_sched_yield(const syscall_args& a);
long sys_nanosleep(const syscall_args& a);
long sys_process_vm_readv(const syscall_args& a);
long sys_process_vm_writev(const syscall_args& a);
