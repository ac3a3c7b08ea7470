#include "zone_drain.hpp"

#include <kernel/string.hpp>

namespace ktest_mm {

namespace {
constexpr unsigned BITS = 8 * sizeof(unsigned long);
unsigned long get_free_pages_zeroed(unsigned order) { return __get_free_pages(GFP_KERNEL | __GFP_ZERO, order); }
bool test_and_set(unsigned long* bm, unsigned long bit) {
    unsigned long mask = 1ul << (bit % BITS);
    bool was = bm[bit / BITS] & mask;
    bm[bit / BITS] |= mask;
    return was;
}
zone_type zone_spanning(unsigned long pfn) {
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i)
        if (zone_spans_pfn(zone_by_type(static_cast<zone_type>(i)), pfn)) return static_cast<zone_type>(i);
    return MAX_NR_ZONES;
}
}  // namespace

namespace {
unsigned bitmap_order() { return get_order((max_mapnr + BITS - 1) / BITS * sizeof(unsigned long)); }
}  // namespace

// Straight from the page allocator (not kmalloc), so that freeing it restores
// the buddy state exactly: a slab cache would keep its last empty slab.
bool prepare(Drain& d) {
    d.bitmap = reinterpret_cast<unsigned long*>(get_free_pages_zeroed(bitmap_order()));
    return d.bitmap != nullptr;
}

zone_type highest_zone(gfp_t gfp) {
    if (gfp & __GFP_DMA) return ZONE_DMA;
    if (gfp & __GFP_HIGHMEM) return ZONE_HIGHMEM;
    return ZONE_NORMAL;
}

bool drain(Drain& d, gfp_t gfp) {
    if (!d.bitmap) return false;
    zone_type highest = highest_zone(gfp);
    for (;;) {
        unsigned long free_before[MAX_NR_ZONES];
        for (unsigned z = 0; z < MAX_NR_ZONES; ++z) free_before[z] = zone_by_type(static_cast<zone_type>(z))->free_pages;
        page* p = alloc_pages(gfp | __GFP_NOWARN, 0);
        if (!p) break;
        unsigned long pfn = page_to_pfn(p);
        if (test_and_set(d.bitmap, pfn)) ++d.duplicates;
        zone_type z = page_zonenum(p);
        if (zone_spanning(pfn) != z) ++d.wrong_zone;
        if (z > highest) ++d.above_highest;
        for (unsigned y = z + 1; y <= highest && y < MAX_NR_ZONES; ++y) {
            const zone* hz = zone_by_type(static_cast<zone_type>(y));
            if (free_before[y] > low_wmark_pages(hz) + hz->lowmem_reserve[highest]) ++d.early_fallback;
        }
        if (d.first_zone == MAX_NR_ZONES) d.first_zone = z;
        ++d.count[z];
        ++d.total;
    }
    return true;
}

void release(Drain& d) {
    if (!d.bitmap) return;
    for (unsigned long w = 0; w < (max_mapnr + BITS - 1) / BITS; ++w) {
        unsigned long bits = d.bitmap[w];
        while (bits) {
            unsigned b = static_cast<unsigned>(__builtin_ctzl(bits));
            bits &= bits - 1;
            __free_page(pfn_to_page(w * BITS + b));
        }
    }
    free_pages(reinterpret_cast<unsigned long>(d.bitmap), bitmap_order());
    d.bitmap = nullptr;
}

FreeSnapshot snapshot(zone_type t) {
    FreeSnapshot s{};
    zone* z = zone_by_type(t);
    SpinLockIrqSaveGuard guard(z->lock);
    for (unsigned o = 0; o < MAX_ORDER; ++o) s.nr_free[o] = z->free_area[o].nr_free;
    s.free_pages = z->free_pages;
    return s;
}

bool same(const FreeSnapshot& a, const FreeSnapshot& b) { return memcmp(&a, &b, sizeof a) == 0; }

}  // namespace ktest_mm
