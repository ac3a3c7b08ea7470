// The buddy allocator: every page of every zone handed out exactly once and
// taken back, zone fallback order, GFP zone limits, watermarks and
// lowmem_reserve, split/merge bookkeeping, block alignment.
#include <asm/setup.hpp>
#include <kernel/bug.hpp>
#include <kernel/mm.hpp>

#include "ktest.hpp"
#include "zone_drain.hpp"

using namespace ktest_mm;

namespace {
unsigned long free_of(zone_type z) { return zone_by_type(z)->free_pages; }
}  // namespace

// GFP_HIGHUSER may use every zone; __GFP_MEMALLOC lifts the watermarks once the
// normal pass fails, so the allocator must give out every free page exactly
// once, highest zone first, and use a lower zone only when the higher ones
// are down to their watermarks.
KTEST_TIMEOUT(buddy, every_page_of_every_zone_once_in_fallback_order, 60000) {
    FreeSnapshot pristine[MAX_NR_ZONES], before[MAX_NR_ZONES];
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) pristine[z] = snapshot(static_cast<zone_type>(z));
    Drain d;
    ASSERT_TRUE(prepare(d));
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) before[z] = snapshot(static_cast<zone_type>(z));
    ASSERT_TRUE(drain(d, GFP_HIGHUSER | __GFP_MEMALLOC));
    EXPECT_EQ(d.duplicates, 0u);
    EXPECT_EQ(d.wrong_zone, 0u);
    EXPECT_EQ(d.early_fallback, 0u);
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) EXPECT_EQ(free_of(static_cast<zone_type>(z)), 0u);
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) EXPECT_EQ(d.count[z], before[z].free_pages);
    // The highest populated zone serves first.
    unsigned top = ZONE_HIGHMEM;
    while (top > 0 && !zone_by_type(static_cast<zone_type>(top))->managed_pages) --top;
    EXPECT_EQ(d.first_zone, top);
    release(d);  // every page, and the bitmap
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
        FreeSnapshot after = snapshot(static_cast<zone_type>(z));
        EXPECT_EQ(after.free_pages, pristine[z].free_pages);
        // Merging is canonical: the same free pages give the same blocks.
        for (unsigned o = 0; o < MAX_ORDER; ++o) EXPECT_EQ(after.nr_free[o], pristine[z].nr_free[o]);
    }
}

KTEST_TIMEOUT(buddy, gfp_kernel_never_returns_highmem, 60000) {
    Drain d;
    ASSERT_TRUE(prepare(d));
    unsigned long high_before = nr_free_highpages();
    ASSERT_TRUE(drain(d, GFP_KERNEL | __GFP_MEMALLOC));
    EXPECT_EQ(d.count[ZONE_HIGHMEM], 0u);
    EXPECT_EQ(d.above_highest, 0u);
    EXPECT_EQ(d.duplicates, 0u);
    EXPECT_EQ(d.early_fallback, 0u);
    EXPECT_EQ(free_of(ZONE_NORMAL), 0u);
    EXPECT_EQ(free_of(ZONE_DMA), 0u);
    // Lowmem is exhausted, highmem untouched: GFP_KERNEL still says no.
    EXPECT_EQ(nr_free_highpages(), high_before);
    EXPECT_NULL(alloc_pages(GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOWARN, 0));
    release(d);
    EXPECT_EQ(nr_free_highpages(), high_before);
}

KTEST_TIMEOUT(buddy, gfp_dma_only_from_zone_dma, 30000) {
    Drain d;
    ASSERT_TRUE(prepare(d));
    unsigned long normal_before = free_of(ZONE_NORMAL);
    unsigned long dma_before = free_of(ZONE_DMA);
    ASSERT_TRUE(drain(d, GFP_DMA | __GFP_MEMALLOC));
    EXPECT_EQ(d.count[ZONE_DMA], dma_before);
    EXPECT_EQ(d.count[ZONE_NORMAL], 0u);
    EXPECT_EQ(d.count[ZONE_HIGHMEM], 0u);
    EXPECT_EQ(free_of(ZONE_DMA), 0u);
    // ZONE_NORMAL still has pages, but GFP_DMA may not use them.
    EXPECT_EQ(free_of(ZONE_NORMAL), normal_before);
    release(d);
    EXPECT_EQ(free_of(ZONE_DMA), dma_before);
}

// Without __GFP_MEMALLOC an allocation stops at each zone's min watermark plus
// the share that zone keeps for requests limited to it (lowmem_reserve).
KTEST_TIMEOUT(buddy, watermarks_and_lowmem_reserve, 60000) {
    unsigned long pristine[MAX_NR_ZONES], start[MAX_NR_ZONES];
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) pristine[z] = free_of(static_cast<zone_type>(z));
    Drain d;
    ASSERT_TRUE(prepare(d));
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) start[z] = free_of(static_cast<zone_type>(z));
    ASSERT_TRUE(drain(d, GFP_HIGHUSER));
    EXPECT_EQ(d.duplicates, 0u);
    EXPECT_EQ(d.early_fallback, 0u);
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i) {
        zone* z = zone_by_type(static_cast<zone_type>(i));
        if (!z->managed_pages) continue;
        unsigned long floor = min_wmark_pages(z) + z->lowmem_reserve[ZONE_HIGHMEM];
        unsigned long expected = start[i] < floor ? start[i] : floor;
        EXPECT_EQ(free_of(static_cast<zone_type>(i)), expected);
    }
    // __GFP_HIGH (GFP_ATOMIC) may dip below the min watermark.
    if (zone_by_type(ZONE_HIGHMEM)->managed_pages && min_wmark_pages(zone_by_type(ZONE_HIGHMEM)) >= 2) {
        page* p = alloc_pages(GFP_ATOMIC | __GFP_HIGHMEM | __GFP_NOWARN, 0);
        EXPECT_NOT_NULL(p);
        if (p) __free_page(p);
    }
    release(d);
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) EXPECT_EQ(free_of(static_cast<zone_type>(z)), pristine[z]);
}

