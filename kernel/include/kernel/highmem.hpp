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
// Frees every unused pkmap slot (count 1: unmapped by kunmap, still in the
// TLB) and flushes the TLB once if there was any: what a wrap does.
void kmap_flush_unused();

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
// Which API asked for a fixmap slot (they share the slots; kmapinfo counts them apart).
enum class kmap_kind { local, atomic };
void* __kmap_local_page_prot(page* page, pgprot_t prot, kmap_kind kind = kmap_kind::local);
void kunmap_local_indexed(const void* vaddr);

inline void* kmap_local_page(page* page) { return __kmap_local_page_prot(page, PAGE_KERNEL()); }
inline void kunmap_local(const void* vaddr) { kunmap_local_indexed(vaddr); }

// A folio is a naturally aligned block of 2^order pages handled as one (here:
// its head struct page). kmap_local_folio maps the page holding byte 'offset'
// and returns the address of that byte; kunmap_local takes any address inside.
inline void* kmap_local_folio(folio* folio, size_t offset) {
    page* p = folio_page(folio, offset >> PAGE_SHIFT);
    return static_cast<char*>(kmap_local_page(p)) + (offset & ~PAGE_MASK);
}

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
    return __kmap_local_page_prot(page, PAGE_KERNEL(), kmap_kind::atomic);
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

// Counters that make the cost of each mechanism visible (tests, the kmapinfo
// report). Lowmem pages are never counted: nothing is mapped for them.
struct highmem_counters {
    unsigned long kmap_high_calls;      // kmap() of a highmem page
    unsigned long kmap_high_new;        // ...that needed a new pkmap slot
    unsigned long kmap_high_waits;      // ...that slept: every slot in use
    unsigned long pkmap_wraps;          // slot searches that wrapped to slot 0
    unsigned long pkmap_flushes;        // ...whose flush_all_zero_pkmaps() flushed the TLB
    unsigned long pkmap_slots_flushed;  // slots those flushes returned to free
    unsigned long kmap_local_maps;      // fixmap slots mapped by kmap_local_page/folio
    unsigned long kmap_atomic_maps;     // fixmap slots mapped by kmap_atomic
    unsigned long kmap_local_invlpgs;   // invlpgs: kunmap_local/atomic + switch-out teardown
    unsigned long kmap_local_sched_out; // slots torn down at a context switch
    unsigned long kmap_local_sched_in;  // slots re-installed at a context switch
};
extern highmem_counters highmem_stats;
// Slots of the pkmap window with count 0 (free), 1 (unused, maybe in a TLB), >1 (in use).
void pkmap_slot_counts(unsigned* free, unsigned* unused, unsigned* used);
// pkmap_count of the slot behind a pkmap address (tests and the demo).
int pkmap_count_at(const void* vaddr);

// The kmapinfo report (mm/kmapinfo.cpp): the counters, as one snapshot.
struct kmapinfo {
    unsigned long kmap_calls;       // kmap() of highmem pages
    unsigned pkmap_in_use;          // slots with users (count > 1)
    unsigned pkmap_unused_mapped;   // count 1: unused, still mapped until the next flush
    unsigned pkmap_free;            // count 0
    unsigned pkmap_slots;           // LAST_PKMAP
    unsigned long pkmap_wraps;
    unsigned long global_flushes;   // pkmap TLB flushes (each one a whole-TLB flush)
    unsigned long kmap_waits;
    unsigned long local_maps;
    unsigned long atomic_maps;
    unsigned long invlpgs;          // all of the kmap_local family's
    unsigned long invlpgs_at_switch;  // ...of which by context-switch teardown
};
kmapinfo get_kmapinfo();
void show_kmapinfo();
