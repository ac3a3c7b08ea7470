// paging_init(): builds the kernel page tables in the mode chosen at boot and
// switches to them.
//
// Every page table of the kernel's gigabyte is allocated here, physically
// contiguous (kernel_ptes), and hung under swapper_pg_dir:
//   2-level: swapper_pg_dir is a page directory; entries 768..1023 point at the
//            256 page tables.
//   PAE:     swapper_pg_dir is a PDPT; entry 3 points at the kernel PMD, whose
//            512 entries point at the 512 page tables.
// Lowmem is then mapped at PAGE_OFFSET: kernel text read-only and executable,
// read-only data read-only, everything else writable and (with NX) not
// executable; all of it global. pkmap, vmalloc and fixmap PTEs start empty.
//
// The switch from head.S's boot directory goes through a temporary identity
// mapping of low memory (both old and new tables map the switch code at its
// physical address), which is removed right after, with a global TLB flush
// because the identity mapping reused the kernel's global PTEs.
#include <asm/cpufeature.hpp>
#include <asm/layout.hpp>
#include <asm/pgtable.hpp>
#include <asm/processor.hpp>
#include <asm/setup.hpp>
#include <asm/tlbflush.hpp>
#include <kernel/bug.hpp>
#include <kernel/memblock.hpp>
#include <kernel/printk.hpp>
#include <kernel/sizes.hpp>

extern "C" void switch_kernel_pagetables(u32 cr3, u32 cr4_set, u32 set_nxe);

namespace {

constexpr u64 _KERNPG_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY;
constexpr unsigned long KERNEL_SPACE = 0 - PAGE_OFFSET;  // 1 GiB

constinit u64* kernel_pmd = nullptr;  // PAE only

unsigned nr_kernel_page_tables() { return static_cast<unsigned>(KERNEL_SPACE >> paging->pmd_shift); }

pgprot_t direct_map_prot(unsigned long pfn) {
    if (pfn >= PFN_DOWN(__pa(_text)) && pfn < PFN_UP(__pa(_etext))) return PAGE_KERNEL_RX();
    if (pfn >= PFN_DOWN(__pa(__start_rodata)) && pfn < PFN_UP(__pa(__end_rodata))) return PAGE_KERNEL_RO();
    return PAGE_KERNEL();
}

void build_tables() {
    unsigned nr_pts = nr_kernel_page_tables();
    kernel_ptes = static_cast<u8*>(memblock_alloc(u64{nr_pts} * PAGE_SIZE, PAGE_SIZE, "kernel page tables"));
    swapper_pg_dir = memblock_alloc(PAGE_SIZE, PAGE_SIZE, "swapper_pg_dir");
    phys_addr_t pts = __pa(kernel_ptes);
    if (pae_enabled()) {
        kernel_pmd = static_cast<u64*>(memblock_alloc(PAGE_SIZE, PAGE_SIZE, "kernel PMD"));
        for (unsigned i = 0; i < nr_pts; ++i) kernel_pmd[i] = (pts + u64{i} * PAGE_SIZE) | _KERNPG_TABLE;
        // PDPTEs take only the present bit (the rest is reserved in PAE mode).
        static_cast<u64*>(swapper_pg_dir)[3] = __pa(kernel_pmd) | _PAGE_PRESENT;
    } else {
        auto* pgd = static_cast<u32*>(swapper_pg_dir);
        unsigned first = static_cast<unsigned>(PAGE_OFFSET >> paging->pmd_shift);
        for (unsigned i = 0; i < nr_pts; ++i) pgd[first + i] = static_cast<u32>(pts + i * PAGE_SIZE) | _KERNPG_TABLE;
    }
    for (unsigned long pfn = 0; pfn < max_low_pfn; ++pfn)
        set_pte(virt_to_kpte(PAGE_OFFSET + PFN_PHYS(pfn)), pfn_pte(pfn, direct_map_prot(pfn)));
}

// The identity mapping of low memory that the mode switch runs on.
void set_identity_mapping(bool on) {
    if (pae_enabled()) {
        auto* pdpt = static_cast<u64*>(swapper_pg_dir);
        pdpt[0] = on ? pdpt[3] : 0;
    } else {
        auto* pgd = static_cast<u32*>(swapper_pg_dir);
        unsigned first = static_cast<unsigned>(PAGE_OFFSET >> paging->pmd_shift);
        unsigned n = static_cast<unsigned>(EARLY_MAP_SIZE >> paging->pmd_shift);
        for (unsigned i = 0; i < n; ++i) pgd[i] = on ? pgd[first + i] : 0;
    }
}

}  // namespace

void paging_init() {
    // Tables must be reachable through head.S's mapping until the switch.
    phys_addr_t early_limit = PFN_PHYS(max_low_pfn) < EARLY_MAP_SIZE ? PFN_PHYS(max_low_pfn) : EARLY_MAP_SIZE;
    memblock_set_current_limit(early_limit);
    build_tables();
    set_identity_mapping(true);

    u32 cr4 = 0;
    if (pae_enabled()) cr4 |= X86_CR4_PAE;
    if (boot_cpu_data.has_pge) cr4 |= X86_CR4_PGE;
    bool nx = __supported_pte_mask & _PAGE_NX;
    switch_kernel_pagetables(static_cast<u32>(__pa(swapper_pg_dir)), cr4, nx ? 1 : 0);

    set_identity_mapping(false);
    write_cr3(static_cast<u32>(__pa(swapper_pg_dir)));  // PAE: reloads the PDPTEs
    __flush_tlb_all();                                   // the identity entries were global

    direct_map_end = PFN_PHYS(max_low_pfn);
    memblock_set_current_limit(direct_map_end);
    printk("Kernel page tables: %u page tables (%lu KiB) under %s at phys %#llx\n", nr_kernel_page_tables(),
           nr_kernel_page_tables() * PAGE_SIZE / 1024, pae_enabled() ? "PDPT" : "page directory",
           __pa(swapper_pg_dir));
}

void print_vm_layout() {
    auto line = [](const char* name, unsigned long start, unsigned long end) {
        unsigned long size = end - start;
        if (size >= 16 * SZ_1M) printk("    %-9s: 0x%08lx - 0x%08lx   (%5lu MB)\n", name, start, end, size >> 20);
        else printk("    %-9s: 0x%08lx - 0x%08lx   (%5lu kB)\n", name, start, end, size >> 10);
    };
    printk("virtual kernel memory layout:\n");
    line("fixmap", FIXADDR_START, FIXADDR_TOP);
    line("pkmap", PKMAP_BASE(), PKMAP_BASE() + LAST_PKMAP() * PAGE_SIZE);
    line("vmalloc", VMALLOC_START(), VMALLOC_END());
    line("lowmem", PAGE_OFFSET, reinterpret_cast<unsigned long>(high_memory));
    line("  .text", reinterpret_cast<unsigned long>(_text), reinterpret_cast<unsigned long>(_etext));
    line("  .rodata", reinterpret_cast<unsigned long>(__start_rodata), reinterpret_cast<unsigned long>(__end_rodata));
    line("  .data", reinterpret_cast<unsigned long>(_sdata), reinterpret_cast<unsigned long>(_edata));
    line("  .bss", reinterpret_cast<unsigned long>(__bss_start), reinterpret_cast<unsigned long>(__bss_stop));
}
