// vmalloc and vmap: long-lived, virtually contiguous kernel mappings of pages
// that need not be physically contiguous, in [VMALLOC_START, VMALLOC_END).
//
// Each area is followed by an unmapped guard page. Mapping writes PTEs into
// the kernel's (preallocated) page tables; unmapping clears them and flushes
// the range from the TLB at once (Linux defers and batches this "lazy
// purge"; here every vunmap pays for its own flush, so the cost is visible).
// vmalloc() takes its pages from highmem when there is some: they need no
// permanent address, only this mapping.
#pragma once
#include <asm/pgtable.hpp>
#include <kernel/gfp.hpp>
#include <kernel/list.hpp>

struct page;

constexpr unsigned long VM_ALLOC = 1u << 0;  // pages allocated (and freed) by vmalloc
constexpr unsigned long VM_MAP = 1u << 1;    // pages supplied by the vmap() caller

struct vm_struct {
    void* addr;
    unsigned long size;  // bytes, including the guard page
    unsigned long flags;
    page** pages;        // VM_ALLOC: the pages, owned by the area
    unsigned nr_pages;
    list_head list;      // all areas, sorted by address
};

void* vmalloc(unsigned long size);
void* vzalloc(unsigned long size);
void vfree(const void* addr);
void* vmap(page** pages, unsigned count, unsigned long flags, pgprot_t prot);
void vunmap(const void* addr);

// Reserves address space only (no pages mapped).
vm_struct* get_vm_area(unsigned long size, unsigned long flags);
vm_struct* find_vm_area(const void* addr);
page* vmalloc_to_page(const void* addr);
bool is_vmalloc_addr(const void* addr);

struct vmalloc_counters {
    unsigned long areas;          // live areas
    unsigned long pages_mapped;   // live mapped pages
    unsigned long full_flushes;   // vunmaps that flushed the whole TLB
    unsigned long page_flushes;   // pages invalidated one by one
};
extern vmalloc_counters vmalloc_stats;
