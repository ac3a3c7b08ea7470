// Memory zones: physical memory split by what the kernel can do with it.
//
//   ZONE_DMA      [0, 16 MiB)              ISA DMA can reach it
//   ZONE_NORMAL   [16 MiB, max_low_pfn)    permanently mapped (the direct map)
//   ZONE_HIGHMEM  [max_low_pfn, max_pfn)   no permanent kernel address: kmap it
//
// Each zone has its own buddy allocator (free_area[order]), counters and
// watermarks. An allocation names the highest zone it may use (gfp_zone) and
// falls back to lower zones in order HIGHMEM -> NORMAL -> DMA; lowmem_reserve
// keeps part of each lower zone for the allocations that can only use it.
#pragma once
#include <kernel/list.hpp>
#include <kernel/mm_types.hpp>
#include <kernel/spinlock.hpp>

enum zone_type : unsigned { ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM, MAX_NR_ZONES };
static_assert(MAX_NR_ZONES <= (1u << ZONES_WIDTH));

// Orders 0..MAX_ORDER-1: blocks of 4 KiB up to 4 MiB (Linux's classic MAX_ORDER 11).
constexpr unsigned MAX_ORDER = 11;
constexpr unsigned long MAX_ORDER_NR_PAGES = 1ul << (MAX_ORDER - 1);

enum zone_watermarks : unsigned { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

struct free_area {
    list_head free_list;
    unsigned long nr_free;  // blocks (not pages) on the list
};

struct zone {
    const char* name;
    unsigned long _watermark[NR_WMARK];
    // Pages this zone keeps back from allocations that could have used zone j.
    unsigned long lowmem_reserve[MAX_NR_ZONES];
    unsigned long zone_start_pfn;
    unsigned long spanned_pages;  // pfn range, holes included
    unsigned long present_pages;  // RAM pages in the range
    unsigned long managed_pages;  // pages given to the buddy allocator
    unsigned long free_pages;     // NR_FREE_PAGES
    free_area free_area[MAX_ORDER];
    spinlock_t lock;
    // Statistics (tests and the meminfo report read them).
    unsigned long alloc_count;     // successful allocations from this zone
    unsigned long fallback_count;  // ...of which asked for a higher zone first
};

inline unsigned long zone_end_pfn(const zone* z) { return z->zone_start_pfn + z->spanned_pages; }
inline bool zone_spans_pfn(const zone* z, unsigned long pfn) {
    return pfn >= z->zone_start_pfn && pfn < zone_end_pfn(z);
}
inline bool populated_zone(const zone* z) { return z->present_pages != 0; }
inline unsigned long zone_managed_pages(const zone* z) { return z->managed_pages; }
inline unsigned long min_wmark_pages(const zone* z) { return z->_watermark[WMARK_MIN]; }
inline unsigned long low_wmark_pages(const zone* z) { return z->_watermark[WMARK_LOW]; }
inline unsigned long high_wmark_pages(const zone* z) { return z->_watermark[WMARK_HIGH]; }

// The single memory node of a PC.
struct pglist_data {
    zone node_zones[MAX_NR_ZONES];
    unsigned long node_start_pfn;
    unsigned long node_spanned_pages;
};
extern pglist_data contig_page_data;
#define NODE_DATA(nid) (&contig_page_data)

inline zone* zone_by_type(zone_type t) { return &contig_page_data.node_zones[t]; }
inline zone_type zone_idx(const zone* z) { return static_cast<zone_type>(z - contig_page_data.node_zones); }
inline bool is_highmem_idx(zone_type t) { return t == ZONE_HIGHMEM; }
inline bool is_highmem(const zone* z) { return zone_idx(z) == ZONE_HIGHMEM; }

#define for_each_zone(z) for (z = contig_page_data.node_zones; z < contig_page_data.node_zones + MAX_NR_ZONES; ++z)

// 16 MiB: the ISA DMA limit.
constexpr unsigned long MAX_DMA_PFN = (16ul << 20) >> 12;
