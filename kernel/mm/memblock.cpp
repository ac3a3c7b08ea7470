// memblock: sorted, merged region arrays and a top-down allocator over
// "memory minus reserved" (see kernel/memblock.hpp).
#include <asm/page.hpp>
#include <kernel/bug.hpp>
#include <kernel/memblock.hpp>
#include <kernel/printk.hpp>
#include <kernel/string.hpp>

constinit memblock_type memblock_memory{"memory", 0, {}};
constinit memblock_type memblock_reserved{"reserved", 0, {}};

namespace {

constinit phys_addr_t current_limit = 0;

// Inserts [base, base+size) and merges it with everything it overlaps or touches.
void region_add(memblock_type& type, phys_addr_t base, phys_addr_t size) {
    if (size == 0) return;
    phys_addr_t end = base + size;
    unsigned i = 0;
    while (i < type.cnt && type.regions[i].end() < base) ++i;
    // Regions i..j-1 overlap or touch the new one: fold them into it.
    unsigned j = i;
    while (j < type.cnt && type.regions[j].base <= end) {
        if (type.regions[j].base < base) base = type.regions[j].base;
        if (type.regions[j].end() > end) end = type.regions[j].end();
        ++j;
    }
    if (i == j) {
        if (type.cnt == MEMBLOCK_MAX_REGIONS) panic("memblock: too many %s regions", type.name);
        memmove(&type.regions[i + 1], &type.regions[i], (type.cnt - i) * sizeof(memblock_region));
        ++type.cnt;
    } else if (j - i > 1) {
        memmove(&type.regions[i + 1], &type.regions[j], (type.cnt - j) * sizeof(memblock_region));
        type.cnt -= j - i - 1;
    }
    type.regions[i] = {base, end - base};
}

}  // namespace

void memblock_add(phys_addr_t base, phys_addr_t size) { region_add(memblock_memory, base, size); }
void memblock_reserve(phys_addr_t base, phys_addr_t size) { region_add(memblock_reserved, base, size); }
void memblock_set_current_limit(phys_addr_t limit) { current_limit = limit; }
phys_addr_t memblock_current_limit() { return current_limit; }

unsigned memblock_free_ranges(memblock_region* out, unsigned max) {
    unsigned n = 0;
    for (unsigned m = 0; m < memblock_memory.cnt; ++m) {
        phys_addr_t start = memblock_memory.regions[m].base;
        phys_addr_t end = memblock_memory.regions[m].end();
        for (unsigned r = 0; r < memblock_reserved.cnt && start < end; ++r) {
            const memblock_region& res = memblock_reserved.regions[r];
            if (res.end() <= start) continue;
            if (res.base >= end) break;
            if (res.base > start) {
                BUG_ON(n == max);
                out[n++] = {start, res.base - start};
            }
            start = res.end();
        }
        if (start < end) {
            BUG_ON(n == max);
            out[n++] = {start, end - start};
        }
    }
    return n;
}

phys_addr_t memblock_phys_alloc_range(phys_addr_t size, phys_addr_t align, phys_addr_t min, phys_addr_t max) {
    static memblock_region ranges[2 * MEMBLOCK_MAX_REGIONS];
    unsigned n = memblock_free_ranges(ranges, 2 * MEMBLOCK_MAX_REGIONS);
    for (unsigned i = n; i-- > 0;) {  // top-down, as Linux: keeps low (DMA) memory free
        phys_addr_t lo = ranges[i].base < min ? min : ranges[i].base;
        phys_addr_t hi = ranges[i].end() > max ? max : ranges[i].end();
        if (hi < lo + size) continue;
        phys_addr_t base = round_down(hi - size, align);
        if (base < lo) continue;
        memblock_reserve(base, size);
        return base;
    }
    return 0;
}

void* memblock_alloc(phys_addr_t size, phys_addr_t align, const char* what) {
    phys_addr_t phys = memblock_phys_alloc_range(size, align, PAGE_SIZE, current_limit);
    if (!phys)
        panic("memblock: cannot allocate %llu bytes for %s below %#llx", size, what, current_limit);
    BUG_ON(!phys_is_direct_mapped(phys + size - 1));
    void* p = __va(phys);
    memset(p, 0, static_cast<size_t>(size));
    return p;
}

phys_addr_t memblock_phys_mem_size() {
    phys_addr_t total = 0;
    for (unsigned i = 0; i < memblock_memory.cnt; ++i) total += memblock_memory.regions[i].size;
    return total;
}

phys_addr_t memblock_reserved_size() {
    phys_addr_t total = 0;
    for (unsigned i = 0; i < memblock_reserved.cnt; ++i) total += memblock_reserved.regions[i].size;
    return total;
}

phys_addr_t memblock_end_of_DRAM() {
    return memblock_memory.cnt ? memblock_memory.regions[memblock_memory.cnt - 1].end() : 0;
}

void memblock_dump() {
    const memblock_type* types[] = {&memblock_memory, &memblock_reserved};
    for (const memblock_type* t : types) {
        printk(" memblock.%s: %u region(s)\n", t->name, t->cnt);
        for (unsigned i = 0; i < t->cnt; ++i)
            printk("  [%#018llx-%#018llx] %llu KiB\n", t->regions[i].base, t->regions[i].end() - 1,
                   t->regions[i].size >> 10);
    }
}
