// What the pkmap and kmap-local views of both kernels (highmem386's and Linux)
// read the same way: the TLB entries covering a page, and the pkmap slots from
// pkmap_count[] and the page tables.
#pragma once
#include <map>
#include <vector>

#include "debug/debugger_types.hpp"

namespace hm::dbg {

class Debugger;

// Both TLBs of the selected CPU, indexed by linear base for lookups by page.
struct TlbIndex {
    std::map<u32, const TlbEntryView*> itlb, dtlb;
    std::vector<TlbEntryView> i_entries, d_entries;
    explicit TlbIndex(const Debugger& d);
    // The entry translating `lin`, 4 KiB or large, or nullptr.
    static const TlbEntryView* find(const std::map<u32, const TlbEntryView*>& m, u32 lin);
};

// Fills v.slots and the free/unused/in-use counts for slots 0..v.last_pkmap-1
// at v.pkmap_base: each slot's count from `counts` (int pkmap_count[]), its PTE
// through the page walk, its struct page as mem_map + pfn * page_struct_size
// (FLATMEM), and whether a TLB holds it, stale or not (mm/highmem.c's states:
// 0 free, 1 mapped but unused, n > 1 n - 1 users).
void read_pkmap_slots(const Debugger& d, PkmapView& v, u32 counts, u32 mem_map, u32 page_struct_size);

}  // namespace hm::dbg
