// Pages and the direct map: virt = phys + PAGE_OFFSET for lowmem.
#pragma once
#include <asm/asm_defs.hpp>
#include <kernel/types.hpp>

constexpr unsigned PAGE_SHIFT = 12;
constexpr unsigned long PAGE_SIZE = 1ul << PAGE_SHIFT;
constexpr unsigned long PAGE_MASK = ~(PAGE_SIZE - 1);
constexpr unsigned long PAGE_OFFSET = __PAGE_OFFSET;  // 3G/1G split

// __pa/__va: only for the direct map (lowmem). A highmem page has no permanent
// kernel address; see page_address().
inline phys_addr_t __pa(const volatile void* v) {
    return static_cast<phys_addr_t>(reinterpret_cast<unsigned long>(v) - PAGE_OFFSET);
}
inline phys_addr_t __pa(unsigned long v) { return static_cast<phys_addr_t>(v - PAGE_OFFSET); }
inline void* __va(phys_addr_t p) { return reinterpret_cast<void*>(static_cast<unsigned long>(p) + PAGE_OFFSET); }

// Physical addresses below this have a kernel virtual address (__va): the boot
// mapping (EARLY_MAP_SIZE) until paging_init(), then all of lowmem.
extern phys_addr_t direct_map_end;
inline bool phys_is_direct_mapped(phys_addr_t p) { return p < direct_map_end; }

constexpr unsigned long PFN_UP(u64 x) { return static_cast<unsigned long>((x + PAGE_SIZE - 1) >> PAGE_SHIFT); }
constexpr unsigned long PFN_DOWN(u64 x) { return static_cast<unsigned long>(x >> PAGE_SHIFT); }
constexpr phys_addr_t PFN_PHYS(unsigned long pfn) { return static_cast<phys_addr_t>(pfn) << PAGE_SHIFT; }

// Linker-script symbols bounding the kernel image (virtual addresses).
extern "C" char _text[], _etext[], __start_rodata[], __end_rodata[], _sdata[], _edata[],
    __bss_start[], __bss_stop[], _end[];
