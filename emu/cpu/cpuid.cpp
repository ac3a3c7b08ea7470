// CPUID leaves 0, 1, 0x15, 0x16, 0x80000000 and 0x80000001, from the CPU profile
// (cpu_profile.cpp). The clock leaves 0x15/0x16 exist when the machine configured
// the core clock and the profile has extended leaves (only `default`: a 486, a
// Pentium or a Pentium Pro / II has neither); a basic leaf between 1 and 0x15 is reserved and reads as
// zeros (no cache descriptors, no structured features, no topology). A leaf above
// the highest one (basic, or extended) returns the highest basic leaf, as Intel
// parts do (SDM vol. 2A, CPUID); a profile without extended features has no
// extended leaves at all.
#include "cpu/cpuid.hpp"

#include "cpu/cpu_profile.hpp"

namespace hm::cpu {

namespace {

u32 highest_basic_leaf(const CpuState& s, const CpuProfile& p) {
    return s.msr.core_clock_hz && p.ext_features ? 0x16 : p.cpuid_max_leaf;
}

// Leaf 0x15: TSC = crystal x EBX / EAX. The TSC and the local APIC timer count
// CPU cycles, so the crystal is the CPU clock and the ratio 1/1. ECX (the crystal
// in Hz) is 32 bits; 0 means "not enumerated" (SDM vol. 2A, CPUID leaf 15H).
CpuidResult tsc_leaf(u64 hz) { return {1, 1, hz <= 0xFFFFFFFFu ? static_cast<u32>(hz) : 0, 0}; }

// Leaf 0x16: base, maximum and bus (reference) frequency in whole MHz; all zero
// when the clock is not a whole number of MHz, which leaf 0x16 cannot express
// (a kernel then calibrates, as on a part without the leaf).
CpuidResult frequency_leaf(u64 hz) {
    if (hz % 1000000 != 0 || hz / 1000000 > 0xFFFF) return {};
    const u32 mhz = static_cast<u32>(hz / 1000000);
    return {mhz, mhz, mhz, 0};
}

}  // namespace

CpuidResult cpuid(const CpuState& s, u32 leaf) {
    const CpuProfile& p = cpu_profile(s.model);
    const u32 max_ext = p.ext_features ? 0x80000001u : 0;
    const u32 top = highest_basic_leaf(s, p);
    if (leaf >= 0x80000000u ? leaf > max_ext : leaf > top) leaf = top;
    switch (leaf) {
        case 0: return {top, 0x756E6547, 0x6C65746E, 0x49656E69};  // "Genu" "ntel" "ineI" (EBX ECX EDX)
        case 1: {
            u32 edx = p.features;
            // A part without MSRs has no IA32_APIC_BASE and no on-chip APIC (the
            // Intel486; the Pentium P54C is the first with both), whatever the
            // machine around it has.
            if ((p.features & cpuid_bit::kMsr) && s.msr.local_apic && (s.msr.apic_base & msr_bit::kApicGlobalEnable))
                edx |= cpuid_bit::kApic;
            // EBX[31:24]: the initial APIC ID, which is the CPU's index.
            const u32 ebx = s.msr.local_apic ? u32{s.msr.initial_apic_id} << 24 : 0;
            return {p.signature, ebx, 0, edx};
        }
        case 0x15: return tsc_leaf(s.msr.core_clock_hz);
        case 0x16: return frequency_leaf(s.msr.core_clock_hz);
        case 0x80000000u: return {max_ext, 0, 0, 0};
        case 0x80000001u: return {0, 0, 0, p.ext_features};
        default: return {};  // reserved basic leaves 2-0x14
    }
}

}  // namespace hm::cpu
