// What a page walk costs in the cycle model. One figure per memory access the walk
// makes: each entry read, each Accessed/Dirty update (a locked read-modify-write on
// hardware), each PDPTE loaded at a PAE CR3 load. Width does not matter: the P6
// reads an aligned 8-byte entry as one access, so a PAE walk (two reads, the PDPTE
// being cached) costs what a two-level walk costs.
//
// The figure: 20 cycles per access, so a two-level miss with no A/D update costs 40
// cycles, between the published iTLB (≈34) and dTLB (≈45) miss costs measured by Dave
// Hansen (LKML 2014, "x86: rework tlb range flushing"), the only per-miss figures we
// have (see docs/mmu.md).
#pragma once
#include "core/types.hpp"

namespace hm {

constexpr u64 kWalkAccessCycles = 20;

}  // namespace hm
