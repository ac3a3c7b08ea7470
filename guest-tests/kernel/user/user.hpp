// A minimal user-space runtime for test programs: Linux i386 system calls
// through int 0x80, and a few string helpers. No libc.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace user {

inline long syscall6(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0) {
    long ret;
    // Arguments 5 and 6 travel through memory: ebp (the sixth register) is
    // the frame pointer, so it is loaded only around the int and restored.
    long last[2] = {e, f};
    long* p = last;
    asm volatile("push %%ebp\n"
                 "mov 4(%%edi), %%ebp\n"
                 "mov (%%edi), %%edi\n"
                 "int $0x80\n"
                 "pop %%ebp"
                 : "=a"(ret), "+D"(p)
                 : "0"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "m"(last)
                 : "memory");
    return ret;
}

constexpr long NR_exit = 1, NR_write = 4, NR_getpid = 20, NR_brk = 45, NR_munmap = 91, NR_sched_yield = 158,
               NR_nanosleep = 162, NR_mmap2 = 192, NR_process_vm_readv = 347, NR_process_vm_writev = 348;
constexpr long PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
constexpr long MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;
constexpr unsigned long PAGE = 4096;

struct timespec {
    int32_t tv_sec, tv_nsec;
};
struct iovec {
    void* iov_base;
    size_t iov_len;
};

inline size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    return n;
}
inline bool streq(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}
inline void copy(char* d, const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) d[i] = s[i];
}
inline long write(int fd, const void* buf, size_t n) { return syscall6(NR_write, fd, reinterpret_cast<long>(buf), static_cast<long>(n)); }
inline void puts(const char* s) { write(1, s, strlen(s)); }
inline long getpid() { return syscall6(NR_getpid); }
// brk(0) asks where the heap ends; brk(addr) moves it (the result says where it is now).
inline unsigned long brk(unsigned long addr) { return static_cast<unsigned long>(syscall6(NR_brk, static_cast<long>(addr))); }
// The address, or -errno (a value in [-4095, -1]).
inline long mmap(void* addr, unsigned long len, long prot, long flags, long fd = -1) {
    return syscall6(NR_mmap2, reinterpret_cast<long>(addr), static_cast<long>(len), prot, flags, fd, 0);
}
inline long munmap(volatile void* addr, unsigned long len) {
    return syscall6(NR_munmap, reinterpret_cast<long>(const_cast<void*>(addr)), static_cast<long>(len));
}
inline long sched_yield() { return syscall6(NR_sched_yield); }
inline long nanosleep(const timespec* req, timespec* rem) {
    return syscall6(NR_nanosleep, reinterpret_cast<long>(req), reinterpret_cast<long>(rem));
}
inline void sleep_ms(int ms) {
    timespec t{ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, nullptr);
}
[[noreturn]] inline void exit(int code) {
    syscall6(NR_exit, code);
    __builtin_unreachable();
}
inline long process_vm_rw(bool write, int pid, iovec* local, unsigned long nl, iovec* remote, unsigned long nr) {
    return syscall6(write ? NR_process_vm_writev : NR_process_vm_readv, pid, reinterpret_cast<long>(local),
                    static_cast<long>(nl), reinterpret_cast<long>(remote), static_cast<long>(nr), 0);
}
// Decimal or hex (0x) to a number; -1 if malformed.
inline long parse_long(const char* s) {
    long v = 0;
    int base = 10;
    if (s[0] == '0' && s[1] == 'x') base = 16, s += 2;
    if (!*s) return -1;
    for (; *s; ++s) {
        int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : 99;
        if (d >= base) return -1;
        v = v * base + d;
    }
    return v;
}
// Formats v in hex into buf (at least 11 bytes).
inline const char* hex(char* buf, unsigned long v) {
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 8; ++i) buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xF];
    buf[10] = 0;
    return buf;
}

}  // namespace user
