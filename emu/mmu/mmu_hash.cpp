// The MMU's part of the machine state hash (docs/state-hash.md).
#include "core/state_hasher.hpp"
#include "mmu/mmu.hpp"

namespace hm {

namespace {

void hash_array(StateHasher& h, const TlbArray& a) {
    h.value(a.sets());
    h.value(a.ways());
    for (const TlbEntry& e : a.slots()) {
        h.value(e.valid);
        if (!e.valid) continue;
        h.value(e.lin_base);
        h.value(e.frame);
        h.value(e.size_log2);
        h.value(static_cast<u32>(e.writable | e.user << 1 | e.nx << 2 | e.global << 3 | e.dirty << 4));
    }
    for (u16 way : a.last_filled()) h.value(way);
}

void hash_stats(StateHasher& h, const TlbStats& s) {
    for (u64 v : {s.lookups, s.hits, s.misses, s.walks, s.walk_memory_accesses, s.evictions, s.flush_invlpg,
                  s.flush_cr3, s.flush_cr4_cr0, s.entries_invalidated, s.fills_4k, s.fills_large}) {
        h.value(v);
    }
}

}  // namespace

void Mmu::hash_state(StateHasher& h) const {
    h.section(0x4D4D55);  // "MMU"
    h.value(state_.mode);
    h.value(state_.cr3);
    h.value(state_.wp), h.value(state_.pse), h.value(state_.pge), h.value(state_.nxe);
    for (u64 e : state_.pdpte) h.value(e);
    h.value(a20_mask_);
    h.value(fetch_tag_);
    if (fetch_tag_ != kNoFetchPage) h.value(fetch_phys_);
    for (const Tlb* t : {&itlb_, &dtlb_}) {
        hash_array(h, t->small);
        hash_array(h, t->large);
    }
    const MmuStats& st = stats();  // folds the front array's hits in
    hash_stats(h, st.itlb);
    hash_stats(h, st.dtlb);
    h.value(st.page_faults);
    h.value(st.pdpte_loads);
}

}  // namespace hm
