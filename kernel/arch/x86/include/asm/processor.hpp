// Control registers, CPUID and MSRs.
#pragma once
#include <kernel/types.hpp>

constexpr u32 X86_CR0_PE = 1u << 0;
constexpr u32 X86_CR0_WP = 1u << 16;
constexpr u32 X86_CR0_PG = 1u << 31;
constexpr u32 X86_CR4_PSE = 1u << 4;
constexpr u32 X86_CR4_PAE = 1u << 5;
constexpr u32 X86_CR4_PGE = 1u << 7;

constexpr u32 MSR_EFER = 0xC0000080;
constexpr u32 EFER_NX = 1u << 11;

inline u32 read_cr0() { u32 v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
inline u32 read_cr2() { u32 v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
inline u32 read_cr3() { u32 v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
inline u32 read_cr4() { u32 v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
inline void write_cr0(u32 v) { asm volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
inline void write_cr3(u32 v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
inline void write_cr4(u32 v) { asm volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }

struct cpuid_regs {
    u32 eax, ebx, ecx, edx;
};
inline cpuid_regs cpuid(u32 leaf) {
    cpuid_regs r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(0));
    return r;
}

inline u64 rdmsr(u32 msr) {
    u32 lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (u64{hi} << 32) | lo;
}
inline void wrmsr(u32 msr, u64 v) {
    asm volatile("wrmsr" ::"c"(msr), "a"(static_cast<u32>(v)), "d"(static_cast<u32>(v >> 32)) : "memory");
}

inline u64 rdtsc() {
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64{hi} << 32) | lo;
}

inline void cpu_relax() { asm volatile("pause" ::: "memory"); }
