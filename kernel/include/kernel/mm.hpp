// Page frames and their addresses: mem_map, pfn <-> struct page <-> address.
#pragma once
#include <asm/layout.hpp>
#include <asm/page.hpp>
#include <kernel/gfp.hpp>
#include <kernel/mm_types.hpp>
#include <kernel/mmzone.hpp>

extern page* mem_map;            // one struct page per pfn in [0, max_pfn)
extern unsigned long max_mapnr;  // entries in mem_map

inline unsigned long page_to_pfn(const page* p) { return static_cast<unsigned long>(p - mem_map); }
inline page* pfn_to_page(unsigned long pfn) { return mem_map + pfn; }
inline bool pfn_valid(unsigned long pfn) { return pfn < max_mapnr; }
inline phys_addr_t page_to_phys(const page* p) { return PFN_PHYS(page_to_pfn(p)); }

inline zone_type page_zonenum(const page* p) {
    return static_cast<zone_type>((p->flags >> ZONES_PGSHIFT) & ZONES_MASK);
}
inline zone* page_zone(const page* p) { return zone_by_type(page_zonenum(p)); }
inline void set_page_zone(page* p, zone_type z) {
    p->flags = (p->flags & ~(ZONES_MASK << ZONES_PGSHIFT)) | (static_cast<unsigned long>(z) << ZONES_PGSHIFT);
}
inline bool PageHighMem(const page* p) { return page_zonenum(p) == ZONE_HIGHMEM; }

// Folios (mm_types.hpp). There are no compound-page records: page_folio() must
// be given the head page of the block (what alloc_pages returned).
inline folio* page_folio(page* head) { return reinterpret_cast<folio*>(head); }
inline page* folio_page(folio* f, unsigned long n) { return &f->head + n; }

// Lowmem addresses only: the struct page behind a direct-map address.
inline page* virt_to_page(const void* addr) { return pfn_to_page(PFN_DOWN(__pa(addr))); }
inline bool virt_addr_valid(const void* addr) {
    auto a = reinterpret_cast<unsigned long>(addr);
    return a >= PAGE_OFFSET && a < reinterpret_cast<unsigned long>(high_memory) && pfn_valid(PFN_DOWN(__pa(addr)));
}
inline void* lowmem_page_address(const page* p) { return __va(page_to_phys(p)); }

// The kernel address of a page: arithmetic for lowmem; for highmem the address
// of its current kmap, or nullptr when it has none (mm/highmem.cpp).
void* page_address(const page* p);

// Memory totals in pages (Linux's names).
unsigned long totalram_pages();      // managed pages, all zones
unsigned long totalhigh_pages();     // managed pages in ZONE_HIGHMEM
unsigned long nr_free_pages();
unsigned long nr_free_highpages();

// Boot: mem_map and zones from memblock, then every free page to the buddy allocator.
void free_area_init();
void memblock_free_all();
void mem_init();
