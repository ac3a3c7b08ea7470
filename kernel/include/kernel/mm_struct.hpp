// User address spaces: struct mm_struct, its regions (vm_area_struct) and its
// page tables.
//
// User space is [0, PAGE_OFFSET). Each address space has its own top-level
// table whose kernel part is shared with every other one, so entering the
// kernel (a system call, an interrupt) needs no CR3 switch:
//   2-level: a page directory whose entries 768..1023 are swapper_pg_dir's;
//   PAE:     a PDPT whose entries 0..2 point at the process's own PMDs and
//            entry 3 at the kernel PMD shared by all.
// User page tables live in lowmem, or with the highpte option in highmem
// (Linux's CONFIG_HIGHPTE; the kernel then maps each table with kmap_local
// while it reads or writes it). The pages they map come from GFP_HIGHUSER, so
// on a machine with highmem the kernel reaches them through kmap_local or
// through the user mapping itself.
#pragma once
#include <asm/pgtable.hpp>
#include <kernel/list.hpp>
#include <kernel/spinlock.hpp>

struct page;

constexpr unsigned long VM_READ = 1u << 0;
constexpr unsigned long VM_WRITE = 1u << 1;
constexpr unsigned long VM_EXEC = 1u << 2;

constexpr unsigned long TASK_SIZE = PAGE_OFFSET;  // the end of user space
constexpr unsigned long STACK_TOP = TASK_SIZE;
constexpr unsigned long USER_STACK_SIZE = 16 * 1024;

struct vm_area_struct {
    unsigned long vm_start, vm_end;  // [start, end), page aligned
    unsigned long vm_flags;
    list_head list;                  // the mm's regions, by address
};

struct mm_struct {
    void* pgd;            // 2-level: page directory; PAE: PDPT (lowmem pages)
    u64* pmd[3];          // PAE: the PMDs of user quarters 0..2
    list_head mmap;       // vm_area_structs
    spinlock_t page_table_lock;
    unsigned long nr_pages;     // user pages mapped
    unsigned long nr_ptes;      // page-table pages (PMDs included)
    int users;
};

// The kernel's own address space (swapper_pg_dir): what kernel threads use.
extern mm_struct init_mm;

mm_struct* mm_alloc();
void mmput(mm_struct* mm);  // drops a user; the last one frees everything
// Loads mm's page tables into CR3 (nothing when already loaded).
void switch_mm(mm_struct* next);

// A region plus its pages: fresh GFP_HIGHUSER pages, zeroed, mapped with the
// region's permissions. Returns 0 or a negative errno.
int mm_map_anon(mm_struct* mm, unsigned long start, unsigned long len, unsigned long vm_flags);
vm_area_struct* find_vma(mm_struct* mm, unsigned long addr);

// The PTE mapping addr in mm: nullptr when no page table covers it. The
// table is mapped for the caller (pte_offset_map): release it with
// pte_unmap(), in LIFO order with other kmap_local mappings.
pte_ptr user_pte_lookup(mm_struct* mm, unsigned long addr);
// The same, allocating the page table when needed (nullptr: out of memory).
pte_ptr user_pte_alloc(mm_struct* mm, unsigned long addr);
void pte_unmap(pte_ptr ptep);
// Lookup, read and unmap in one (0 when nothing maps addr).
pte_t user_pte_read(mm_struct* mm, unsigned long addr);
// The page holding the page table that covers addr (nullptr: none).
page* user_pte_table_page(mm_struct* mm, unsigned long addr);
// Boot option highpte: user page tables from highmem (Linux's CONFIG_HIGHPTE).
bool highpte_enabled();
pgprot_t vm_get_page_prot(unsigned long vm_flags);

// get_user_pages flags (Linux's FOLL_*).
constexpr unsigned FOLL_WRITE = 1u << 0;  // the caller will write the pages
constexpr unsigned FOLL_FORCE = 1u << 1;  // ...even where the process may not (ptrace, exec)

// get_user_pages: pins the pages behind [start, start + nr * PAGE_SIZE) of mm
// (a reference each, released with put_page). Stops at a hole or at a write
// to a read-only region without FOLL_FORCE. Returns the number of pages
// pinned, or -EFAULT when none.
long get_user_pages(mm_struct* mm, unsigned long start, unsigned long nr_pages, unsigned gup_flags, page** pages);
void put_page(page* page);
// Reads or writes another address space through get_user_pages + kmap_local
// (how debuggers and process_vm_readv reach another process's memory).
// Returns the bytes transferred.
long access_process_vm(mm_struct* mm, unsigned long addr, void* buf, unsigned long len, unsigned gup_flags);
