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
// while it reads or writes it).
//
// Memory is populated on demand. A region only says which addresses are valid
// and with which rights; each page is allocated (GFP_HIGHUSER: highmem first,
// zeroed through kmap_local) and mapped on first use: by the page-fault handler
// when the process (or copy_to/from_user on its behalf) touches it, or by
// get_user_pages when the kernel pins it. A process's layout:
//
//   STACK_TOP 0xC0000000 +--------------------------+
//                        | stack (VM_GROWSDOWN)     | a fault below it grows it, down to
//                        |                          | STACK_TOP - STACK_LIMIT
//                        +- - - - - - - - - - - - - +
//   mmap_base 0xB8000000 +--------------------------+
//                        | mmap(MAP_ANONYMOUS)      | placed top-down
//                        |           ...            |
//                        | heap [start_brk, brk)    | grows up with brk()
//                        | ELF segments: text, data, bss (bss beyond the file: demand-zero)
//             0x08048000 +--------------------------+
#pragma once
#include <asm/pgtable.hpp>
#include <kernel/list.hpp>
#include <kernel/mutex.hpp>
#include <kernel/spinlock.hpp>

struct page;

constexpr unsigned long VM_READ = 1u << 0;
constexpr unsigned long VM_WRITE = 1u << 1;
constexpr unsigned long VM_EXEC = 1u << 2;
constexpr unsigned long VM_GROWSDOWN = 1u << 8;  // the stack: grows down on faults below it

constexpr unsigned long TASK_SIZE = PAGE_OFFSET;  // the end of user space
constexpr unsigned long STACK_TOP = TASK_SIZE;
constexpr unsigned long USER_STACK_SIZE = 16 * 1024;      // the stack region at exec
constexpr unsigned long STACK_LIMIT = 8 * 1024 * 1024;    // how far it may grow (RLIMIT_STACK)
constexpr unsigned long STACK_GUARD_GAP = 256 * 4096;     // kept free below a growing stack (Linux's stack_guard_gap)
constexpr unsigned long MMAP_BASE = STACK_TOP - 128 * 1024 * 1024;  // Linux's minimum gap above mmap

struct vm_area_struct {
    unsigned long vm_start, vm_end;  // [start, end), page aligned
    unsigned long vm_flags;
    list_head list;                  // the mm's regions, by address
};

struct mm_struct {
    void* pgd;            // 2-level: page directory; PAE: PDPT (lowmem pages)
    u64* pmd[3];          // PAE: the PMDs of user quarters 0..2
    list_head mmap;       // vm_area_structs, sorted by address
    mutex mmap_lock;      // the region list and page-table allocation (held across allocations)
    spinlock_t page_table_lock;  // PTE changes
    unsigned long start_brk, brk;  // the heap: brk() moves its end
    unsigned long nr_pages;     // user pages mapped
    unsigned long nr_ptes;      // page-table pages (PMDs included)
    int users;
};

// The kernel's own address space (swapper_pg_dir): what kernel threads use.
extern mm_struct init_mm;

mm_struct* mm_alloc();
void mmput(mm_struct* mm);  // drops a user; the last one frees everything
// Protects task_struct::mm and mm_struct::users across CPUs (mm/mmap.cpp).
extern spinlock_t task_mm_lock;
// Loads mm's page tables into CR3 (nothing when already loaded).
void switch_mm(mm_struct* next);

vm_area_struct* find_vma(mm_struct* mm, unsigned long addr);  // the region containing addr, or null

// Region management; the caller holds mm->mmap_lock. Each returns 0 or a
// negative errno unless said otherwise; none allocates user pages.
// A new region [start, start + len) (page aligned, free, below TASK_SIZE).
int mmap_region(mm_struct* mm, unsigned long start, unsigned long len, unsigned long vm_flags);
// Unmaps [start, start + len): regions are cut or split, their pages freed,
// the TLB flushed when mm is the one loaded. Holes in the range are fine.
int do_munmap(mm_struct* mm, unsigned long start, unsigned long len);
// Anonymous memory at a free place below MMAP_BASE (top-down), or exactly at
// addr for map_placement::fixed (replacing what was there). The address, or -errno.
enum class map_placement { anywhere, fixed };
long do_mmap_anon(mm_struct* mm, unsigned long addr, unsigned long len, unsigned long vm_flags, map_placement where);
// Moves the end of the heap; returns the new brk, or the old one when refused
// (Linux's brk() convention).
unsigned long do_brk(mm_struct* mm, unsigned long newbrk);
// A fault at addr below a VM_GROWSDOWN region: extends it down to addr's page
// if that stays within STACK_LIMIT and STACK_GUARD_GAP; the region or null.
vm_area_struct* expand_stack(mm_struct* mm, unsigned long addr);

// Demand paging (mm/memory.cpp): maps a fresh zeroed GFP_HIGHUSER page at addr
// in vma (nothing when a page is already there). The caller holds mmap_lock.
enum class vm_fault { done, oom };
vm_fault handle_mm_fault(mm_struct* mm, vm_area_struct* vma, unsigned long addr);
// Clears the PTEs of [start, end), frees their pages and flushes the TLB.
void zap_page_range(mm_struct* mm, unsigned long start, unsigned long end);

// What demand paging has done since boot.
struct vm_event_counters {
    unsigned long user_faults;       // #PF at user addresses that reached the region lookup
    unsigned long demand_pages;      // pages populated by the #PF handler
    unsigned long uaccess_pages;     // ...of which during copy_to/from_user
    unsigned long gup_pages;         // pages populated by get_user_pages
    unsigned long stack_expansions;  // faults that grew a stack region
    unsigned long bad_area;          // faults outside any region or against its rights
};
extern vm_event_counters vm_events;
void show_vm_events();

// Kernel threads borrowing a process's address space (Linux's kthread_use_mm):
// copy_to/from_user then reach that process's memory, faults included.
void kthread_use_mm(mm_struct* mm);
void kthread_unuse_mm(mm_struct* mm);

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
// (a reference each, released with put_page), populating the ones not yet
// touched. Stops at a hole or at a write to a read-only region without
// FOLL_FORCE. Returns the number of pages pinned, or -EFAULT when none. Takes
// mm->mmap_lock.
long get_user_pages(mm_struct* mm, unsigned long start, unsigned long nr_pages, unsigned gup_flags, page** pages);
void put_page(page* page);
// Reads or writes another address space through get_user_pages + kmap_local
// (how debuggers and process_vm_readv reach another process's memory).
// Returns the bytes transferred.
long access_process_vm(mm_struct* mm, unsigned long addr, void* buf, unsigned long len, unsigned gup_flags);
