#include "debug/kmap_local_layout.hpp"

#include "debug/kernel_layout.hpp"

namespace hm::dbg {

namespace kl = klayout;

u32 kmap_local_slot_vaddr(const KmapLocalLayout& layout, unsigned block, unsigned depth) {
    const u32 in_block = layout.guard_slots ? 2 * depth + 1 : depth;
    return kl::fix_to_virt(kl::kFixKmapBegin + kl::kKmSlotsPerCpu * block + in_block);
}

KmapLocalLayout find_kmap_local_layout(const std::function<std::optional<u64>(u32 vaddr)>& pte_phys, u64 apic_phys,
                                       bool guard_slots, unsigned max_blocks) {
    KmapLocalLayout l;
    l.guard_slots = guard_slots;
    const u64 apic_page = apic_phys & ~u64{0xFFF};
    for (unsigned b = 1; b <= max_blocks; ++b) {
        // FIX_APIC_BASE follows the last block (kernel_layout.hpp).
        const std::optional<u64> p = pte_phys(kl::fix_to_virt(kl::kFixKmapBegin + kl::kKmSlotsPerCpu * b));
        if (p && (*p & ~u64{0xFFF}) == apic_page) {
            l.blocks = b;
            l.blocks_found = true;
            break;
        }
    }
    return l;
}

KmapLocalBlock kmap_local_block_of(const KmapLocalLayout& layout, unsigned cpu, unsigned machine_cpus) {
    KmapLocalBlock b;
    if (cpu < layout.blocks) {
        b.block = cpu;
        if (!layout.blocks_found && machine_cpus > 1) {
            b.note = "the fixmap does not show how many per-CPU blocks the kernel has (FIX_APIC_BASE not mapped yet): "
                     "one assumed";
        }
        return b;
    }
    b.block = 0;
    b.note = "cpu " + std::to_string(cpu) + " has no block of kmap_local slots: the kernel has " +
             std::to_string(layout.blocks) + (layout.blocks == 1 ? " block" : " blocks") +
             (layout.blocks_found ? "" : " (assumed: FIX_APIC_BASE not mapped yet)") + "; showing block 0";
    return b;
}

}  // namespace hm::dbg
