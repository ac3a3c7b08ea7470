#include "mmu/tlb.hpp"

#include <bit>

namespace hm {

namespace {
// Far beyond any real first-level TLB; keeps a typo from allocating gigabytes.
constexpr unsigned kMaxEntries = 4096;
}  // namespace

std::string check_geometry(const TlbGeometry& g, const char* name) {
    const std::string n = name;
    if (g.entries == 0 || g.ways == 0) return n + ": entries and ways must be at least 1";
    if (g.entries > kMaxEntries) return n + ": at most " + std::to_string(kMaxEntries) + " entries";
    if (g.ways > g.entries) return n + ": more ways than entries";
    if (g.entries % g.ways != 0) return n + ": entries must be a multiple of ways";
    if (!std::has_single_bit(g.entries / g.ways)) return n + ": the number of sets (entries / ways) must be a power of two";
    return {};
}

void TlbArray::configure(const TlbGeometry& g) {
    ways_ = g.ways;
    sets_ = g.entries / g.ways;
    slots_.assign(g.entries, TlbEntry{});
    last_victim_.assign(sets_, static_cast<u16>(ways_ - 1));
}

bool TlbArray::insert(const TlbEntry& e, TlbEntry* evicted) {
    const unsigned set = set_of(e.lin_base);
    TlbEntry* ways = &slots_[set * ways_];
    for (unsigned w = 0; w < ways_; ++w) {
        if (!ways[w].valid) {
            ways[w] = e;
            ways[w].valid = true;
            return false;
        }
    }
    unsigned victim = last_victim_[set] + 1u;  // round robin, without a division
    if (victim >= ways_) victim = 0;
    last_victim_[set] = static_cast<u16>(victim);
    *evicted = ways[victim];
    ways[victim] = e;
    ways[victim].valid = true;
    return true;
}

}  // namespace hm
