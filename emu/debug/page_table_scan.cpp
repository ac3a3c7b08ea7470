#include "debug/page_table_scan.hpp"

#include "mmu/mmu.hpp"

namespace hm::dbg {

namespace {

// Bits of linear address covered by the entry at each level of a walk.
unsigned level_shift(PagingMode mode, unsigned level) {
    static constexpr unsigned kTwoLevel[] = {22, 12};
    static constexpr unsigned kPae[] = {30, 21, 12};
    return mode == PagingMode::Pae ? kPae[level < 3 ? level : 2] : kTwoLevel[level < 2 ? level : 1];
}

}  // namespace

void scan_page_tables(const PagingState& st, const Bus& bus, u32 lo, u64 hi, const std::function<void(const Leaf&)>& f) {
    if (st.mode == PagingMode::None) return;
    // The MMU's own side-effect-free reader: a table outside RAM reads as the walk
    // command and the coherence checker see it (all ones), not as empty.
    const EntryReader reader = pure_entry_reader(bus);
    u64 lin = lo & ~u64{0xFFF};
    while (lin < hi && lin < (u64{1} << 32)) {
        const WalkResult w = walk_page_tables(st, LinearAddr{static_cast<u32>(lin)}, Access::Read, Priv::Supervisor, reader);
        if (w.mapped && w.ok()) {
            Leaf l;
            l.lin = w.lin_base.value;
            l.phys = w.frame.value;
            l.size_log2 = w.page_size_log2;
            l.writable = w.writable;
            l.user = w.user;
            l.nx = w.nx;
            l.global = w.global;
            l.accessed = w.accessed;
            l.dirty = w.dirty;
            f(l);
            lin = l.end();
            continue;
        }
        // Skip everything the entry that ended the walk covers.
        const unsigned shift = level_shift(w.mode, w.levels ? w.levels - 1u : 0u);
        lin = ((lin >> shift) + 1) << shift;
    }
}

}  // namespace hm::dbg
