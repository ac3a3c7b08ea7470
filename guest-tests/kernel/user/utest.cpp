// The user-mode test program: one binary, a behaviour per argv[1], run by the
// kernel's process suite (guest-tests/kernel/process_test.cpp). The exit
// status tells the kernel test what happened.
#include "user.hpp"
#include "user_abi.hpp"

using namespace user;

namespace {

struct shared_area {
    uint32_t magic;
    volatile uint32_t cmd;
    uint32_t pad[2];
    char text[UTEST_TEXT_LEN];
};
static_assert(__builtin_offsetof(shared_area, cmd) == UTEST_CMD_OFFSET);
static_assert(__builtin_offsetof(shared_area, text) == UTEST_TEXT_OFFSET);

[[gnu::section(".shared"), gnu::used]] shared_area shared = {UTEST_MAGIC, 0, {0, 0}, UTEST_SECRET};

int hello() {
    unsigned cs;
    asm volatile("mov %%cs, %0" : "=r"(cs));
    char buf[12];
    puts("hello from ring 3, cs=");
    puts(hex(buf, cs));
    puts("\n");
    return (cs & 3) == 3 ? 7 : 1;
}

int syscalls() {
    // Each check that fails exits with its number.
    if (write(1, reinterpret_cast<const void*>(16), 5) != -14) return 1;          // unmapped: -EFAULT
    if (write(1, reinterpret_cast<const void*>(0xC0100000), 4) != -14) return 2;  // kernel memory: -EFAULT
    if (write(3, "x", 1) != -9) return 3;                                          // -EBADF
    if (syscall6(9999) != -38) return 4;                                           // -ENOSYS
    timespec t{0, 20 * 1000 * 1000};
    if (nanosleep(&t, nullptr) != 0) return 5;
    if (nanosleep(reinterpret_cast<const timespec*>(0xC0000000), nullptr) != -14) return 6;
    timespec bad{0, 2000000000};
    if (nanosleep(&bad, nullptr) != -22) return 7;
    timespec rem{5, 5};
    if (nanosleep(&t, &rem) != 0 || rem.tv_sec != 0 || rem.tv_nsec != 0) return 8;
    if (sched_yield() != 0) return 9;
    // A buffer that runs off the end of the shared page into the unmapped one
    // after it: the copy faults half way, the bytes before the hole are
    // written and the count says so.
    char* page_end = reinterpret_cast<char*>(UTEST_SHARED_ADDR + 4096 - 8);
    copy(page_end, "[tail!]\n", 8);
    if (write(1, page_end, 64) != 8) return 10;
    if (getpid() <= 1) return 11;
    return 0;
}

int target() {
    // Wait (asleep) until the kernel or another process writes to us.
    while (shared.cmd == 0) sleep_ms(5);
    const char* expect = shared.cmd == UTEST_CMD_FROM_KERNEL ? "written by the kernel" : "written by peek";
    return streq(shared.text, expect) ? static_cast<int>(shared.cmd) : 100;
}

int peek(long pid) {
    char buf[UTEST_TEXT_LEN] = {};
    iovec local{buf, sizeof buf};
    iovec remote{reinterpret_cast<void*>(UTEST_SHARED_ADDR + UTEST_TEXT_OFFSET), sizeof buf};
    long n = process_vm_rw(false, static_cast<int>(pid), &local, 1, &remote, 1);
    if (n != static_cast<long>(sizeof buf)) return 1;
    if (!streq(buf, UTEST_SECRET)) return 2;
    puts("peek read: ");
    puts(buf);
    puts("\n");
    char msg[] = "written by peek";
    iovec wlocal{msg, sizeof msg};
    iovec wremote{reinterpret_cast<void*>(UTEST_SHARED_ADDR + UTEST_TEXT_OFFSET), sizeof msg};
    if (process_vm_rw(true, static_cast<int>(pid), &wlocal, 1, &wremote, 1) != static_cast<long>(sizeof msg)) return 3;
    uint32_t cmd = UTEST_CMD_FROM_PEEK;
    iovec clocal{&cmd, 4};
    iovec cremote{reinterpret_cast<void*>(UTEST_SHARED_ADDR + UTEST_CMD_OFFSET), 4};
    if (process_vm_rw(true, static_cast<int>(pid), &clocal, 1, &cremote, 1) != 4) return 4;
    // Errors: no such process; a remote address in the kernel half.
    if (process_vm_rw(false, 99999, &local, 1, &remote, 1) != -3) return 5;
    iovec kernel{reinterpret_cast<void*>(0xC0100000), 16};
    if (process_vm_rw(false, static_cast<int>(getpid()), &local, 1, &kernel, 1) != -14) return 6;
    return 0;
}

void (*volatile function_pointer)();

}  // namespace

extern "C" int main(int argc, char** argv) {
    if (argc < 2) {
        puts("utest: which test?\n");
        return 99;
    }
    const char* what = argv[1];
    if (streq(what, "hello")) return hello();
    if (streq(what, "args")) return argc == 4 && streq(argv[2], "two") && streq(argv[3], "three") ? 42 : 1;
    if (streq(what, "pid")) return static_cast<int>(getpid() & 0xFF);
    if (streq(what, "syscalls")) return syscalls();
    if (streq(what, "target")) return target();
    if (streq(what, "peek") && argc == 3) return peek(parse_long(argv[2]));
    if (streq(what, "spin")) {
        for (volatile unsigned long i = 0;; i = i + 1) {
        }
    }
    if (streq(what, "null")) return *reinterpret_cast<volatile int*>(0);
    if (streq(what, "write-text")) {
        *reinterpret_cast<volatile char*>(reinterpret_cast<unsigned long>(&main)) = 0;
        return 0;
    }
    if (streq(what, "kernel-read")) return *reinterpret_cast<volatile int*>(0xC0100000);
    if (streq(what, "exec-stack")) {
        volatile unsigned char code[4] = {0xC3};  // ret
        function_pointer = reinterpret_cast<void (*)()>(const_cast<unsigned char*>(code));
        function_pointer();
        return 0;  // only without NX
    }
    if (streq(what, "int3")) asm volatile("int3");
    if (streq(what, "ud2")) asm volatile("ud2");
    if (streq(what, "div0")) asm volatile("xor %%ecx, %%ecx; mov $1, %%eax; xor %%edx, %%edx; divl %%ecx" ::: "eax", "ecx", "edx");
    if (streq(what, "int81")) asm volatile("int $0x81");  // a ring-0-only gate: #GP
    puts("utest: unknown test\n");
    return 98;
}
