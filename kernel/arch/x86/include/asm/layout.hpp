// The kernel's virtual address space: the single definition of where everything
// lives in the top gigabyte (3G/1G split), modelled on Linux's
// arch/x86/include/asm/pgtable_32_areas.h and fixmap.h.
//
//   0xFFFFFFFF +-----------------------------+
//              | fixmap slot 0 (FIX_HOLE)    | <- FIXADDR_TOP = 0xFFFFF000
//              | FIX_KMAP_BEGIN..FIX_KMAP_END| fix_to_virt(i) = FIXADDR_TOP - i*PAGE_SIZE
//              |  (KM_SLOTS_PER_CPU per CPU) |   (slots grow down)
//              | APIC, I/O APIC, early read  |
//              +-----------------------------+ <- FIXADDR_START
//              | unused up to a PMD boundary |
//   PKMAP_BASE +-----------------------------+ (PMD aligned)
//              | persistent kmap window:     | LAST_PKMAP pages = exactly one page
//              |  1024 pages (2-level)       | table (pkmap_page_table)
//              |   512 pages (PAE)           |
//              +-----------------------------+
//              | 2 guard pages               |
//  VMALLOC_END +-----------------------------+
//              | vmalloc / vmap area         |
//VMALLOC_START +-----------------------------+ high_memory + 8 MiB
//              | VMALLOC_OFFSET guard hole   | catches direct-map overruns
//  high_memory +-----------------------------+
//              | direct map of lowmem        | virt = phys + PAGE_OFFSET
//              |  (at most MAXMEM = 896 MiB) |
//  PAGE_OFFSET +-----------------------------+ 0xC0000000
//              | user space                  |
//   0x00000000 +-----------------------------+
//
// The paging mode is chosen at boot (paging=2level|pae), so the values that
// depend on the page-table geometry (PMD size, LAST_PKMAP, PKMAP_BASE,
// VMALLOC_END) are read from the active geometry; the rest are constants.
#pragma once
#include <asm/page.hpp>
#include <kernel/sizes.hpp>

// --- fixmap ----------------------------------------------------------------
// CPUs the kernel can bring up (hm386's and QEMU's -smp go to 8 here). Each has
// its block of KM_SLOTS_PER_CPU kmap_local slots: CPU n's slot i is fixmap slot
// FIX_KMAP_BEGIN + i + KM_SLOTS_PER_CPU * n, Linux's layout (KM_MAX_IDX * cpu
// there; the block here is the debug_kmap_local size, see below).
constexpr unsigned NR_CPUS = 8;
// kmap_local/kmap_atomic slots, Linux's KM_MAX_IDX (asm-generic/kmap_size.h):
// 16 per CPU, of which 15 can be used at once (the push BUGs when the index
// reaches KM_MAX_IDX). With debug_kmap_local (Linux's CONFIG_DEBUG_KMAP_LOCAL,
// here a boot option) 33: 16 mappings, each between unmapped guard slots. The
// fixmap reserves the larger block per CPU so the option needs no other layout;
// without it the upper 17 slots of each block stay unused.
constexpr unsigned KM_MAX_IDX = 16;
constexpr unsigned KM_MAX_IDX_DEBUG = 33;
constexpr unsigned KM_SLOTS_PER_CPU = KM_MAX_IDX_DEBUG;

enum fixed_addresses : unsigned {
    FIX_HOLE,  // the topmost page stays unmapped
    FIX_KMAP_BEGIN,
    FIX_KMAP_END = FIX_KMAP_BEGIN + KM_SLOTS_PER_CPU * NR_CPUS - 1,
    // Below the kmap slots, so their addresses do not depend on the interrupt
    // controller (Linux puts these above them): the local APIC and I/O APIC
    // registers (uncached), and one page to read firmware tables (the ACPI
    // MADT) wherever the firmware put them, lowmem or not.
    FIX_APIC_BASE,
    FIX_IO_APIC_BASE_0,
    FIX_EARLY_READ,
    __end_of_fixed_addresses
};

constexpr unsigned long FIXADDR_TOP = 0xFFFFF000;
constexpr unsigned long FIXADDR_SIZE = static_cast<unsigned long>(__end_of_fixed_addresses) << PAGE_SHIFT;
constexpr unsigned long FIXADDR_START = FIXADDR_TOP - FIXADDR_SIZE;

