// CPUID probing. A CPU without CPUID (a 386 or early 486) is not supported;
// such a CPU would have failed long before (the kernel uses invlpg and cmov).
#include <asm/cpufeature.hpp>
#include <asm/processor.hpp>
#include <kernel/printk.hpp>
#include <kernel/string.hpp>

constinit cpuinfo_x86 boot_cpu_data{};

void identify_boot_cpu() {
    cpuinfo_x86& c = boot_cpu_data;
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
        c.has_pse = r.edx & (1u << 3);
        c.has_tsc = r.edx & (1u << 4);
        c.has_msr = r.edx & (1u << 5);
        c.has_pae = r.edx & (1u << 6);
        c.has_pge = r.edx & (1u << 13);
    }
    c.max_ext_leaf = cpuid(0x80000000).eax;
    if (c.max_ext_leaf >= 0x80000001 && c.max_ext_leaf < 0x8000FFFF) {
        r = cpuid(0x80000001);
        c.has_nx = r.edx & (1u << 20);
    }
}

void print_cpu_info() {
    const cpuinfo_x86& c = boot_cpu_data;
    printk("CPU: %s family %u model %u stepping %u; features:%s%s%s%s%s%s\n", c.vendor, c.family, c.model,
           c.stepping, c.has_pse ? " pse" : "", c.has_pae ? " pae" : "", c.has_pge ? " pge" : "",
           c.has_tsc ? " tsc" : "", c.has_msr ? " msr" : "", c.has_nx ? " nx" : "");
}
