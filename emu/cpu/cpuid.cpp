// CPUID leaves 0, 1, 0x80000000 and 0x80000001. A leaf above the highest one
// returns the highest basic leaf (leaf 1), as Intel parts do.
#include "cpu/cpuid.hpp"

namespace hm::cpu {

CpuidResult cpuid(const CpuState& s, u32 leaf) {
    if (leaf >= 0x80000000u ? leaf > 0x80000001u : leaf > 1) leaf = 1;
    switch (leaf) {
        case 0: return {1, 0x756E6547, 0x6C65746E, 0x49656E69};  // "Genu" "ntel" "ineI" (EBX ECX EDX)
        case 1: {
            u32 edx = kFeatures;
            if (s.msr.local_apic && (s.msr.apic_base & msr_bit::kApicGlobalEnable)) edx |= cpuid_bit::kApic;
            // EBX[31:24]: the initial APIC ID, which is the CPU's index.
            const u32 ebx = s.msr.local_apic ? u32{s.msr.initial_apic_id} << 24 : 0;
            return {kCpuSignature, ebx, 0, edx};
        }
        case 0x80000000u: return {0x80000001u, 0, 0, 0};
        default: return {0, 0, 0, cpuid_bit::kExtNx};  // 0x80000001
    }
}

}  // namespace hm::cpu