KTEST(buddy, blocks_of_every_order_are_aligned_and_in_zone) {
    const gfp_t gfps[] = {GFP_DMA, GFP_KERNEL, GFP_HIGHUSER};
    for (gfp_t gfp : gfps) {
        for (unsigned order = 0; order < MAX_ORDER; ++order) {
            page* p = alloc_pages(gfp | __GFP_NOWARN, order);
            if (!p) continue;  // a small zone may lack a block this large
            unsigned long pfn = page_to_pfn(p);
            EXPECT_EQ(pfn & ((1ul << order) - 1), 0u);
            zone* z = page_zone(p);
            EXPECT_TRUE(zone_spans_pfn(z, pfn) && zone_spans_pfn(z, pfn + (1ul << order) - 1));
            EXPECT_EQ(page_ref_count(p), 1);
            for (unsigned long i = 0; i < (1ul << order); ++i) EXPECT_FALSE(PageBuddy(p + i));
            if (gfp == GFP_DMA) EXPECT_EQ(page_zonenum(p), ZONE_DMA);
            if (gfp == GFP_KERNEL) EXPECT_FALSE(PageHighMem(p));
            __free_pages(p, order);
        }
    }
}

// Taking one page from the smallest non-empty order o splits that block:
// one block fewer at o, one more at each order below it.
KTEST(buddy, split_and_merge_bookkeeping) {
    FreeSnapshot before = snapshot(ZONE_NORMAL);
    unsigned o = 0;
    while (o < MAX_ORDER && before.nr_free[o] == 0) ++o;
    ASSERT_LT(o, MAX_ORDER);
    page* p = alloc_pages(GFP_KERNEL | __GFP_MEMALLOC, 0);
    ASSERT_NOT_NULL(p);
    ASSERT_EQ(page_zonenum(p), ZONE_NORMAL);
    FreeSnapshot mid = snapshot(ZONE_NORMAL);
    EXPECT_EQ(mid.free_pages, before.free_pages - 1);
    EXPECT_EQ(mid.nr_free[o], before.nr_free[o] - 1);
    for (unsigned k = 0; k < o; ++k) EXPECT_EQ(mid.nr_free[k], before.nr_free[k] + 1);
    __free_page(p);
    FreeSnapshot after = snapshot(ZONE_NORMAL);
    EXPECT_TRUE(same(after, before));
}

KTEST(buddy, page_address_and_virt_to_page) {
    page* low = alloc_page(GFP_KERNEL);
    ASSERT_NOT_NULL(low);
    EXPECT_FALSE(PageHighMem(low));
    void* addr = page_address(low);
    EXPECT_EQ(addr, __va(page_to_phys(low)));
    EXPECT_EQ(virt_to_page(addr), low);
    EXPECT_LT(page_to_pfn(low), max_low_pfn);
    __free_page(low);

    KTEST_REQUIRE(totalhigh_pages() > 0, "no highmem in this configuration");
    page* high = alloc_page(GFP_HIGHUSER);
    ASSERT_NOT_NULL(high);
    EXPECT_TRUE(PageHighMem(high));
    EXPECT_GE(page_to_pfn(high), max_low_pfn);
    EXPECT_NULL(page_address(high));  // nothing maps it
    __free_page(high);
}

KTEST(buddy, get_free_pages_are_lowmem_and_zeroed_on_request) {
    unsigned long a = get_zeroed_page(GFP_KERNEL);
    ASSERT_NE(a, 0u);
    EXPECT_EQ(a & (PAGE_SIZE - 1), 0u);
    EXPECT_GE(a, PAGE_OFFSET);
    EXPECT_LT(a, reinterpret_cast<unsigned long>(high_memory));
    auto* bytes = reinterpret_cast<const u8*>(a);
    unsigned long nonzero = 0;
    for (unsigned i = 0; i < PAGE_SIZE; ++i) nonzero += bytes[i] != 0;
    EXPECT_EQ(nonzero, 0u);
    free_page(a);
    unsigned long b = __get_free_pages(GFP_KERNEL, 3);
    ASSERT_NE(b, 0u);
    EXPECT_EQ(PFN_DOWN(__pa(b)) & 7, 0u);
    free_pages(b, 3);
}

KTEST(buddy, refcounts_and_totals) {
    unsigned long free_before = nr_free_pages();
    page* p = alloc_pages(GFP_KERNEL, 2);
    ASSERT_NOT_NULL(p);
    EXPECT_EQ(nr_free_pages(), free_before - 4);
    get_page(p);
    __free_pages(p, 2);  // drops one of two references: still allocated
    EXPECT_EQ(nr_free_pages(), free_before - 4);
    EXPECT_EQ(page_ref_count(p), 1);
    __free_pages(p, 2);
    EXPECT_EQ(nr_free_pages(), free_before);
    EXPECT_EQ(page_ref_count(p), 0);
}
