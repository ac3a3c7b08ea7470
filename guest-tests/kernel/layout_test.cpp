// The kernel's virtual layout and page tables, checked against the hardware's
// view: walks from CR3, not the kernel's own shortcut.
#include <asm/cpufeature.hpp>
#include <asm/highmem.hpp>
#include <asm/layout.hpp>
#include <asm/pgtable.hpp>
#include <asm/processor.hpp>
#include <asm/setup.hpp>
#include <kernel/mm.hpp>

#include "ktest.hpp"

namespace {
bool mapped(unsigned long va, pte_t* pte = nullptr) {
    phys_addr_t phys;
    pte_t p;
    bool m = kernel_virt_to_phys(va, &phys, &p);
    if (pte) *pte = p;
    return m;
}
}  // namespace

KTEST(layout, fixmap_slots) {
    EXPECT_EQ(fix_to_virt(FIX_HOLE), FIXADDR_TOP);
    EXPECT_EQ(FIX_KMAP_END - FIX_KMAP_BEGIN + 1, KM_SLOTS_PER_CPU * NR_CPUS);
    for (unsigned i = FIX_KMAP_BEGIN; i <= FIX_KMAP_END; ++i) {
        unsigned long va = fix_to_virt(i);
        EXPECT_GT(va, FIXADDR_START);
        EXPECT_LT(va, FIXADDR_TOP);
        EXPECT_EQ(virt_to_fix(va), i);
        EXPECT_EQ(va & ~PAGE_MASK, 0u);
        EXPECT_FALSE(mapped(va));  // nothing uses them yet
    }
}

KTEST(layout, pkmap_window_is_exactly_one_page_table) {
    EXPECT_EQ(LAST_PKMAP(), pae_enabled() ? 512u : 1024u);
    EXPECT_EQ(u64{LAST_PKMAP()} * PAGE_SIZE, u64{PMD_SIZE()});
    EXPECT_EQ(PKMAP_BASE() & (PMD_SIZE() - 1), 0u);
    EXPECT_LE(PKMAP_ADDR(LAST_PKMAP()), FIXADDR_START);
    EXPECT_EQ(PKMAP_NR(PKMAP_ADDR(17)), 17u);
    EXPECT_EQ(VMALLOC_END() + 2 * PAGE_SIZE, PKMAP_BASE());
    // Its page table is the one at PKMAP_BASE (slots may be mapped by kmap).
    EXPECT_EQ(pkmap_page_table(), virt_to_kpte(PKMAP_BASE()));
}

KTEST(layout, vmalloc_area_and_guard_hole) {
    unsigned long hm = reinterpret_cast<unsigned long>(high_memory);
    EXPECT_GE(VMALLOC_START(), hm + VMALLOC_OFFSET);
    EXPECT_EQ(VMALLOC_START(), hm + VMALLOC_OFFSET);
    EXPECT_GE(VMALLOC_END() - VMALLOC_START(), 16ul << 20);
    // The guard hole and the vmalloc area are unmapped.
    EXPECT_FALSE(mapped(hm));
    EXPECT_FALSE(mapped(VMALLOC_START() - PAGE_SIZE));
    EXPECT_FALSE(mapped(VMALLOC_START()));
}

KTEST(layout, direct_map_translates_lowmem) {
    const phys_addr_t samples[] = {0, __pa(_text), __pa(_end) - 1, PFN_PHYS(max_low_pfn) / 2,
                                   PFN_PHYS(max_low_pfn) - 1};
    for (phys_addr_t pa : samples) {
        phys_addr_t got = ~0ull;
        EXPECT_TRUE(kernel_virt_to_phys(reinterpret_cast<unsigned long>(__va(pa)), &got, nullptr));
        EXPECT_EQ(got, pa);
    }
}

KTEST(layout, user_half_is_unmapped_after_boot) {
    // head.S's and paging_init's identity mappings are gone.
    EXPECT_FALSE(mapped(0));
    EXPECT_FALSE(mapped(0x100000));
    EXPECT_FALSE(mapped(PAGE_OFFSET - PAGE_SIZE));
}

