#include "debug/pkmap_slots.hpp"

#include <string>

#include "debug/debugger.hpp"

namespace hm::dbg {

TlbIndex::TlbIndex(const Debugger& d) : i_entries(d.tlb(TlbKind::Instruction)), d_entries(d.tlb(TlbKind::Data)) {
    for (const auto& e : i_entries) itlb[e.lin_base] = &e;
    for (const auto& e : d_entries) dtlb[e.lin_base] = &e;
}

const TlbEntryView* TlbIndex::find(const std::map<u32, const TlbEntryView*>& m, u32 lin) {
    // Entries are keyed by their base: a 4 KiB entry at the page, or a large one below.
    auto it = m.upper_bound(lin);
    while (it != m.begin()) {
        --it;
        const TlbEntryView* e = it->second;
        if (((lin ^ e->lin_base) >> e->page_size_log2) == 0) return e;
        if (lin - it->first >= (1u << 22)) break;
    }
    return nullptr;
}

void read_pkmap_slots(const Debugger& d, PkmapView& v, u32 counts, u32 mem_map, u32 page_struct_size) {
    const MemoryBytes raw = d.read_memory(Space::Linear, counts, v.last_pkmap * 4);
    if (!raw.all_valid()) throw DebugError("cannot read pkmap_count: " + raw.error);
    const TlbIndex tlbs(d);
    for (unsigned i = 0; i < v.last_pkmap; ++i) {
        PkmapSlot s;
        s.index = i;
        s.vaddr = v.pkmap_base + i * kPageSize;
        s.count = static_cast<int>(u32{raw.bytes[i * 4]} | (u32{raw.bytes[i * 4 + 1]} << 8) |
                                   (u32{raw.bytes[i * 4 + 2]} << 16) | (u32{raw.bytes[i * 4 + 3]} << 24));
        const WalkView w = d.walk(s.vaddr);
        if (!w.levels.empty()) s.pte = w.levels.back().value;
        if (!w.levels.empty() && w.levels.back().bits.present && w.mapped) {
            s.pte_present = true;
            s.phys = w.frame;
            s.page = mem_map + static_cast<u32>(s.phys >> 12) * page_struct_size;
        }
        const TlbEntryView* it = TlbIndex::find(tlbs.itlb, s.vaddr);
        const TlbEntryView* dt = TlbIndex::find(tlbs.dtlb, s.vaddr);
        s.in_itlb = it;
        s.in_dtlb = dt;
        s.tlb_stale = (it && !it->matches_memory) || (dt && !dt->matches_memory);
        if (s.count == 0) {
            s.state = "free";
            ++v.free;
        } else if (s.count == 1) {
            s.state = "unused, still mapped";
            ++v.unused;
        } else {
            s.state = std::to_string(s.count - 1) + (s.count == 2 ? " user" : " users");
            ++v.in_use;
        }
        v.slots.push_back(s);
    }
}

}  // namespace hm::dbg
