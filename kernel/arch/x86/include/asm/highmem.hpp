// The i386 side of kmap: the pkmap page table and the per-CPU kmap_local
// slots in the fixmap, and the TLB work each mapping change needs.
#pragma once
#include <asm/layout.hpp>
#include <asm/percpu.hpp>
#include <asm/pgtable.hpp>
#include <asm/tlbflush.hpp>

// The page table of the pkmap window (one table: LAST_PKMAP entries).
inline pte_ptr pkmap_page_table() { return virt_to_kpte(PKMAP_BASE()); }

// The PTE of fixmap slot FIX_KMAP_BEGIN; slot idx is idx entries *below* it,
// because fixmap addresses grow downwards (Linux's "kmap_pte - idx").
inline pte_ptr kmap_pte() { return virt_to_kpte(fix_to_virt(FIX_KMAP_BEGIN)); }
inline pte_ptr kmap_get_pte(unsigned idx) { return kmap_pte() - idx; }

// debug_kmap_local: every mapping between two unmapped guard slots (Linux's
// CONFIG_DEBUG_KMAP_LOCAL, KM_INCR 2), so an access running off one mapped
// page faults instead of reaching the next mapping.
// The values below are set once by the boot option and read on every map and
// unmap, so they are plain words and shifts: a multiply or a select there
// cost a kmap_local + kunmap_local pair 140 more cycles under hm386 (the
// golden figures caught it).
extern bool debug_kmap_local;
extern unsigned kmap_local_shift;        // log2(KM_INCR): 0, or 1 with debug_kmap_local
extern unsigned kmap_local_max_nesting_; // 15, or 16 with debug_kmap_local
inline unsigned KM_INCR() { return 1u << kmap_local_shift; }
inline unsigned kmap_local_max_idx() { return debug_kmap_local ? KM_MAX_IDX_DEBUG : KM_MAX_IDX; }
// How many kmap_local mappings may nest: (KM_MAX_IDX - 1) / KM_INCR, Linux's
// BUG_ON(idx >= KM_MAX_IDX) after the push.
inline unsigned kmap_local_max_nesting() { return kmap_local_max_nesting_; }

// Which fixmap slot the n-th nested kmap_local of this CPU uses: n, or 2n + 1
// with guard slots (Linux's kmap_local_idx() after a push of KM_INCR), in this
// CPU's block (KM_SLOTS_PER_CPU * cpu, precomputed per CPU: no multiply here).
inline unsigned arch_kmap_local_map_idx(unsigned n) {
    return (n << kmap_local_shift) + kmap_local_shift + this_cpu_read(kmap_slot_base);
}

// A new mapping needs no flush (a non-present entry is never cached); an
// unmapped one must leave the local TLB at once, and only the local one: the
// slot is this CPU's, no other CPU ever uses its address (no IPI).
inline void arch_kmap_local_post_unmap(unsigned long vaddr) { __flush_tlb_one(vaddr); }

// pkmap: a range this large is cheaper to flush whole (Linux's
// tlb_single_page_flush_ceiling is 33 pages); kernel entries are global, so
// only a CR4.PGE toggle drops them.
// Every CPU's TLB may hold a pkmap translation, so with more than one CPU
// online the flush reaches the others too (arch/x86/kernel/smp.cpp).
void flush_tlb_pkmaps();
