// crash=TYPE: makes the kernel fail on purpose right after boot, so the oops
// reports themselves can be tested (like Linux's lkdtm). Each type exercises one
// exception path; the expected report is described in docs/kernel.md.
#include <asm/layout.hpp>
#include <kernel/bug.hpp>
#include <kernel/cmdline.hpp>
#include <kernel/crashtest.hpp>
#include <kernel/printk.hpp>
#include <kernel/string.hpp>
#include <kernel/version.hpp>

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

struct crash_kind {
    const char* name;
    void (*fn)();
};
constexpr crash_kind crash_kinds[] = {
    {"null", crash_null}, {"write-ro", crash_write_ro}, {"exec-data", crash_exec_data},
    {"unmapped", crash_unmapped}, {"bug", crash_bug}, {"warn", crash_warn},
    {"ud", crash_ud}, {"div0", crash_div0}, {"gp", crash_gp},
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
