// CPUID: what the CPU profile (cpu_profile.hpp) says the part is. Everything a
// leaf reports is implemented (docs/cpu.md, "CPUID and MSRs"). The default and
// p6 profiles are a P6-class part, family 6 model 3 stepping 3, "GenuineIntel".
#pragma once
#include "core/types.hpp"
#include "cpu/state.hpp"

namespace hm::cpu {

namespace cpuid_bit {  // CPUID.1:EDX
constexpr u32 kFpu = 1u << 0, kPse = 1u << 3, kTsc = 1u << 4, kMsr = 1u << 5, kPae = 1u << 6, kCx8 = 1u << 8;
constexpr u32 kApic = 1u << 9, kPge = 1u << 13, kMca = 1u << 14, kCmov = 1u << 15, kPse36 = 1u << 17;
constexpr u32 kExtNx = 1u << 20;  // CPUID.80000001h:EDX
}  // namespace cpuid_bit

constexpr u32 kCpuSignature = 0x0633;  // the P6 profiles' family 6 model 3 stepping 3
// CPUID.1:EDX is the profile's `features` (the FPU is the x87 of x87_table.cpp;
// no MMX, FXSR or SSE in any profile). The APIC bit is not in it: it follows
// the local APIC (present, and globally enabled in IA32_APIC_BASE), as on hardware.

struct CpuidResult {
    u32 eax = 0, ebx = 0, ecx = 0, edx = 0;
};

CpuidResult cpuid(const CpuState& s, u32 leaf);

}  // namespace hm::cpu
