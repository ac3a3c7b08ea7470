// Architecture setup at boot: memory map, lowmem/highmem split, page tables.
#pragma once
#include <kernel/types.hpp>

struct multiboot_info;

// Copies what the loader left (command line, memory map) into the kernel
// before anything can overwrite it.
void copy_multiboot_info(u32 magic, u32 mbi_phys);
// After parse_early_params(): CPU features, e820, memblock, lowmem/highmem split,
// paging_init(). Leaves the kernel on its final page tables.
void setup_arch();

// The boot loader's name, when it gave one.
extern char boot_loader_name[64];

// Page frame numbers of the memory layout (Linux's names):
//   max_low_pfn: end of lowmem (the direct map); max_pfn: end of RAM;
//   highstart_pfn..highend_pfn: the highmem range (empty without highmem).
extern unsigned long max_low_pfn, max_pfn, highstart_pfn, highend_pfn;

// Command-line choices (parsed by early_param handlers in setup.cpp).
struct boot_options {
    bool want_pae;             // paging=pae
    bool noexec_off;           // noexec=off: do not use NX even if present
    u64 mem_limit;             // mem=: ignore RAM at and above (0: none)
    u64 highmem_size;          // highmem=: Linux's: the highmem size (0: none)
    u64 force_highmem_size;    // force_highmem=: this much of the RAM highmem, any lowmem left (0: none)
    u64 vmalloc_reserve;       // vmalloc=: room above lowmem (0: default)
};
extern boot_options boot_opts;

void paging_init();
// init_mm: the kernel's address space (swapper_pg_dir), for kernel threads.
void pgd_init_kernel();
// Called by setup_arch: the kernel's page tables, for paging_init to fill in.
void mem_init_print_layout();
