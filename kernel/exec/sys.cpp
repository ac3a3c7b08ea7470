// The system calls (numbers and the dispatcher: arch/x86/kernel/syscall.cpp).
// Pointers from user space are only ever used through copy_from_user /
// copy_to_user (a bad one gives -EFAULT), or, for another process's memory,
// through get_user_pages + kmap_local.
#include <kernel/errno.hpp>
#include <kernel/highmem.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/printk.hpp>
#include <kernel/process.hpp>
#include <kernel/syscalls.hpp>
#include <kernel/uaccess.hpp>

namespace {

struct user_timespec {
    s32 tv_sec;
    s32 tv_nsec;
};

struct user_iovec {
    u32 iov_base;
    u32 iov_len;
};

constexpr unsigned UIO_MAXIOV = 16;  // Linux allows 1024; this kernel's buffers are on the stack

// Pins the remote page, maps it with kmap_local and copies between it and the
// caller's user buffer (process_vm_rw_pages in Linux).
long rw_remote_chunk(mm_struct* remote, unsigned long raddr, unsigned long laddr, unsigned long len, bool write) {
    page* p;
    if (get_user_pages(remote, raddr, 1, write ? FOLL_WRITE : 0, &p) != 1) return -EFAULT;
    u8* k = static_cast<u8*>(kmap_local_page(p));
    unsigned long off = raddr & ~PAGE_MASK;
    unsigned long left = write ? copy_from_user(k + off, reinterpret_cast<void*>(laddr), len)
                               : copy_to_user(reinterpret_cast<void*>(laddr), k + off, len);
    kunmap_local(k);
    put_page(p);
    return static_cast<long>(len - left);
}

long process_vm_rw(const syscall_args& a, bool write) {
    int pid = a.get<int>(0);
    unsigned long liovcnt = a.arg[2], riovcnt = a.arg[4];
    if (a.arg[5] != 0 || liovcnt > UIO_MAXIOV || riovcnt > UIO_MAXIOV) return -EINVAL;
    user_iovec lvec[UIO_MAXIOV], rvec[UIO_MAXIOV];
    if (copy_from_user(lvec, a.get<const void*>(1), liovcnt * sizeof(user_iovec)) ||
        copy_from_user(rvec, a.get<const void*>(3), riovcnt * sizeof(user_iovec)))
        return -EFAULT;
    task_struct* t = find_get_task_by_pid(pid);
    if (!t) return -ESRCH;
    mm_struct* mm = nullptr;
    {
        SpinLockIrqSaveGuard guard(task_mm_lock);  // t->mm and mm->users (Linux: task_lock)
        mm = t->mm;
        if (mm) ++mm->users;  // mmget: the address space outlives a concurrent exit
    }
    put_task_struct(t);
    if (!mm) return -EINVAL;  // a kernel thread
    long total = 0;
    unsigned li = 0, ri = 0;
    unsigned long loff = 0, roff = 0;
    while (li < liovcnt && ri < riovcnt) {
        unsigned long laddr = lvec[li].iov_base + loff, raddr = rvec[ri].iov_base + roff;
        unsigned long n = lvec[li].iov_len - loff;
        if (rvec[ri].iov_len - roff < n) n = rvec[ri].iov_len - roff;
        if (PAGE_SIZE - (raddr & ~PAGE_MASK) < n) n = PAGE_SIZE - (raddr & ~PAGE_MASK);
        if (n) {
            long done = rw_remote_chunk(mm, raddr, laddr, n, write);
            if (done > 0) total += done;
            if (done != static_cast<long>(n)) {
                if (!total) total = done < 0 ? done : -EFAULT;
                break;
            }
        }
        loff += n;
        roff += n;
        if (loff == lvec[li].iov_len) ++li, loff = 0;
        if (roff == rvec[ri].iov_len) ++ri, roff = 0;
    }
    mmput(mm);
    return total;
}

}  // namespace

long sys_exit(const syscall_args& a) { do_exit(a.get<int>(0) & 0xFF); }

long sys_write(const syscall_args& a) {
    unsigned fd = a.arg[0];
    auto buf = a.arg[1];
    unsigned long count = a.arg[2];
    if (fd != 1 && fd != 2) return -EBADF;
    char chunk[128];
    unsigned long written = 0;
    while (written < count) {
        unsigned long n = count - written < sizeof chunk ? count - written : sizeof chunk;
        unsigned long left = copy_from_user(chunk, reinterpret_cast<const void*>(buf + written), n);
        printk("%.*s", static_cast<int>(n - left), chunk);
        written += n - left;
        if (left) return written ? static_cast<long>(written) : -EFAULT;
    }
    return static_cast<long>(written);
}

long sys_getpid(const syscall_args&) { return current->pid; }

long sys_sched_yield(const syscall_args&) {
    yield();
    return 0;
}

long sys_nanosleep(const syscall_args& a) {
    user_timespec req;
    if (copy_from_user(&req, a.get<const void*>(0), sizeof req)) return -EFAULT;
    if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= 1000000000) return -EINVAL;
    u64 ms = static_cast<u64>(req.tv_sec) * 1000 + (static_cast<u64>(req.tv_nsec) + 999999) / 1000000;
    msleep(static_cast<unsigned>(ms));
    if (a.arg[1]) {
        user_timespec rem{0, 0};
        if (copy_to_user(a.get<void*>(1), &rem, sizeof rem)) return -EFAULT;
    }
    return 0;
}

long sys_process_vm_readv(const syscall_args& a) { return process_vm_rw(a, false); }
long sys_process_vm_writev(const syscall_args& a) { return process_vm_rw(a, true); }
