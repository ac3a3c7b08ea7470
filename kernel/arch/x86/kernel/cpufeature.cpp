// Identifying the boot CPU, as Linux's identify_boot_cpu does: whether it has
// CPUID at all (EFLAGS.ID can be toggled, SDM vol. 1 "Identification of
// earlier IA-32 processors"), then leaves 0, 1 and, where they exist,
// 80000000h/80000001h. Without CPUID the CPU is a 386 (EFLAGS.AC cannot be
// set) or an early 486, with no feature this kernel makes optional.
#include <asm/cpufeature.hpp>
#include <asm/fpu.hpp>
#include <asm/processor.hpp>
#include <kernel/bug.hpp>
#include <kernel/printk.hpp>
#include <kernel/string.hpp>

constinit cpuinfo_x86 boot_cpu_data{};

namespace {

constexpr u32 X86_EFLAGS_AC = 1u << 18, X86_EFLAGS_ID = 1u << 21;

// Whether `bit` of EFLAGS can be changed (the 386 hardwires AC to 0, a CPU
// without CPUID hardwires ID). EFLAGS is restored afterwards.
bool eflags_bit_toggles(u32 bit) {
    u32 before, after;
    asm volatile(
        "pushfl\n\t"
        "pushfl\n\t"
        "popl %0\n\t"
        "movl %0, %1\n\t"
        "xorl %2, %1\n\t"
        "pushl %1\n\t"
        "popfl\n\t"
        "pushfl\n\t"
        "popl %1\n\t"
        "popfl"
        : "=&r"(before), "=&r"(after)
        : "ri"(bit)
        : "cc");
    return (before ^ after) & bit;
}

// An x87 without CPUID to say so: FNINIT leaves status 0 and control 037Fh
// (Linux's fpu__probe_without_cpuid). CR0.EM and TS are cleared so that the
// probe cannot trap; fpu_init sets CR0 as it wants it afterwards.
bool x87_responds() {
    write_cr0(read_cr0() & ~(X86_CR0_EM | X86_CR0_TS));
    u16 fsw = 0xFFFF, fcw = 0xFFFF;
    asm volatile("fninit\n\tfnstsw %0\n\tfnstcw %1" : "+m"(fsw), "+m"(fcw));
    return fsw == 0 && (fcw & 0x103F) == 0x003F;
}

}  // namespace

void identify_boot_cpu() {
    cpuinfo_x86& c = boot_cpu_data;
    c.has_cpuid = eflags_bit_toggles(X86_EFLAGS_ID);
    c.has_cr4 = c.has_cpuid;
    if (!c.has_cpuid) {
        c.family = eflags_bit_toggles(X86_EFLAGS_AC) ? 4 : 3;
        // Built for the 486 (INVLPG, CMPXCHG, XADD, BSWAP): Linux's words.
        if (c.family == 3) panic("This kernel requires an i486 CPU, but only detected an i386 CPU.");
        if (x87_responds()) c.capability[0] = 1u << x86_feature::FPU;
        return;  // no vendor, nothing else optional
    }
    cpuid_regs r = cpuid(0);
    u32 max_leaf = r.eax;
    memcpy(c.vendor + 0, &r.ebx, 4);
    memcpy(c.vendor + 4, &r.edx, 4);
    memcpy(c.vendor + 8, &r.ecx, 4);
    c.vendor[12] = 0;
    if (max_leaf >= 1) {
        r = cpuid(1);
        c.family = (r.eax >> 8) & 0xF;
        c.model = (r.eax >> 4) & 0xF;
        c.stepping = r.eax & 0xF;
        c.capability[0] = r.edx;
    }
    // A CPU without extended leaves answers 80000000h with its highest basic
    // leaf, whose EAX is not in 80000000h..8000FFFFh (Linux checks the same).
    u32 ext = cpuid(0x80000000).eax;
    c.max_ext_leaf = (ext & 0xFFFF0000u) == 0x80000000u ? ext : 0;
    if (c.max_ext_leaf >= 0x80000001) c.capability[1] = cpuid(0x80000001).edx;
    c.has_pse = boot_cpu_has(x86_feature::PSE);
    c.has_tsc = boot_cpu_has(x86_feature::TSC);
    c.has_msr = boot_cpu_has(x86_feature::MSR);
    c.has_pae = boot_cpu_has(x86_feature::PAE);
    c.has_pge = boot_cpu_has(x86_feature::PGE);
    c.has_nx = boot_cpu_has(x86_feature::NX);
}

u32 read_cr4_safe() { return boot_cpu_data.has_cr4 ? read_cr4() : 0; }

void print_cpu_info() {
    const cpuinfo_x86& c = boot_cpu_data;
    if (!c.has_cpuid) {
        printk("CPU: no CPUID (EFLAGS.ID is fixed): a 486; features:%s\n",
               boot_cpu_has(x86_feature::FPU) ? " fpu" : "");
        return;
    }
    using namespace x86_feature;
    printk("CPU: %s family %u model %u stepping %u; features:%s%s%s%s%s%s%s%s%s%s%s%s\n", c.vendor, c.family,
           c.model, c.stepping, boot_cpu_has(FPU) ? " fpu" : "", c.has_pse ? " pse" : "", c.has_tsc ? " tsc" : "",
           c.has_msr ? " msr" : "", c.has_pae ? " pae" : "", boot_cpu_has(CX8) ? " cx8" : "",
           boot_cpu_has(APIC) ? " apic" : "", boot_cpu_has(SEP) ? " sep" : "", c.has_pge ? " pge" : "",
           boot_cpu_has(CMOV) ? " cmov" : "", boot_cpu_has(FXSR) ? " fxsr" : "", c.has_nx ? " nx" : "");
}
