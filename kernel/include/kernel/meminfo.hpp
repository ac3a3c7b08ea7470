// The memory report (like /proc/meminfo), computed from the live zone state.
#pragma once
#include <kernel/mmzone.hpp>

struct meminfo {
    unsigned long mem_total, mem_free;    // KiB
    unsigned long low_total, low_free;
    unsigned long high_total, high_free;
};

meminfo si_meminfo();
// Prints MemTotal..HighFree and one line per zone.
void show_meminfo();

// What the memory map says the figures must be, computed independently of the
// allocator (from e820, the lowmem limit and memblock's reservations).
struct meminfo_expected {
    unsigned long ram_pages;        // usable RAM the kernel can address
    unsigned long high_ram_pages;   // ...at or above the lowmem limit
    unsigned long reserved_pages;   // RAM pages memblock reserved at boot
};
meminfo_expected meminfo_from_memory_map();
// Compares the two; prints and returns false on any mismatch.
bool meminfo_self_check();
