// CPUID leaves 0, 1, 0x80000000 and 0x80000001, from the CPU profile
// (cpu_profile.cpp). A leaf above the highest one returns the highest basic leaf
// (leaf 1), as Intel parts do; a profile without extended features has no
// extended leaves at all.
#include "cpu/cpuid.hpp"

#include "cpu/cpu_profile.hpp"

namespace hm::cpu {

CpuidResult cpuid(const CpuState& s, u32 leaf) {
    const CpuProfile& p = cpu_profile(s.model);
    const u32 max_ext = p.ext_features ? 0x80000001u : 0;
    if (leaf >= 0x80000000u ? leaf > max_ext : leaf > p.cpuid_max_leaf) leaf = 1;
    switch (leaf) {
        case 0: return {p.cpuid_max_leaf, 0x756E6547, 0x6C65746E, 0x49656E69};  // "Genu" "ntel" "ineI" (EBX ECX EDX)
        case 1: {
            u32 edx = p.features;
            if (s.msr.local_apic && (s.msr.apic_base & msr_bit::kApicGlobalEnable)) edx |= cpuid_bit::kApic;
            // EBX[31:24]: the initial APIC ID, which is the CPU's index.
            const u32 ebx = s.msr.local_apic ? u32{s.msr.initial_apic_id} << 24 : 0;
            return {p.signature, ebx, 0, edx};
        }
        case 0x80000000u: return {max_ext, 0, 0, 0};
        default: return {0, 0, 0, p.ext_features};  // 0x80000001
    }
}

}  // namespace hm::cpu
