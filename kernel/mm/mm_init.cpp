// Boot-time set-up of the page allocator:
//   free_area_init(): mem_map (from memblock, in lowmem), zone boundaries,
//     every struct page initialised as reserved and tagged with its zone;
//   memblock_free_all(): every page memblock left free goes to its zone's
//     buddy allocator, in the largest aligned blocks possible;
//   setup_per_zone_wmarks() / lowmem_reserve: Linux's formulas.
#include <asm/setup.hpp>
#include <kernel/bug.hpp>
#include <kernel/memblock.hpp>
#include <kernel/mm.hpp>
#include <kernel/printk.hpp>
#include <kernel/string.hpp>

constinit pglist_data contig_page_data{};
constinit page* mem_map = nullptr;
constinit unsigned long max_mapnr = 0;

void __free_pages_core(page* page, unsigned order);  // page_alloc.cpp

namespace {

const char* const zone_names[MAX_NR_ZONES] = {"DMA", "Normal", "HighMem"};
// Linux's sysctl_lowmem_reserve_ratio: a zone keeps 1/ratio of the zones above it.
constexpr unsigned long lowmem_reserve_ratio[MAX_NR_ZONES] = {256, 32, 0};

constinit unsigned long min_free_kbytes = 0;

unsigned long int_sqrt(unsigned long x) {
    unsigned long r = 0;
    for (unsigned long bit = 1ul << 30; bit; bit >>= 2) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
    }
    return r;
}

// RAM pages in [start, end) according to memblock.
unsigned long present_pages_in(unsigned long start, unsigned long end) {
    unsigned long n = 0;
    for (unsigned i = 0; i < memblock_memory.cnt; ++i) {
        unsigned long a = PFN_DOWN(memblock_memory.regions[i].base);
        unsigned long b = PFN_DOWN(memblock_memory.regions[i].end());
        if (a < start) a = start;
        if (b > end) b = end;
        if (b > a) n += b - a;
    }
    return n;
}

void init_zone(zone_type t, unsigned long start, unsigned long end) {
    zone* z = zone_by_type(t);
    z->name = zone_names[t];
    z->zone_start_pfn = start;
    z->spanned_pages = end > start ? end - start : 0;
    z->present_pages = present_pages_in(start, end);
    spin_lock_init(&z->lock, "zone->lock");
    for (auto& area : z->free_area) {
        INIT_LIST_HEAD(&area.free_list);
        area.nr_free = 0;
    }
    for (unsigned long pfn = start; pfn < end; ++pfn) set_page_zone(pfn_to_page(pfn), t);
}

// Frees [start, end) to the buddy allocator in aligned power-of-two blocks,
// never crossing a zone boundary.
void free_range(unsigned long start, unsigned long end) {
    while (start < end) {
        unsigned order = MAX_ORDER - 1;
        while (order > 0 && ((start & ((1ul << order) - 1)) || start + (1ul << order) > end)) --order;
        __free_pages_core(pfn_to_page(start), order);
        start += 1ul << order;
    }
}

void setup_per_zone_lowmem_reserve() {
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i) {
        zone* lower = zone_by_type(static_cast<zone_type>(i));
        unsigned long managed_above = 0;
        for (unsigned j = i + 1; j < MAX_NR_ZONES; ++j) {
            managed_above += zone_by_type(static_cast<zone_type>(j))->managed_pages;
            lower->lowmem_reserve[j] = lowmem_reserve_ratio[i] ? managed_above / lowmem_reserve_ratio[i] : 0;
        }
    }
}

// min_free_kbytes = sqrt(lowmem KiB * 16), shared among lowmem zones by size;
// highmem gets a small fixed minimum (its pages are no use to the kernel itself).
void setup_per_zone_wmarks() {
    unsigned long lowmem_pages = 0;
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i)
        if (!is_highmem_idx(static_cast<zone_type>(i))) lowmem_pages += zone_by_type(static_cast<zone_type>(i))->managed_pages;
    min_free_kbytes = int_sqrt(lowmem_pages * (PAGE_SIZE / 1024) * 16);
    if (min_free_kbytes < 128) min_free_kbytes = 128;
    if (min_free_kbytes > 262144) min_free_kbytes = 262144;
    unsigned long pages_min = min_free_kbytes >> (PAGE_SHIFT - 10);
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i) {
        zone* z = zone_by_type(static_cast<zone_type>(i));
        unsigned long managed = z->managed_pages;
        unsigned long min;
        if (is_highmem(z)) {
            min = managed / 1024;
            if (min < 32) min = 32;  // SWAP_CLUSTER_MAX
            if (min > 128) min = 128;
            if (min > managed) min = managed;
        } else {
            min = lowmem_pages ? static_cast<unsigned long>(u64{pages_min} * managed / lowmem_pages) : 0;
        }
        unsigned long delta = min / 4;
        unsigned long scaled = static_cast<unsigned long>(u64{managed} * 10 / 10000);  // watermark_scale_factor
        if (scaled > delta) delta = scaled;
        z->_watermark[WMARK_MIN] = min;
        z->_watermark[WMARK_LOW] = min + delta;
        z->_watermark[WMARK_HIGH] = min + 2 * delta;
    }
}

}  // namespace

void free_area_init() {
    max_mapnr = max_pfn;
    mem_map = static_cast<page*>(memblock_alloc(u64{max_mapnr} * sizeof(page), PAGE_SIZE, "mem_map"));
    for (unsigned long pfn = 0; pfn < max_mapnr; ++pfn) {
        page* p = pfn_to_page(pfn);
        p->flags = 1ul << PG_reserved;
        set_page_count(p, 1);
        p->_mapcount = -1;
        INIT_LIST_HEAD(&p->lru);
    }
    unsigned long dma_end = max_low_pfn < MAX_DMA_PFN ? max_low_pfn : MAX_DMA_PFN;
    init_zone(ZONE_DMA, 0, dma_end);
    init_zone(ZONE_NORMAL, dma_end, max_low_pfn);
    init_zone(ZONE_HIGHMEM, max_low_pfn, max_pfn);
    contig_page_data.node_start_pfn = 0;
    contig_page_data.node_spanned_pages = max_pfn;
    printk("Zone ranges:\n");
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i) {
        const zone* z = zone_by_type(static_cast<zone_type>(i));
        if (z->spanned_pages)
            printk("  %-8s [mem %#018llx-%#018llx] %lu pages present\n", z->name, PFN_PHYS(z->zone_start_pfn),
                   PFN_PHYS(zone_end_pfn(z)) - 1, z->present_pages);
        else
            printk("  %-8s empty\n", z->name);
    }
    printk("mem_map: %lu struct pages (%lu KiB) at %p\n", max_mapnr, max_mapnr * sizeof(page) / 1024,
           static_cast<void*>(mem_map));
}

void memblock_free_all() {
    for_each_free_mem_range([](phys_addr_t start, phys_addr_t end) {
        unsigned long s = PFN_UP(start), e = PFN_DOWN(end);
        // Split at zone boundaries: a buddy block lives in one zone.
        for (unsigned i = 0; i < MAX_NR_ZONES && s < e; ++i) {
            const zone* z = zone_by_type(static_cast<zone_type>(i));
            unsigned long zs = s > z->zone_start_pfn ? s : z->zone_start_pfn;
            unsigned long ze = e < zone_end_pfn(z) ? e : zone_end_pfn(z);
            if (zs < ze) free_range(zs, ze);
        }
    });
    setup_per_zone_wmarks();
    setup_per_zone_lowmem_reserve();
}

unsigned long min_free_kbytes_value() { return min_free_kbytes; }
