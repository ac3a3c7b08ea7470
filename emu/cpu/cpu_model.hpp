// Which processor hm386 presents: the one guest-visible choice behind a CPU
// profile (cpu_profile.hpp). It lives in CpuState, so a snapshot that saves the
// state saves the model; everything else a profile says is constant data
// selected by it.
#pragma once
#include "core/types.hpp"

namespace hm {

enum class CpuModel : u8 {
    // The model before profiles existed, kept as the default so that every golden
    // figure and screenshot stays valid: the P6's CPUID (plus NX) and TLBs with the
    // Intel486's instruction timings. docs/cycle-costs.md, "CPU profiles".
    Default,
    I486,     // --cpu 486: a late Intel486 (DX4 class, with CPUID)
    Pentium,  // --cpu pentium: a P54C Pentium
    P6,       // --cpu p6: a Pentium Pro / Pentium II
    I486NoCpuid,  // --cpu 486-nocpuid: an early Intel486 DX, before CPUID and CR4
};

}  // namespace hm
