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
    volatile uint32_t state;
    uint32_t mmap_addr, bss_addr, heap_addr;
    uint32_t pad[2];
    char text[UTEST_TEXT_LEN];
};
static_assert(__builtin_offsetof(shared_area, cmd) == UTEST_CMD_OFFSET);
static_assert(__builtin_offsetof(shared_area, state) == UTEST_STATE_OFFSET);
static_assert(__builtin_offsetof(shared_area, mmap_addr) == UTEST_MMAP_ADDR_OFFSET);
static_assert(__builtin_offsetof(shared_area, bss_addr) == UTEST_BSS_ADDR_OFFSET);
static_assert(__builtin_offsetof(shared_area, heap_addr) == UTEST_HEAP_ADDR_OFFSET);
static_assert(__builtin_offsetof(shared_area, text) == UTEST_TEXT_OFFSET);

[[gnu::section(".shared"), gnu::used]] shared_area shared = {UTEST_MAGIC, 0, 0, 0, 0, 0, {0, 0}, UTEST_SECRET};

// Never touched before the lazy test: its pages must appear only then.
[[gnu::aligned(4096)]] volatile unsigned char bss_pages[UTEST_LAZY_BSS_PAGES * PAGE];
// A page for the kernel to write into (copy_to_user) before the program touches it.
[[gnu::aligned(4096)]] volatile unsigned char uaccess_pages[2 * PAGE];

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

// Sets the step and waits for the kernel test to acknowledge it.
void step(uint32_t n) {
    shared.state = n;
    while (shared.cmd < n) sleep_ms(2);
}

bool is_error(long v) { return v < 0 && v >= -4095; }

// Reads a page (must be zero: fresh memory) and writes a pattern into it.
bool touch(volatile unsigned char* p, unsigned char pattern) {
    if (p[0] != 0 || p[PAGE - 1] != 0) return false;
    p[0] = pattern;
    p[PAGE - 1] = pattern;
    return p[0] == pattern && p[PAGE - 1] == pattern;
}

