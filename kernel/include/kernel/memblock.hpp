// The boot-time memory allocator (Linux's memblock): physical RAM ranges and the
// ranges already taken, both kept sorted and merged. It serves the allocations
// made before the buddy allocator exists (page tables, mem_map), then hands
// every free page to the buddy allocator (memblock_free_all) and retires.
#pragma once
#include <kernel/types.hpp>

constexpr unsigned MEMBLOCK_MAX_REGIONS = 128;

struct memblock_region {
    phys_addr_t base;
    phys_addr_t size;
    phys_addr_t end() const { return base + size; }
};

struct memblock_type {
    const char* name;
    unsigned cnt;
    memblock_region regions[MEMBLOCK_MAX_REGIONS];
};

extern memblock_type memblock_memory;
extern memblock_type memblock_reserved;

void memblock_add(phys_addr_t base, phys_addr_t size);
void memblock_reserve(phys_addr_t base, phys_addr_t size);
// Allocations come from below this address (it must be direct-mapped).
void memblock_set_current_limit(phys_addr_t limit);
phys_addr_t memblock_current_limit();

// Highest free, aligned block of size bytes in [min, max); 0 when none (page 0
// is always reserved, so 0 is never a valid result).
phys_addr_t memblock_phys_alloc_range(phys_addr_t size, phys_addr_t align, phys_addr_t min, phys_addr_t max);
// A zeroed, direct-mapped block below the current limit; panics when memory is
// exhausted (boot cannot continue without it).
void* memblock_alloc(phys_addr_t size, phys_addr_t align, const char* what);

// Calls fn for every free range (memory minus reserved), in address order.
template <typename Fn>
void for_each_free_mem_range(Fn fn);

phys_addr_t memblock_phys_mem_size();      // all RAM
phys_addr_t memblock_reserved_size();      // all reservations
phys_addr_t memblock_end_of_DRAM();
void memblock_dump();

// Internal: the free ranges, computed into a caller's array.
unsigned memblock_free_ranges(memblock_region* out, unsigned max);

template <typename Fn>
void for_each_free_mem_range(Fn fn) {
    static memblock_region ranges[2 * MEMBLOCK_MAX_REGIONS];
    unsigned n = memblock_free_ranges(ranges, 2 * MEMBLOCK_MAX_REGIONS);
    for (unsigned i = 0; i < n; ++i) fn(ranges[i].base, ranges[i].end());
}
