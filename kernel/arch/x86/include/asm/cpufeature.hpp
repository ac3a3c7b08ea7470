// CPU features the kernel cares about, read once with CPUID at boot.
#pragma once
#include <kernel/types.hpp>

struct cpuinfo_x86 {
    char vendor[13];
    u32 family, model, stepping;
    u32 max_ext_leaf;
    bool has_pse, has_pae, has_pge, has_tsc, has_msr, has_nx;
};
extern cpuinfo_x86 boot_cpu_data;

void identify_boot_cpu();
void print_cpu_info();
