// The memory figures against the firmware memory map: computed here from the
// map the loader gave (e820_firmware), the paging mode's reach and the mem=
// and highmem= options, independently of the allocator's own bookkeeping.
#include <asm/e820.hpp>
#include <asm/layout.hpp>
#include <asm/pgtable.hpp>
#include <asm/setup.hpp>
#include <kernel/meminfo.hpp>
#include <kernel/mm.hpp>

#include "ktest.hpp"

namespace {

// RAM pages of the loader's map in [start_pfn, end_pfn), whole pages only,
// below the highest address this kernel can use.
unsigned long firmware_ram_pages(unsigned long start_pfn, unsigned long end_pfn) {
    u64 limit = paging->max_phys;
    if (boot_opts.mem_limit && boot_opts.mem_limit < limit) limit = boot_opts.mem_limit;
    unsigned long limit_pfn = PFN_DOWN(limit);
    if (end_pfn > limit_pfn) end_pfn = limit_pfn;
    unsigned long n = 0;
    for (unsigned i = 0; i < e820_firmware.nr_entries; ++i) {
        const e820_entry& e = e820_firmware.entries[i];
        if (e.type != e820_type::ram) continue;
        // A RAM range that overlaps a reserved one loses the overlap.
        unsigned long a = PFN_UP(e.addr), b = PFN_DOWN(e.addr + e.size);
        for (unsigned long pfn = a > start_pfn ? a : start_pfn; pfn < b && pfn < end_pfn; ++pfn) {
            bool reserved = false;
            for (unsigned j = 0; j < e820_firmware.nr_entries && !reserved; ++j) {
                const e820_entry& r = e820_firmware.entries[j];
                reserved = r.type != e820_type::ram && r.addr < PFN_PHYS(pfn + 1) && r.addr + r.size > PFN_PHYS(pfn);
            }
            n += !reserved;
        }
    }
    return n;
}

unsigned long reserved_ram_pages_in_mem_map() {
    unsigned long n = 0;
    for (unsigned long pfn = 0; pfn < max_mapnr; ++pfn)
        if (PageReserved(pfn_to_page(pfn)) && firmware_ram_pages(pfn, pfn + 1)) ++n;
    return n;
}

constexpr unsigned long kb(unsigned long pages) { return pages * (PAGE_SIZE / 1024); }

}  // namespace

KTEST(meminfo, hightotal_is_the_ram_above_the_lowmem_limit) {
    meminfo m = si_meminfo();
    EXPECT_EQ(m.high_total, kb(firmware_ram_pages(max_low_pfn, ~0ul)));
    EXPECT_EQ(m.high_total, kb(totalhigh_pages()));
    if (boot_opts.highmem_size) EXPECT_EQ(u64{m.high_total} * 1024, boot_opts.highmem_size);
}

KTEST_TIMEOUT(meminfo, memtotal_plus_reserved_is_all_ram_in_the_map, 60000) {
    meminfo m = si_meminfo();
    unsigned long ram = firmware_ram_pages(0, ~0ul);
    unsigned long reserved = reserved_ram_pages_in_mem_map();
    EXPECT_EQ(m.mem_total + kb(reserved), kb(ram));
    // The kernel image and mem_map are among the reserved pages.
    EXPECT_GE(reserved, PFN_UP(__pa(_end)) - PFN_DOWN(__pa(_text)));
    EXPECT_GE(kb(reserved), max_mapnr * sizeof(page) / 1024);
}

KTEST(meminfo, low_and_high_add_up) {
    meminfo m = si_meminfo();
    EXPECT_EQ(m.low_total + m.high_total, m.mem_total);
    EXPECT_EQ(m.low_free + m.high_free, m.mem_free);
    EXPECT_LE(m.mem_free, m.mem_total);
    EXPECT_LE(m.high_free, m.high_total);
    EXPECT_EQ(m.high_free, kb(nr_free_highpages()));
    EXPECT_EQ(m.mem_total, kb(totalram_pages()));
}

KTEST(meminfo, self_check_agrees) { EXPECT_TRUE(meminfo_self_check()); }

