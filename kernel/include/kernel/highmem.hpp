// Temporary kernel mappings of pages that have no permanent address (highmem),
// Linux's API in order of preference (see docs/kernel.md and
// /work/shared/docs/highmem-reference.md):
//
//   kmap_local_page / kunmap_local  per-thread fixmap slots, strictly LIFO,
//                                   any context, preemption stays on
//   kmap_atomic / kunmap_atomic     the same slots, plus preemption and page
//                                   faults off until the unmap (deprecated)
//   kmap / kunmap                   the shared pkmap window, may sleep
//                                   (deprecated)
//
// For a lowmem page every one of them returns page_address(): nothing is mapped.
#pragma once
#include <asm/pgtable.hpp>
#include <kernel/mm.hpp>
#include <kernel/preempt.hpp>
#include <kernel/sched.hpp>
#include <kernel/string.hpp>

// --- the persistent kmap window (mm/highmem.cpp) ---------------------------
void kmap_init();  // boot, after the slab
void* kmap_high(page* page);
void kunmap_high(page* page);

inline void* kmap(page* page) {
    might_sleep();
    if (!PageHighMem(page)) return page_address(page);
    return kmap_high(page);
}

inline void kunmap(page* page) {
    BUG_ON(in_interrupt());
    if (!PageHighMem(page)) return;
    kunmap_high(page);
}

// --- kmap_local and kmap_atomic (mm/kmap_local.cpp) ----------------------------
void* __kmap_local_page_prot(page* page, pgprot_t prot);
void kunmap_local_indexed(const void* vaddr);

inline void* kmap_local_page(page* page) { return __kmap_local_page_prot(page, PAGE_KERNEL()); }
inline void kunmap_local(const void* vaddr) { kunmap_local_indexed(vaddr); }

// Page faults may not be handled while disabled (user-copy fixups will check).
inline void pagefault_disable() {
    ++current->pagefault_disabled;
    barrier();
}
inline void pagefault_enable() {
    barrier();
    --current->pagefault_disabled;
}
inline bool pagefault_disabled() { return current->pagefault_disabled != 0; }

inline void* kmap_atomic(page* page) {
    preempt_disable();
    pagefault_disable();
    return __kmap_local_page_prot(page, PAGE_KERNEL());
}

inline void kunmap_atomic(const void* vaddr) {
    kunmap_local_indexed(vaddr);
    pagefault_enable();
    preempt_enable();
}

// The page behind a kmap, kmap_local or direct-map address.
page* kmap_to_page(const void* vaddr);

// Context-switch hooks: a thread's kmap_local mappings exist only while it runs.
void __kmap_local_sched_out(task_struct* prev);
void __kmap_local_sched_in(task_struct* next);
// At thread exit: mappings still held are a bug (WARN) and are removed.
void kmap_local_exit(task_struct* p);

// --- helpers built on kmap_local -----------------------------------------------
inline void clear_highpage(page* page) {
    void* kaddr = kmap_local_page(page);
    memset(kaddr, 0, PAGE_SIZE);
    kunmap_local(kaddr);
}

inline void copy_highpage(page* to, page* from) {
    void* vfrom = kmap_local_page(from);
    void* vto = kmap_local_page(to);
    memcpy(vto, vfrom, PAGE_SIZE);
    kunmap_local(vto);  // LIFO
    kunmap_local(vfrom);
}

inline void memcpy_to_page(page* page, size_t offset, const void* from, size_t len) {
    BUG_ON(offset + len > PAGE_SIZE);
    char* to = static_cast<char*>(kmap_local_page(page));
    memcpy(to + offset, from, len);
    kunmap_local(to);
}

inline void memcpy_from_page(void* to, page* page, size_t offset, size_t len) {
    BUG_ON(offset + len > PAGE_SIZE);
    char* from = static_cast<char*>(kmap_local_page(page));
    memcpy(to, from + offset, len);
    kunmap_local(from);
}

// Counters that make the cost of each mechanism visible (tests and reports).
struct highmem_counters {
    unsigned long kmap_high_calls;      // kmap() of a highmem page
    unsigned long kmap_high_new;        // ...that needed a new pkmap slot
    unsigned long kmap_high_waits;      // ...that slept: every slot in use
    unsigned long pkmap_flushes;        // flush_all_zero_pkmaps() with a TLB flush
    unsigned long pkmap_slots_flushed;  // slots those flushes returned to free
    unsigned long kmap_local_maps;      // fixmap slots mapped by kmap_local/atomic
    unsigned long kmap_local_sched_out; // slots torn down at a context switch
    unsigned long kmap_local_sched_in;  // slots re-installed at a context switch
};
extern highmem_counters highmem_stats;
// Slots of the pkmap window with count 0 (free), 1 (unused, maybe in a TLB), >1 (in use).
void pkmap_slot_counts(unsigned* free, unsigned* unused, unsigned* used);
void show_highmem_stats();