KTEST(layout, kernel_sections_have_their_protections) {
    bool nx = __supported_pte_mask & _PAGE_NX;
    bool global = boot_cpu_data.has_pge;
    pte_t pte;
    ASSERT_TRUE(mapped(reinterpret_cast<unsigned long>(_text), &pte));
    EXPECT_FALSE(pte.val & _PAGE_RW);
    EXPECT_FALSE(pte.val & _PAGE_NX);
    EXPECT_EQ(static_cast<bool>(pte.val & _PAGE_GLOBAL), global);
    EXPECT_FALSE(pte.val & _PAGE_USER);
    ASSERT_TRUE(mapped(reinterpret_cast<unsigned long>(__start_rodata), &pte));
    EXPECT_FALSE(pte.val & _PAGE_RW);
    EXPECT_EQ(static_cast<bool>(pte.val & _PAGE_NX), nx);
    ASSERT_TRUE(mapped(reinterpret_cast<unsigned long>(_sdata), &pte));
    EXPECT_TRUE(pte.val & _PAGE_RW);
    EXPECT_EQ(static_cast<bool>(pte.val & _PAGE_NX), nx);
    ASSERT_TRUE(mapped(reinterpret_cast<unsigned long>(__va(PFN_PHYS(max_low_pfn) - 1)), &pte));
    EXPECT_TRUE(pte.val & _PAGE_RW);
    EXPECT_EQ(static_cast<bool>(pte.val & _PAGE_NX), nx);
}

KTEST(layout, control_registers_match_the_paging_mode) {
    u32 cr4 = read_cr4_safe();  // 0 on a 486 without CR4: no PAE, no PGE
    EXPECT_EQ(static_cast<bool>(cr4 & X86_CR4_PAE), pae_enabled());
    EXPECT_EQ(static_cast<bool>(cr4 & X86_CR4_PGE), boot_cpu_data.has_pge);
    EXPECT_TRUE(read_cr0() & X86_CR0_WP);
    EXPECT_TRUE(read_cr0() & X86_CR0_PG);
    if (boot_cpu_data.has_nx) {
        bool nxe = rdmsr(MSR_EFER) & EFER_NX;
        EXPECT_EQ(nxe, static_cast<bool>(__supported_pte_mask & _PAGE_NX));
    }
}

// Writing through a kernel PTE and reading it back through the hardware walk.
KTEST(layout, set_kernel_pte_maps_and_clear_unmaps) {
    unsigned long va = VMALLOC_START() + 16 * PAGE_SIZE;
    page* p = alloc_page(GFP_KERNEL);
    ASSERT_NOT_NULL(p);
    auto* direct = static_cast<volatile u32*>(page_address(p));
    direct[3] = 0xfeedface;
    set_kernel_pte(va, page_to_pfn(p), PAGE_KERNEL());
    phys_addr_t phys = 0;
    EXPECT_TRUE(kernel_virt_to_phys(va, &phys, nullptr));
    EXPECT_EQ(phys, page_to_phys(p));
    EXPECT_EQ(reinterpret_cast<volatile u32*>(va)[3], 0xfeedfaceu);
    clear_kernel_pte(va);
    EXPECT_FALSE(kernel_virt_to_phys(va, nullptr, nullptr));
    __free_page(p);
}

KTEST(layout, nx_bit_on_data_when_available) {
    KTEST_REQUIRE(pae_enabled(), "NX needs paging=pae");
    KTEST_REQUIRE(boot_cpu_data.has_nx, "this CPU has no NX (CPUID 0x80000001 EDX bit 20)");
    pte_t pte;
    ASSERT_TRUE(mapped(reinterpret_cast<unsigned long>(_sdata), &pte));
    EXPECT_TRUE(pte.val & _PAGE_NX);
}
