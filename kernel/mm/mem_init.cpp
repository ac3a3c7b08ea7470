// mm_core_init: from memblock to a running buddy allocator and slab.
#include <asm/page.hpp>
#include <asm/setup.hpp>
#include <kernel/highmem.hpp>
#include <kernel/memblock.hpp>
#include <kernel/meminfo.hpp>
#include <kernel/mm.hpp>
#include <kernel/printk.hpp>
#include <kernel/slab.hpp>

namespace {
unsigned long kb(const char* start, const char* end) {
    return static_cast<unsigned long>(end - start) >> 10;
}
}  // namespace

// Linux's mem_init_print_info: what became of the RAM.
void mem_init() {
    memblock_free_all();
    unsigned long physpages = 0;
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i) physpages += zone_by_type(static_cast<zone_type>(i))->present_pages;
    unsigned long total = totalram_pages();
    printk("Memory: %luK/%luK available (%luK kernel code, %luK rwdata, %luK rodata, %luK bss, %luK reserved, "
           "%luK highmem)\n",
           nr_free_pages() << (PAGE_SHIFT - 10), physpages << (PAGE_SHIFT - 10), kb(_text, _etext),
           kb(_sdata, _edata), kb(__start_rodata, __end_rodata), kb(__bss_start, __bss_stop),
           (physpages - total) << (PAGE_SHIFT - 10), totalhigh_pages() << (PAGE_SHIFT - 10));
    kmem_cache_init();
    kmap_init();
}
