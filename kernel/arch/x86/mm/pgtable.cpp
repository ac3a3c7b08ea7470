// Kernel page-table access for both modes: the fast path through the contiguous
// kernel PTE array (virt_to_kpte) for changes, and a real walk from CR3 for
// lookups and fault reports, so reports show what the MMU actually sees.
#include <asm/pgtable.hpp>
#include <asm/processor.hpp>
#include <asm/tlbflush.hpp>
#include <kernel/bug.hpp>
#include <kernel/highmem.hpp>
#include <kernel/printk.hpp>

constinit paging_mode kernel_paging_mode = paging_mode::two_level;
constinit const paging_geometry* paging = &GEOMETRY_2LEVEL;
constinit u64 __supported_pte_mask = ~(_PAGE_NX | _PAGE_GLOBAL);
constinit void* swapper_pg_dir = nullptr;
constinit u8* kernel_ptes = nullptr;
constinit phys_addr_t direct_map_end = EARLY_MAP_SIZE;

void set_kernel_pte(unsigned long vaddr, unsigned long pfn, pgprot_t prot) {
    BUG_ON(vaddr < PAGE_OFFSET);
    set_pte(virt_to_kpte(vaddr), pfn_pte(pfn, prot));
    __flush_tlb_one(vaddr);
}

void clear_kernel_pte(unsigned long vaddr) {
    BUG_ON(vaddr < PAGE_OFFSET);
    pte_clear(virt_to_kpte(vaddr));
    __flush_tlb_one(vaddr);
}

namespace {

// Reads entry 'index' of the page table at 'phys': through the direct map, or
// (a highpte table in highmem) through a short kmap_local. False when the
// table is not RAM the kernel knows.
bool read_entry(phys_addr_t phys, unsigned index, unsigned size, u64* out) {
    phys &= ~static_cast<phys_addr_t>(PAGE_SIZE - 1);
    const void* table;
    bool mapped = false;
    if (phys_is_direct_mapped(phys)) {
        table = __va(phys);
    } else if (mem_map && pfn_valid(PFN_DOWN(phys))) {
        table = kmap_local_page(pfn_to_page(PFN_DOWN(phys)));
        mapped = true;
    } else {
        return false;
    }
    *out = size == 8 ? static_cast<const volatile u64*>(table)[index] : static_cast<const volatile u32*>(table)[index];
    if (mapped) kunmap_local(table);
    return true;
}

struct walk_result {
    u64 pdpte = 0, pde = 0, pte = 0;
    bool has_pdpte = false, has_pde = false, has_pte = false;
    bool mapped = false;
    phys_addr_t phys = 0;
};

walk_result walk(unsigned long va) {
    walk_result r;
    u32 cr3 = read_cr3();
    if (pae_enabled()) {
        // The PDPT is 32 bytes inside its page: entry (cr3 & 0xFE0) / 8 + n.
        if (!read_entry(cr3 & PAGE_MASK, ((cr3 & 0xFE0) >> 3) + (va >> 30), 8, &r.pdpte)) return r;
        r.has_pdpte = true;
        if (!(r.pdpte & _PAGE_PRESENT)) return r;
        if (!read_entry(r.pdpte & PTE_PFN_MASK, (va >> 21) & 511, 8, &r.pde)) return r;
    } else {
        if (!read_entry(cr3 & PAGE_MASK, va >> 22, 4, &r.pde)) return r;
    }
    r.has_pde = true;
    if (!(r.pde & _PAGE_PRESENT)) return r;
    if (r.pde & _PAGE_PSE) {
        u64 large = 1ull << paging->pmd_shift;
        r.mapped = true;
        r.phys = (r.pde & PTE_PFN_MASK & ~(large - 1)) | (va & (large - 1));
        return r;
    }
    if (!read_entry(r.pde & PTE_PFN_MASK, (va >> PAGE_SHIFT) & (paging->ptrs_per_pte - 1), paging->pte_size, &r.pte))
        return r;
    r.has_pte = true;
    if (r.pte & _PAGE_PRESENT) {
        r.mapped = true;
        r.phys = (r.pte & PTE_PFN_MASK) | (va & ~PAGE_MASK);
    }
    return r;
}

}  // namespace

bool kernel_virt_to_phys(unsigned long vaddr, phys_addr_t* phys, pte_t* pte) {
    walk_result r = walk(vaddr);
    if (phys) *phys = r.phys;
    if (pte) *pte = {r.pte};
    return r.mapped;
}

void dump_pagetable(unsigned long address) {
    walk_result r = walk(address);
    if (pae_enabled()) {
        if (r.has_pdpte) printk("*pdpt = %016llx ", r.pdpte);
        if (r.has_pde) printk("*pde = %016llx ", r.pde);
        if (r.has_pte) printk("*pte = %016llx", r.pte);
    } else {
        if (r.has_pde) printk("*pde = %08llx ", r.pde);
        if (r.has_pte) printk("*pte = %08llx", r.pte);
    }
    printk("\n");
}
