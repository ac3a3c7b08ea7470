// CPUID: the one place that says which CPU model hm386 presents. Everything a
// leaf reports is implemented (docs/cpu.md, "CPUID and MSRs"): a P6-class part,
// family 6 model 3 stepping 3, "GenuineIntel".
#pragma once
#include "core/types.hpp"
#include "cpu/state.hpp"

namespace hm::cpu {

namespace cpuid_bit {  // CPUID.1:EDX
constexpr u32 kFpu = 1u << 0, kPse = 1u << 3, kTsc = 1u << 4, kMsr = 1u << 5, kPae = 1u << 6, kCx8 = 1u << 8;
constexpr u32 kApic = 1u << 9, kPge = 1u << 13, kMca = 1u << 14, kCmov = 1u << 15, kPse36 = 1u << 17;
constexpr u32 kExtNx = 1u << 20;  // CPUID.80000001h:EDX
}  // namespace cpuid_bit

constexpr u32 kCpuSignature = 0x0633;
// CPUID.1:EDX for every CPU of the model (the FPU is the x87 of x87_table.cpp;
// no MMX, FXSR or SSE). The APIC bit is not in it: it follows
// the local APIC (present, and globally enabled in IA32_APIC_BASE), as on hardware.
constexpr u32 kFeatures = cpuid_bit::kFpu | cpuid_bit::kPse | cpuid_bit::kTsc | cpuid_bit::kMsr | cpuid_bit::kPae | cpuid_bit::kCx8 | cpuid_bit::kPge | cpuid_bit::kMca | cpuid_bit::kCmov | cpuid_bit::kPse36;

struct CpuidResult {
    u32 eax = 0, ebx = 0, ecx = 0, edx = 0;
};

CpuidResult cpuid(const CpuState& s, u32 leaf);

}  // namespace hm::cpu