int lazy() {
    long m = mmap(nullptr, UTEST_LAZY_MMAP_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    if (is_error(m)) return 1;
    unsigned long heap = brk(0);
    if (brk(heap + UTEST_LAZY_HEAP_PAGES * PAGE) != heap + UTEST_LAZY_HEAP_PAGES * PAGE) return 2;
    auto* region = reinterpret_cast<volatile unsigned char*>(m);
    auto* heap_bytes = reinterpret_cast<volatile unsigned char*>(heap);
    shared.mmap_addr = static_cast<uint32_t>(m);
    shared.bss_addr = reinterpret_cast<uint32_t>(&bss_pages[0]);
    shared.heap_addr = static_cast<uint32_t>(heap);
    step(1);
    for (unsigned i = 0; i < UTEST_LAZY_MMAP_PAGES; i += 2)
        if (!touch(region + i * PAGE, static_cast<unsigned char>(i + 1))) return 3;
    for (unsigned i = 0; i < UTEST_LAZY_HEAP_PAGES; ++i)
        if (!touch(heap_bytes + i * PAGE, 0x40)) return 4;
    for (unsigned i = 0; i < UTEST_LAZY_BSS_PAGES; ++i)
        if (!touch(bss_pages + i * PAGE, 0x50)) return 5;
    step(2);
    if (munmap(region, UTEST_LAZY_MMAP_PAGES * PAGE) != 0) return 6;
    if (brk(heap) != heap) return 7;
    step(3);
    return region[0];  // unmapped: SIGSEGV
}

// The heap: brk moves, the memory behind it reads zero, shrinking gives it
// back (a touch beyond the new end is a segfault).
int heap() {
    unsigned long start = brk(0);
    if (start == 0 || (start & (PAGE - 1))) return 1;
    if (brk(start - PAGE) != start) return 2;  // below the start: refused
    unsigned long end = start + 10 * PAGE + 123;
    if (brk(end) != end) return 3;
    auto* h = reinterpret_cast<volatile unsigned char*>(start);
    for (unsigned long off = 0; off < end - start; off += PAGE) h[off] = 0x77;
    h[end - start - 1] = 0x78;
    if (brk(0) != end) return 4;
    if (brk(0xB8001000) != end) return 5;           // above the mmap base: refused
    if (brk(start + PAGE) != start + PAGE) return 6;  // shrink to one page
    if (h[0] != 0x77) return 7;                        // the first page survives
    if (brk(end) != end) return 8;                     // grow again: fresh zeroed pages
    if (h[PAGE] != 0 || h[end - start - 1] != 0) return 9;
    brk(start + PAGE);
    return h[2 * PAGE];  // beyond the heap now: SIGSEGV
}

// Anonymous mmap: placement, zero fill, munmap splitting a region, MAP_FIXED,
// and the errors.
int mmap_test() {
    long a = mmap(nullptr, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    if (is_error(a) || (a & (PAGE - 1)) || static_cast<unsigned long>(a) >= 0xC0000000ul) return 1;
    long b = mmap(nullptr, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
    if (is_error(b) || b + static_cast<long>(PAGE) > a) return 2;  // top-down: below the first
    auto* p = reinterpret_cast<volatile unsigned char*>(a);
    for (unsigned i = 0; i < 3; ++i)
        if (!touch(p + i * PAGE, static_cast<unsigned char>(0x10 + i))) return 3;
    if (reinterpret_cast<volatile unsigned char*>(b)[100] != 0) return 4;  // read-only, reads zero
    if (munmap(const_cast<unsigned char*>(p) + PAGE, PAGE) != 0) return 5;  // split in two
    if (p[0] != 0x10 || p[2 * PAGE] != 0x12) return 6;
    // MAP_FIXED over the hole: a fresh page there.
    long f = mmap(const_cast<unsigned char*>(p) + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    if (f != a + static_cast<long>(PAGE) || p[PAGE] != 0) return 7;
    if (mmap(nullptr, PAGE, PROT_READ, MAP_PRIVATE, 3) != -19) return 8;                 // a file: -ENODEV
    if (mmap(nullptr, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS) != -22) return 9;       // empty: -EINVAL
    if (mmap(nullptr, PAGE, PROT_READ, MAP_ANONYMOUS) != -22) return 10;                 // neither shared nor private
    if (munmap(reinterpret_cast<void*>(a + 1), PAGE) != -22) return 11;                  // unaligned
    if (munmap(reinterpret_cast<void*>(a), 3 * PAGE) != 0 || munmap(reinterpret_cast<void*>(b), PAGE) != 0) return 12;
    if (munmap(reinterpret_cast<void*>(a), 3 * PAGE) != 0) return 13;  // nothing there: fine
    return p[0];  // unmapped: SIGSEGV
}

// The stack grows down on faults below it, up to the stack limit.
[[gnu::noinline]] int deep(int n) {
    unsigned char frame[1024];
    for (unsigned i = 0; i < sizeof frame; i += 256) frame[i] = static_cast<unsigned char>(n);
    asm volatile("" ::"r"(frame) : "memory");  // the frame exists, whole
    if (n == 0) return frame[0];
    return deep(n - 1) + frame[768] - static_cast<unsigned char>(n);
}

int stack_grow() {
    // 256 frames of more than 1 KiB: well beyond the 16 KiB the stack starts with.
    return deep(256);
}

int stack_too_far() {
    // Below the stack limit (8 MiB) there is nothing to grow into.
    auto* far = reinterpret_cast<volatile unsigned char*>(0xC0000000ul - 9 * 1024 * 1024);
    return far[0];
}

// The kernel writes into and reads from pages this program never touched:
// copy_to_user/copy_from_user populate them.
int uaccess_demand() {
    timespec* req = const_cast<timespec*>(reinterpret_cast<volatile timespec*>(&uaccess_pages[0]));
    timespec* rem = const_cast<timespec*>(reinterpret_cast<volatile timespec*>(&uaccess_pages[PAGE]));
    // req reads {0, 0} (fresh zeroed memory); rem is written by the kernel.
    if (nanosleep(req, rem) != 0) return 1;
    if (rem->tv_sec != 0 || rem->tv_nsec != 0) return 2;
    return 0;
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
    if (streq(what, "lazy")) return lazy();
    if (streq(what, "heap")) return heap();
    if (streq(what, "mmap")) return mmap_test();
    if (streq(what, "stack-grow")) return stack_grow();
    if (streq(what, "stack-too-far")) return stack_too_far();
    if (streq(what, "uaccess-demand")) return uaccess_demand();
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
    if (streq(what, "x87-div0")) {
        // 1/0 with divide-by-zero unmasked; the FWAIT reports it (#MF): SIGFPE.
        static const unsigned short cw = 0x037B;
        asm volatile("fninit; fldcw %0; fld1; fldz; fdivrp; fwait" ::"m"(cw));
    }
    if (streq(what, "int81")) asm volatile("int $0x81");  // a ring-0-only gate: #GP
    puts("utest: unknown test\n");
    return 98;
}
