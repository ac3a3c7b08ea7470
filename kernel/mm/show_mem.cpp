// The meminfo report and its cross-check against the memory map.
#include <asm/e820.hpp>
#include <asm/setup.hpp>
#include <kernel/memblock.hpp>
#include <kernel/meminfo.hpp>
#include <kernel/mm.hpp>
#include <kernel/printk.hpp>

namespace {
constexpr unsigned long K(unsigned long pages) { return pages << (PAGE_SHIFT - 10); }

unsigned long zone_free(zone_type t) { return zone_by_type(t)->free_pages; }
unsigned long zone_managed(zone_type t) { return zone_by_type(t)->managed_pages; }
}  // namespace

meminfo si_meminfo() {
    IrqSaveGuard guard;  // one consistent snapshot
    meminfo m{};
    m.mem_total = K(totalram_pages());
    m.mem_free = K(nr_free_pages());
    m.high_total = K(zone_managed(ZONE_HIGHMEM));
    m.high_free = K(zone_free(ZONE_HIGHMEM));
    m.low_total = m.mem_total - m.high_total;
    m.low_free = m.mem_free - m.high_free;
    return m;
}

void show_meminfo() {
    meminfo m = si_meminfo();
    printk("MemTotal:       %8lu kB\n", m.mem_total);
    printk("MemFree:        %8lu kB\n", m.mem_free);
    printk("LowTotal:       %8lu kB\n", m.low_total);
    printk("LowFree:        %8lu kB\n", m.low_free);
    printk("HighTotal:      %8lu kB\n", m.high_total);
    printk("HighFree:       %8lu kB\n", m.high_free);
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i) {
        const zone* z = zone_by_type(static_cast<zone_type>(i));
        printk("Node 0, zone %8s: free %lu min %lu low %lu high %lu spanned %lu present %lu managed %lu\n", z->name,
               z->free_pages, min_wmark_pages(z), low_wmark_pages(z), high_wmark_pages(z), z->spanned_pages,
               z->present_pages, z->managed_pages);
    }
}

meminfo_expected meminfo_from_memory_map() {
    meminfo_expected e{};
    for (unsigned i = 0; i < e820_kernel.nr_entries; ++i) {
        const e820_entry& r = e820_kernel.entries[i];
        if (r.type != e820_type::ram) continue;
        unsigned long start = PFN_UP(r.addr), end = PFN_DOWN(r.addr + r.size);
        if (end <= start) continue;
        e.ram_pages += end - start;
        if (end > max_low_pfn) e.high_ram_pages += end - (start > max_low_pfn ? start : max_low_pfn);
    }
    for (unsigned i = 0; i < memblock_reserved.cnt; ++i) {
        const memblock_region& r = memblock_reserved.regions[i];
        // Only reservations inside RAM take pages away from MemTotal.
        for (unsigned j = 0; j < memblock_memory.cnt; ++j) {
            const memblock_region& m = memblock_memory.regions[j];
            phys_addr_t a = r.base > m.base ? r.base : m.base;
            phys_addr_t b = r.end() < m.end() ? r.end() : m.end();
            if (b > a) e.reserved_pages += PFN_UP(b) - PFN_DOWN(a);
        }
    }
    return e;
}

bool meminfo_self_check() {
    meminfo_expected e = meminfo_from_memory_map();
    meminfo m = si_meminfo();
    bool ok = true;
    if (m.high_total != K(e.high_ram_pages)) {
        printk("meminfo: HighTotal %lu kB, but the memory map has %lu kB of RAM above the lowmem limit\n",
               m.high_total, K(e.high_ram_pages));
        ok = false;
    }
    if (m.mem_total + K(e.reserved_pages) != K(e.ram_pages)) {
        printk("meminfo: MemTotal %lu kB + %lu kB reserved != %lu kB of RAM in the memory map\n", m.mem_total,
               K(e.reserved_pages), K(e.ram_pages));
        ok = false;
    }
    if (ok) printk("meminfo: figures match the memory map (%lu kB RAM, %lu kB reserved)\n", K(e.ram_pages),
                   K(e.reserved_pages));
    return ok;
}
