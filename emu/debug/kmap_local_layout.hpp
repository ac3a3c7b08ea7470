// Where highmem386's kernel puts its kmap_local slots, per CPU: a block of
// KM_SLOTS_PER_CPU fixmap slots for each CPU from FIX_KMAP_BEGIN (Linux:
// FIX_KMAP_BEGIN + idx + KM_MAX_IDX * cpu, kmap_local_calc_idx()); within a
// block the n-th nested mapping uses slot n, or 2n + 1 with debug_kmap_local's
// guard slots (arch_kmap_local_map_idx()). The kernel's block count (its
// NR_CPUS) is not in its symbol table, so it is read from the fixmap page
// tables: the entry right after the last block is FIX_APIC_BASE, which the
// kernel maps to the local APIC's page. Until it does (or on a kernel that maps
// no APIC), one block is assumed, and the view says so.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "core/types.hpp"

namespace hm::dbg {

struct KmapLocalLayout {
    unsigned blocks = 1;        // per-CPU blocks of slots the kernel has (its NR_CPUS)
    bool blocks_found = false;  // found in the fixmap page tables; false: one block assumed
    bool guard_slots = false;   // debug_kmap_local: mapping n in slot 2n + 1
};

// The linear address of nested mapping `depth` in the block of CPU `block`.
u32 kmap_local_slot_vaddr(const KmapLocalLayout& layout, unsigned block, unsigned depth);

// pte_phys(vaddr): the physical address the fixmap PTE for vaddr maps now, or
// nullopt when it is not present. apic_phys: the local APIC's page
// (IA32_APIC_BASE). Looks for FIX_APIC_BASE after 1..max_blocks blocks.
KmapLocalLayout find_kmap_local_layout(const std::function<std::optional<u64>(u32 vaddr)>& pte_phys, u64 apic_phys,
                                       bool guard_slots, unsigned max_blocks);

// The block CPU `cpu` uses, and a note for the view when that is not simply
// "block cpu of N" (one block assumed, or a CPU beyond the kernel's NR_CPUS:
// the kernel never runs on it, and block 0 is shown).
struct KmapLocalBlock {
    unsigned block = 0;
    std::string note;  // empty when the CPU has a block of its own
};
KmapLocalBlock kmap_local_block_of(const KmapLocalLayout& layout, unsigned cpu, unsigned machine_cpus);

}  // namespace hm::dbg
