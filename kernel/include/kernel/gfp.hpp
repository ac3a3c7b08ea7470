// Get-free-pages flags: what an allocation may do and where its memory may come
// from. Linux's names and meanings; the numeric values are this kernel's own.
//
// Zone modifiers choose the highest zone allowed (gfp_zone):
//   none -> ZONE_NORMAL, __GFP_DMA -> ZONE_DMA, __GFP_HIGHMEM -> ZONE_HIGHMEM.
// The allocator then falls back to lower zones only (HIGHMEM -> NORMAL -> DMA),
// so GFP_KERNEL can never return a highmem page.
#pragma once
#include <kernel/types.hpp>

using gfp_t = unsigned;

constexpr gfp_t __GFP_DMA = 1u << 0;
constexpr gfp_t __GFP_HIGHMEM = 1u << 1;
constexpr gfp_t __GFP_HIGH = 1u << 5;            // may dip into the reserves (ALLOC_HIGH)
constexpr gfp_t __GFP_ZERO = 1u << 8;            // zero the pages
constexpr gfp_t __GFP_DIRECT_RECLAIM = 1u << 10; // may sleep (might_sleep() checks it)
constexpr gfp_t __GFP_NOWARN = 1u << 13;         // no failure report
constexpr gfp_t __GFP_MEMALLOC = 1u << 17;       // ignore watermarks entirely
constexpr gfp_t GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM;

constexpr gfp_t GFP_ATOMIC = __GFP_HIGH;          // interrupt context: never sleeps
constexpr gfp_t GFP_NOWAIT = 0;
constexpr gfp_t GFP_KERNEL = __GFP_DIRECT_RECLAIM;
constexpr gfp_t GFP_USER = GFP_KERNEL;
constexpr gfp_t GFP_DMA = __GFP_DMA;
constexpr gfp_t GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;

inline bool gfpflags_allow_blocking(gfp_t gfp) { return gfp & __GFP_DIRECT_RECLAIM; }

struct page;
struct zone;

// The buddy allocator (mm/page_alloc.cpp). order: 2^order contiguous pages.
page* alloc_pages(gfp_t gfp, unsigned order);
inline page* alloc_page(gfp_t gfp) { return alloc_pages(gfp, 0); }
void __free_pages(page* page, unsigned order);
inline void __free_page(page* p) { __free_pages(p, 0); }

// Lowmem only: the kernel virtual address of new pages (0 on failure).
unsigned long __get_free_pages(gfp_t gfp, unsigned order);
inline unsigned long __get_free_page(gfp_t gfp) { return __get_free_pages(gfp, 0); }
unsigned long get_zeroed_page(gfp_t gfp);
void free_pages(unsigned long addr, unsigned order);
inline void free_page(unsigned long addr) { free_pages(addr, 0); }

// Smallest order whose block holds size bytes.
unsigned get_order(unsigned long size);
