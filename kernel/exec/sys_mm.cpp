// The memory system calls: brk, mmap2 (anonymous memory only) and munmap.
// They only change the list of regions; pages arrive on first touch (demand
// paging, arch/x86/mm/fault.cpp) and leave with the region.
#include <kernel/errno.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/sched.hpp>
#include <kernel/syscalls.hpp>

namespace {

// Linux's i386 values.
constexpr u32 PROT_READ = 0x1, PROT_WRITE = 0x2, PROT_EXEC = 0x4;
constexpr u32 MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;

unsigned long vm_flags_from_prot(u32 prot) {
    return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

}  // namespace

long sys_brk(const syscall_args& a) {
    mm_struct* mm = current->mm;
    MutexGuard lock(mm->mmap_lock);
    return static_cast<long>(do_brk(mm, a.arg[0]));
}

// mmap2(addr, length, prot, flags, fd, pgoffset). Only anonymous memory: there
// are no files. MAP_SHARED is accepted for it and behaves as MAP_PRIVATE,
// which is exact here since no process ever shares an address space.
long sys_mmap2(const syscall_args& a) {
    unsigned long addr = a.arg[0], len = a.arg[1];
    u32 prot = a.arg[2], flags = a.arg[3];
    if (!(flags & MAP_ANONYMOUS)) return -ENODEV;  // file mappings: no files
    if ((flags & (MAP_SHARED | MAP_PRIVATE)) == 0 || (flags & ~(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS)) ||
        (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return -EINVAL;
    mm_struct* mm = current->mm;
    MutexGuard lock(mm->mmap_lock);
    return do_mmap_anon(mm, addr, len, vm_flags_from_prot(prot),
                        (flags & MAP_FIXED) ? map_placement::fixed : map_placement::anywhere);
}

long sys_munmap(const syscall_args& a) {
    mm_struct* mm = current->mm;
    MutexGuard lock(mm->mmap_lock);
    return do_munmap(mm, a.arg[0], a.arg[1]);
}
