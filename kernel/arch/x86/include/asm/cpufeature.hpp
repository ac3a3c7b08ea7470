// CPU features the kernel cares about, read once at boot (identify_boot_cpu)
// from CPUID, or probed without it on a CPU that has none (a 386 or an early
// 486). Code asks boot_cpu_has() (Linux's cpu_has()) before it uses anything a
// 486 lacks: the kernel is built for the 486 (-march=i486), and everything
// newer (PSE, PAE, PGE, NX, TSC, MSRs, FXSAVE, the local APIC) is optional.
#pragma once
#include <kernel/types.hpp>

// Feature numbers as Linux numbers them: word 0 is CPUID.1:EDX, word 1 is
// CPUID.80000001h:EDX; bit b of word w is w * 32 + b.
namespace x86_feature {
constexpr unsigned FPU = 0, PSE = 3, TSC = 4, MSR = 5, PAE = 6, CX8 = 8, APIC = 9, SEP = 11, PGE = 13,
                   CMOV = 15, FXSR = 24;
constexpr unsigned NX = 32 + 20;
}  // namespace x86_feature

struct cpuinfo_x86 {
    char vendor[13];                 // "" without CPUID
    u32 family, model, stepping;     // without CPUID: family 3 (386) or 4 (486), from EFLAGS.AC
    bool has_cpuid;                  // EFLAGS.ID can be toggled
    bool has_cr4;                    // CR4 exists: every CPU with CPUID (the Pentium's and later 486s')
    u32 max_ext_leaf;                // 0 when there are no extended leaves
    u32 capability[2];               // CPUID.1:EDX, CPUID.80000001h:EDX (0 without the leaf)
    // The features paging and the tests ask about most, copied from capability[].
    bool has_pse, has_pae, has_pge, has_tsc, has_msr, has_nx;
};
extern cpuinfo_x86 boot_cpu_data;

// CR4, or 0 on a CPU without one (Linux's old read_cr4_safe): for reports.
u32 read_cr4_safe();

inline bool boot_cpu_has(unsigned feature) { return boot_cpu_data.capability[feature / 32] & (1u << (feature % 32)); }

void identify_boot_cpu();
void print_cpu_info();