constexpr unsigned long fix_to_virt(unsigned idx) { return FIXADDR_TOP - (static_cast<unsigned long>(idx) << PAGE_SHIFT); }
constexpr unsigned virt_to_fix(unsigned long vaddr) { return static_cast<unsigned>((FIXADDR_TOP - (vaddr & PAGE_MASK)) >> PAGE_SHIFT); }

// --- direct map ------------------------------------------------------------
constexpr unsigned long VMALLOC_OFFSET = SZ_8M;
constexpr unsigned long VMALLOC_RESERVE_DEFAULT = 128 * SZ_1M;
// Lowmem can never exceed this: the direct map, the guard, vmalloc, pkmap and
// fixmap share the top gigabyte. vmalloc=SIZE moves the boundary (see setup).
constexpr unsigned long MAXMEM_DEFAULT = SZ_1G - VMALLOC_RESERVE_DEFAULT;  // 896 MiB

// --- page-table geometry ------------------------------------------------------
// Everything about the layout that changes between 2-level and PAE paging.
struct paging_geometry {
    const char* name;
    unsigned pte_size;       // bytes per entry: 4 or 8
    unsigned ptrs_per_pte;   // entries per page table: 1024 or 512
    unsigned pmd_shift;      // bits mapped by one page table: 22 (4 MiB) or 21 (2 MiB)
    unsigned last_pkmap;     // LAST_PKMAP: the pkmap window is one page table
    unsigned long pkmap_base;
    unsigned long vmalloc_end;
    u64 max_phys;            // highest physical address + 1 reachable in this mode
};

constexpr paging_geometry make_geometry(const char* name, unsigned pte_size, unsigned pmd_shift, u64 max_phys) {
    paging_geometry g{};
    g.name = name;
    g.pte_size = pte_size;
    g.ptrs_per_pte = static_cast<unsigned>(PAGE_SIZE / pte_size);
    g.pmd_shift = pmd_shift;
    g.last_pkmap = g.ptrs_per_pte;
    unsigned long pmd_mask = ~((1ul << pmd_shift) - 1);
    g.pkmap_base = (FIXADDR_START - PAGE_SIZE * (g.last_pkmap + 1)) & pmd_mask;
    g.vmalloc_end = g.pkmap_base - 2 * PAGE_SIZE;
    g.max_phys = max_phys;
    return g;
}

constexpr paging_geometry GEOMETRY_2LEVEL = make_geometry("2-level", 4, 22, SZ_4G);
constexpr paging_geometry GEOMETRY_PAE = make_geometry("PAE", 8, 21, SZ_64G);

static_assert(GEOMETRY_2LEVEL.pkmap_base == 0xFF800000);
static_assert(GEOMETRY_PAE.pkmap_base == 0xFFC00000);
static_assert(GEOMETRY_PAE.pkmap_base + GEOMETRY_PAE.last_pkmap * PAGE_SIZE <= FIXADDR_START);
static_assert(GEOMETRY_2LEVEL.pkmap_base + GEOMETRY_2LEVEL.last_pkmap * PAGE_SIZE <= FIXADDR_START);
// The fixmap must sit in the last page table in both modes (one table to set up).
static_assert(FIXADDR_START >= 0xFFE00000);

// The active geometry, chosen once by setup_arch() before paging_init().
extern const paging_geometry* paging;

constexpr unsigned LAST_PKMAP_MAX = 1024;  // array bound valid in both modes
inline unsigned LAST_PKMAP() { return paging->last_pkmap; }
inline unsigned long PKMAP_BASE() { return paging->pkmap_base; }
inline unsigned long PKMAP_ADDR(unsigned nr) { return PKMAP_BASE() + (static_cast<unsigned long>(nr) << PAGE_SHIFT); }
inline unsigned PKMAP_NR(unsigned long virt) { return static_cast<unsigned>((virt - PKMAP_BASE()) >> PAGE_SHIFT); }
inline unsigned long PMD_SIZE() { return 1ul << paging->pmd_shift; }

// Set from max_low_pfn by setup_arch(): the end of the direct map.
extern void* high_memory;

// VMALLOC_OFFSET above the direct map, as Linux's pgtable_32_areas.h has it.
inline unsigned long VMALLOC_START() { return reinterpret_cast<unsigned long>(high_memory) + VMALLOC_OFFSET; }
inline unsigned long VMALLOC_END() { return paging->vmalloc_end; }

// Prints the layout like Linux's "virtual kernel memory layout" boot message.
void print_vm_layout();