KTEST(meminfo, zone_boundaries) {
    const zone* dma = zone_by_type(ZONE_DMA);
    const zone* normal = zone_by_type(ZONE_NORMAL);
    const zone* high = zone_by_type(ZONE_HIGHMEM);
    unsigned long dma_end = max_low_pfn < MAX_DMA_PFN ? max_low_pfn : MAX_DMA_PFN;
    EXPECT_EQ(dma->zone_start_pfn, 0u);
    EXPECT_EQ(zone_end_pfn(dma), dma_end);
    EXPECT_EQ(normal->zone_start_pfn, dma_end);
    EXPECT_EQ(zone_end_pfn(normal), max_low_pfn);
    EXPECT_EQ(high->zone_start_pfn, max_low_pfn);
    EXPECT_EQ(zone_end_pfn(high), max_pfn);
    EXPECT_EQ(max_mapnr, max_pfn);
    EXPECT_EQ(reinterpret_cast<unsigned long>(high_memory), PAGE_OFFSET + PFN_PHYS(max_low_pfn));
    // The direct map is at most MAXMEM (896 MiB unless vmalloc= moved it).
    if (!boot_opts.vmalloc_reserve) EXPECT_LE(PFN_PHYS(max_low_pfn), MAXMEM_DEFAULT);
}

KTEST_TIMEOUT(meminfo, every_struct_page_knows_its_zone, 30000) {
    unsigned long wrong = 0, highmem_flag_wrong = 0;
    for (unsigned long pfn = 0; pfn < max_mapnr; ++pfn) {
        const page* p = pfn_to_page(pfn);
        zone_type expected = pfn < MAX_DMA_PFN && pfn < max_low_pfn ? ZONE_DMA
                             : pfn < max_low_pfn                    ? ZONE_NORMAL
                                                                    : ZONE_HIGHMEM;
        wrong += page_zonenum(p) != expected;
        highmem_flag_wrong += PageHighMem(p) != (pfn >= max_low_pfn);
    }
    EXPECT_EQ(wrong, 0u);
    EXPECT_EQ(highmem_flag_wrong, 0u);
}

KTEST(meminfo, watermarks_are_ordered_and_reserves_follow_the_ratios) {
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i) {
        const zone* z = zone_by_type(static_cast<zone_type>(i));
        EXPECT_LE(min_wmark_pages(z), low_wmark_pages(z));
        EXPECT_LE(low_wmark_pages(z), high_wmark_pages(z));
        EXPECT_LE(z->managed_pages, z->present_pages);
        EXPECT_LE(z->present_pages, z->spanned_pages);
        EXPECT_LE(z->free_pages, z->managed_pages);
    }
    const zone* dma = zone_by_type(ZONE_DMA);
    const zone* normal = zone_by_type(ZONE_NORMAL);
    const zone* high = zone_by_type(ZONE_HIGHMEM);
    EXPECT_EQ(dma->lowmem_reserve[ZONE_NORMAL], normal->managed_pages / 256);
    EXPECT_EQ(dma->lowmem_reserve[ZONE_HIGHMEM], (normal->managed_pages + high->managed_pages) / 256);
    EXPECT_EQ(normal->lowmem_reserve[ZONE_HIGHMEM], high->managed_pages / 32);
    EXPECT_EQ(dma->lowmem_reserve[ZONE_DMA], 0u);
}

// RAM the paging mode cannot reach is neither counted nor silently lost.
KTEST(meminfo, ram_beyond_the_paging_mode_is_reported) {
    u64 above = 0;
    for (unsigned i = 0; i < e820_firmware.nr_entries; ++i) {
        const e820_entry& e = e820_firmware.entries[i];
        if (e.type != e820_type::ram) continue;
        u64 end = e.addr + e.size;
        u64 limit = paging->max_phys;
        if (boot_opts.mem_limit && boot_opts.mem_limit < limit) limit = boot_opts.mem_limit;
        if (end > limit) above += end - (e.addr > limit ? e.addr : limit);
    }
    EXPECT_EQ(e820_ignored_ram, above);
}
