#include "machine_diag.hpp"

namespace hm {

// The MMU's probe bits (mmu/tlb.hpp) in the device protocol's encoding.
u32 MachineDiag::probe_tlb(u32 linear) const {
    const u32 held = mmu_.probe_tlb(LinearAddr{linear});
    u32 bits = 0;
    if (held & tlb_probe::kItlb) bits |= HM386_DIAG_PROBE_ITLB;
    if (held & tlb_probe::kDtlb) bits |= HM386_DIAG_PROBE_DTLB;
    if (held & tlb_probe::kLarge) bits |= HM386_DIAG_PROBE_LARGE;
    if (held & tlb_probe::kGlobal) bits |= HM386_DIAG_PROBE_GLOBAL;
    return bits;
}

std::optional<u64> MachineDiag::tlb_stat(unsigned tlb, unsigned counter) const {
    const MmuStats& s = mmu_.stats();
    const TlbStats& t = tlb == 0 ? s.itlb : s.dtlb;
    switch (counter) {
        case HM386_DIAG_STAT_LOOKUPS: return t.lookups;
        case HM386_DIAG_STAT_HITS: return t.hits;
        case HM386_DIAG_STAT_MISSES: return t.misses;
        case HM386_DIAG_STAT_WALKS: return t.walks;
        case HM386_DIAG_STAT_WALK_MEM_ACCESSES: return t.walk_memory_accesses;
        case HM386_DIAG_STAT_EVICTIONS: return t.evictions;
        case HM386_DIAG_STAT_FLUSH_INVLPG: return t.flush_invlpg;
        case HM386_DIAG_STAT_FLUSH_CR3: return t.flush_cr3;
        case HM386_DIAG_STAT_FLUSH_CR4_CR0: return t.flush_cr4_cr0;
        case HM386_DIAG_STAT_ENTRIES_INVALIDATED: return t.entries_invalidated;
        case HM386_DIAG_STAT_FILLS_4K: return t.fills_4k;
        case HM386_DIAG_STAT_FILLS_LARGE: return t.fills_large;
        default: return std::nullopt;
    }
}

void MachineDiag::reset_tlb_stats() {
    const MmuStats& s = mmu_.stats();
    page_faults_carry_ += s.page_faults;
    stale_carry_ += s.stale_reports;
    mmu_.reset_stats();
}

std::optional<u64> MachineDiag::stale_reports() const {
    if (!mmu_.coherence_checker()) return std::nullopt;
    return stale_total();
}

}  // namespace hm
