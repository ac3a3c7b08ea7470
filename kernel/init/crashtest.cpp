// crash=TYPE: makes the kernel fail on purpose right after boot, so the oops
// reports themselves can be tested (like Linux's lkdtm). Each type exercises one
// exception path; the expected report is described in docs/kernel.md.
#include <asm/layout.hpp>
#include <asm/pgtable.hpp>
#include <kernel/bug.hpp>
#include <kernel/cmdline.hpp>
#include <kernel/crashtest.hpp>
#include <kernel/highmem.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/printk.hpp>
#include <kernel/string.hpp>
#include <kernel/timer.hpp>
#include <kernel/version.hpp>
#include <kernel/vmalloc.hpp>

namespace {

constinit char crash_type[32] = "";

bool parse_crash(const char* v) {
    if (!*v || strlen(v) >= sizeof crash_type) return false;
    strlcpy(crash_type, v, sizeof crash_type);
    return true;
}
early_param("crash", parse_crash, "expected a crash type, e.g. crash=null (see docs/kernel.md)");

}  // namespace

// A "function" in writable data: just a ret instruction. Calling it faults with
// an instruction-fetch #PF when NX is active, and returns harmlessly otherwise.
// (External linkage, so the compiler cannot move it to read-only data.)
extern "C" constinit u8 crashtest_data_code[16] = {0xC3};

namespace {

__noinline void crash_null() { (void)*reinterpret_cast<volatile u32*>(0); }
__noinline void crash_write_ro() { const_cast<volatile char*>(linux_banner)[0] = 'X'; }
__noinline void crash_exec_data() { reinterpret_cast<void (*)()>(crashtest_data_code)(); }
__noinline void crash_unmapped() { (void)*reinterpret_cast<volatile u32*>(VMALLOC_START() + 0x1234); }
__noinline void crash_bug() { BUG(); }
__noinline void crash_warn() { WARN_ON(true); }
__noinline void crash_ud() { asm volatile("ud2"); }
// In assembly: the compiler may assume a C++ division never divides by zero.
__noinline void crash_div0() { asm volatile("xor %%ecx, %%ecx; mov $1, %%eax; xor %%edx, %%edx; divl %%ecx" ::: "eax", "ecx", "edx"); }
// A selector beyond the end of the GDT: #GP with the selector as error code.
__noinline void crash_gp() { asm volatile("mov %0, %%ds" ::"r"(0x1230) : "memory"); }

// kmap may sleep: from a timer (hardirq context) it is a bug, which
// might_sleep() reports with a stack trace; as in Linux the kernel goes on
// (with a free pkmap slot this kmap does not sleep; the page stays mapped).
constinit timer_list kmap_timer{};
void kmap_from_irq(timer_list*) {
    page* p = alloc_page(GFP_ATOMIC | __GFP_HIGHMEM);
    if (p) kmap(p);
}
__noinline void crash_kmap_in_irq() {
    timer_setup(&kmap_timer, kmap_from_irq);
    mod_timer(&kmap_timer, get_jiffies_64() + 1);
    msleep(1000);
}

// A runaway recursion on a stack whose next page down is unmapped: the
// vmalloc area of the stack sits right above the guard page of the area
// before it (or the hole below VMALLOC_START). When the recursion reaches
// that page, the #PF cannot push its frame: a double fault.
__noinline void recurse_forever(unsigned depth) {
    volatile u8 frame[256];
    frame[0] = static_cast<u8>(depth);
    asm volatile("" ::"r"(frame) : "memory");
    if (depth != ~0u) recurse_forever(depth + 1);  // (forever: the stack ends long before)
    frame[1] = 0;  // not a tail call
}
__noinline void crash_stack_overflow() {
    auto base = reinterpret_cast<unsigned long>(vmalloc(THREAD_SIZE));
    if (!base) panic("crash=stack-overflow: no memory for the stack");
    if (kernel_virt_to_phys(base - PAGE_SIZE, nullptr, nullptr)) panic("crash=stack-overflow: no guard page below %08lx", base);
    printk("crashtest: recursing on an %u KiB stack at %08lx-%08lx; the page below it is unmapped\n", THREAD_SIZE / 1024,
           base, base + THREAD_SIZE);
    asm volatile("mov %0, %%esp\n\t"
                 "xor %%ebp, %%ebp\n\t"
                 "push $0\n\t"
                 "call *%1" ::"r"(base + THREAD_SIZE), "r"(&recurse_forever)
                 : "memory");
    __builtin_unreachable();
}

struct crash_kind {
    const char* name;
    void (*fn)();
};
constexpr crash_kind crash_kinds[] = {
    {"null", crash_null}, {"write-ro", crash_write_ro}, {"exec-data", crash_exec_data},
    {"unmapped", crash_unmapped}, {"bug", crash_bug}, {"warn", crash_warn},
    {"ud", crash_ud}, {"div0", crash_div0}, {"gp", crash_gp},
    {"kmap-in-irq", crash_kmap_in_irq}, {"stack-overflow", crash_stack_overflow},
};

}  // namespace

void run_crash_test() {
    if (!crash_type[0]) return;
    for (const crash_kind& k : crash_kinds) {
        if (strcmp(k.name, crash_type) != 0) continue;
        printk("crashtest: triggering '%s'\n", k.name);
        k.fn();
        printk("crashtest: '%s' returned\n", k.name);
        return;
    }
    panic("crash=%s: unknown crash type", crash_type);
}
