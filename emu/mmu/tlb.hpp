// The modelled TLBs: what the guest can observe of a P6-class processor's
// translation caches. Each TLB (instruction, data) has two set-associative arrays,
// one for 4 KiB pages and one for large pages (4 MiB, or 2 MiB under PAE), with a
// configurable geometry.
//
// Replacement is round-robin per set: a fill takes the first invalid way, else the
// way after the one the set's previous eviction replaced (a per-set pointer that only
// evictions advance; fills into invalid ways leave it where it is). It is deterministic and depends only on
// the order of fills, never on hits. That matters here: hits served by the MMU's
// front array never reach this model, so a policy fed by hits (LRU) would make the
// TLB's contents depend on the front array's size, and a run with the coherence
// checker (which bypasses the front array) would evict differently from a run
// without it. With round-robin both runs see exactly the same TLB.
//
// Entries cache the leaf's frame and the rights combined over all levels, as
// hardware does; the rights are checked against CR0.WP and EFER.NXE at use time, so
// those bits need no flush.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "core/state_visitor.hpp"

namespace hm {

enum class TlbKind : u8 { Instruction, Data };

struct TlbGeometry {
    unsigned entries, ways;
};

// Defaults: the P6 family (Pentium Pro, II, III) as CPUID leaf 2 reports it.
struct TlbConfig {
    TlbGeometry itlb_4k{32, 4}, itlb_large{2, 2}, dtlb_4k{64, 4}, dtlb_large{8, 4};
};

// What Mmu::probe_tlb reports about one linear address: which TLB holds a
// translation for it now, and what kind. The diagnostic device speaks its own
// protocol's bits (HM386_DIAG_PROBE_*); machine_diag.cpp translates.
namespace tlb_probe {
constexpr u32 kItlb = 1u << 0;
constexpr u32 kDtlb = 1u << 1;
constexpr u32 kLarge = 1u << 2;   // held by a large-page entry
constexpr u32 kGlobal = 1u << 3;  // the entry is global
}  // namespace tlb_probe

// One TLB's counters (the diagnostic device's stat ids map onto them in
// emu/machine_diag.cpp).
struct TlbStats {
    u64 lookups = 0, hits = 0, misses = 0, walks = 0, walk_memory_accesses = 0, evictions = 0,
        flush_invlpg = 0, flush_cr3 = 0, flush_cr4_cr0 = 0, entries_invalidated = 0, fills_4k = 0,
        fills_large = 0;
};

struct TlbEntry {
    u32 lin_base = 0;
    u64 frame = 0;  // physical base of the page
    u8 size_log2 = 12;
    bool valid = false;
    bool writable = false, user = false, nx = false, global = false, dirty = false;
    bool stale_reported = false;  // the coherence checker has reported this entry
    // Lookups of the modelled TLB this entry served since its fill. Hits through the
    // front array never get here, so the count is exact only with hit tracking on
    // (Mmu::set_hit_tracking): the debugger's per-entry "hit since the last stop".
    u64 hits = 0;

    bool covers(u32 lin) const { return valid && ((lin ^ lin_base) >> size_log2) == 0; }
    u64 phys(u32 lin) const { return frame | (lin & ((u32{1} << size_log2) - 1)); }
};

// Validates a geometry; returns an empty string or a readable reason.
std::string check_geometry(const TlbGeometry& g, const char* name);

// One set-associative array with round-robin replacement.
class TlbArray {
public:
    void configure(const TlbGeometry& g);
    // Which address bit selects the set (12 for 4 KiB pages, 21/22 for large ones).
    void set_index_shift(unsigned shift) { shift_ = shift; }

    TlbEntry* find(u32 lin) {
        TlbEntry* set = &slots_[set_of(lin) * ways_];
        for (unsigned w = 0; w < ways_; ++w) {
            if (set[w].covers(lin)) return &set[w];
        }
        return nullptr;
    }
    const TlbEntry* find(u32 lin) const { return const_cast<TlbArray*>(this)->find(lin); }

    // Fills e; if a valid entry had to make room, *evicted receives it and it returns true.
    bool insert(const TlbEntry& e, TlbEntry* evicted);

    // Drops every entry for which pred(entry) holds, calling dropped(entry) for each.
    template <typename Pred, typename Dropped>
    unsigned remove_if(Pred pred, Dropped dropped) {
        unsigned n = 0;
        for (TlbEntry& e : slots_) {
            if (e.valid && pred(e)) {
                TlbEntry copy = e;
                e.valid = false;
                dropped(copy);
                ++n;
            }
        }
        return n;
    }

    std::span<const TlbEntry> slots() const { return slots_; }
    std::span<const u16> last_victims() const { return last_victim_; }  // replacement state, per set
    unsigned ways() const { return ways_; }
    unsigned sets() const { return sets_; }

    // Contents and replacement state, for the state hash and snapshots
    // (core/state_visitor.hpp). An invalid slot is visited as a default
    // entry, so leftovers of dropped entries never reach the hash or a file; the
    // per-entry hit counts are the debugger's and start again from zero.
    template <class V>
    void visit_state(V& v) {
        v.fixed(sets_, "a TLB array's number of sets");
        v.fixed(ways_, "a TLB array's number of ways");
        for (TlbEntry& slot : slots_) {
            TlbEntry e;
            if (slot.valid) {
                e = slot;
                e.hits = 0;
            }
            v.value(e.valid), v.value(e.lin_base), v.value(e.frame), v.bounded(e.size_log2, 32);
            v.value(e.writable), v.value(e.user), v.value(e.nx), v.value(e.global), v.value(e.dirty);
            v.observer(e.stale_reported);
            if constexpr (V::kLoading) {
                if (e.valid && (e.size_log2 < 12 || (e.lin_base & ((u32{1} << e.size_log2) - 1)) ||
                                (e.frame & ((u64{1} << e.size_log2) - 1)))) {
                    v.fail("a TLB entry with a misaligned page");
                }
                slot = e;
            }
        }
        for (u16& way : last_victim_) v.bounded(way, ways_);
    }

private:
    unsigned set_of(u32 lin) const { return (lin >> shift_) & (sets_ - 1); }

    std::vector<TlbEntry> slots_;
    std::vector<u16> last_victim_;  // per set: the way the last eviction replaced (fills into free ways leave it)
    unsigned sets_ = 1, ways_ = 1, shift_ = 12;
};

// One TLB: its 4 KiB and large-page arrays (its counters live in MmuStats).
struct Tlb {
    TlbArray small;
    TlbArray large;

    // A 4 KiB entry wins over a large one when both cover lin (it can happen after the
    // tables changed without a flush; the SDM leaves the choice open).
    TlbEntry* find(u32 lin) {
        if (TlbEntry* e = small.find(lin)) return e;
        return large.find(lin);
    }
    const TlbEntry* find(u32 lin) const { return const_cast<Tlb*>(this)->find(lin); }

    template <typename Pred, typename Dropped>
    unsigned remove_if(Pred pred, Dropped dropped) {
        return small.remove_if(pred, dropped) + large.remove_if(pred, dropped);
    }
};

}  // namespace hm
