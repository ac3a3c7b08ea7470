// Helpers for allocator tests that take every page a request can get: a pfn
// bitmap that catches a page handed out twice, the order in which zones were
// used, and freeing everything again.
#pragma once
#include <kernel/gfp.hpp>
#include <kernel/mm.hpp>

namespace ktest_mm {

struct Drain {
    unsigned long* bitmap = nullptr;   // one bit per pfn in [0, max_mapnr)
    unsigned long count[MAX_NR_ZONES] = {};
    unsigned long total = 0;
    unsigned long duplicates = 0;      // pages handed out twice
    unsigned long wrong_zone = 0;      // page flags disagree with the zone that spans the pfn
    unsigned long above_highest = 0;   // pages from a zone the gfp does not allow
    // Pages from a lower zone while a higher allowed zone was still above its
    // low watermark plus its lowmem_reserve: the fallback order broken.
    unsigned long early_fallback = 0;
    zone_type first_zone = MAX_NR_ZONES;  // where the first page came from
};

// Allocates the bitmap (GFP_KERNEL): call before taking "before" figures.
bool prepare(Drain& d);
// The highest zone a gfp allows (the test's own reading of the GFP rules).
zone_type highest_zone(gfp_t gfp);
// Allocates order-0 pages with gfp until the allocator says no, checking each
// page against the fallback rule: the allocator may use a lower zone only when
// every higher allowed zone is at or below its low watermark + lowmem_reserve
// (Linux's first pass uses the low mark; later passes stop lower still).
bool drain(Drain& d, gfp_t gfp);
// Frees every page recorded in the bitmap.
void release(Drain& d);
// Free blocks per order of a zone (the buddy state).
struct FreeSnapshot {
    unsigned long nr_free[MAX_ORDER];
    unsigned long free_pages;
};
FreeSnapshot snapshot(zone_type z);
bool same(const FreeSnapshot& a, const FreeSnapshot& b);

}  // namespace ktest_mm
