// User page tables for both paging modes (see kernel/mm_struct.hpp for the
// layout): allocation of the top level with the shared kernel part, lookup
// and allocation of page tables, teardown, and CR3 switching. With the
// highpte option the last-level tables come from highmem and every access to
// them goes through kmap_local (pte_offset_map / pte_unmap), as with Linux's
// CONFIG_HIGHPTE.
#include <asm/pgtable.hpp>
#include <asm/processor.hpp>
#include <kernel/bug.hpp>
#include <kernel/cmdline.hpp>
#include <kernel/highmem.hpp>
#include <kernel/mm.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/string.hpp>

constinit mm_struct init_mm{};  // pgd set by pgd_init_kernel() at boot

namespace {

constexpr u64 _PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
constexpr unsigned KERNEL_PGD_FIRST = PAGE_OFFSET >> 22;  // 2-level: first kernel directory entry
constexpr unsigned USER_QUARTERS = PAGE_OFFSET >> 30;      // PAE: PDPT entries for user space

u32* pgd2(mm_struct* mm) { return static_cast<u32*>(mm->pgd); }
u64* pdpt(mm_struct* mm) { return static_cast<u64*>(mm->pgd); }

// The directory entry covering addr (PAE: in the quarter's PMD), or nullptr.
void* pde_slot(mm_struct* mm, unsigned long addr) {
    if (pae_enabled()) return &mm->pmd[addr >> 30][(addr >> 21) & 511];
    return &pgd2(mm)[addr >> 22];
}

u64 read_pde(const void* slot) {
    return pae_enabled() ? *static_cast<const volatile u64*>(slot) : *static_cast<const volatile u32*>(slot);
}

void write_pde(void* slot, u64 v) {
    if (pae_enabled()) *static_cast<volatile u64*>(slot) = v;
    else *static_cast<volatile u32*>(slot) = static_cast<u32>(v);
}

// Linux's pte_offset_map: the table is mapped with kmap_local (a no-op for a
// lowmem table, a fixmap slot for a highmem one), so the caller must
// pte_unmap() the result, LIFO with its other kmap_locals.
pte_ptr pte_offset_map(u64 pde, unsigned long addr) {
    auto* table = static_cast<u8*>(kmap_local_page(pfn_to_page(static_cast<unsigned long>((pde & PTE_PFN_MASK) >> PAGE_SHIFT))));
    unsigned index = (addr >> PAGE_SHIFT) & (paging->ptrs_per_pte - 1);
    return pte_ptr(table + index * paging->pte_size);
}

constinit bool highpte = false;
bool parse_highpte(const char* v) {
    highpte = true;
    return *v == 0;
}
early_param("highpte", parse_highpte, "highpte takes no value");

// A page for a user page table: from highmem with highpte (Linux's
// CONFIG_HIGHPTE), else from lowmem.
page* pte_alloc_one() { return alloc_page((highpte ? GFP_HIGHUSER : GFP_KERNEL) | __GFP_ZERO); }

}  // namespace

void pgd_init_kernel() {
    init_mm.pgd = swapper_pg_dir;
    INIT_LIST_HEAD(&init_mm.mmap);
    spin_lock_init(&init_mm.page_table_lock, "init_mm.page_table_lock");
    init_mm.users = 1;
    mutex_init(&init_mm.mmap_lock, "init_mm.mmap_lock");
}

bool pgd_alloc(mm_struct* mm) {
    mm->pgd = reinterpret_cast<void*>(get_zeroed_page(GFP_KERNEL));
    if (!mm->pgd) return false;
    ++mm->nr_ptes;
    if (!pae_enabled()) {
        // The kernel's directory entries never change (all kernel page
        // tables exist from boot), so a copy stays right forever.
        memcpy(pgd2(mm) + KERNEL_PGD_FIRST, static_cast<u32*>(swapper_pg_dir) + KERNEL_PGD_FIRST,
               (1024 - KERNEL_PGD_FIRST) * sizeof(u32));
        return true;
    }
    // PAE: the CPU caches the four PDPTEs at each CR3 load, so all of them
    // are set up now and never change: three user PMDs and the kernel's.
    for (unsigned q = 0; q < USER_QUARTERS; ++q) {
        mm->pmd[q] = reinterpret_cast<u64*>(get_zeroed_page(GFP_KERNEL));
        if (!mm->pmd[q]) return false;  // pgd_free() releases what exists
        ++mm->nr_ptes;
        pdpt(mm)[q] = __pa(mm->pmd[q]) | _PAGE_PRESENT;
    }
    pdpt(mm)[3] = static_cast<u64*>(swapper_pg_dir)[3];
    return true;
}

// Frees the page tables of user space (not the pages they map: the caller
// dropped those) and the top level.
void pgd_free(mm_struct* mm) {
    if (!mm->pgd) return;
    auto free_tables = [mm](void* dir, unsigned entries) {
        for (unsigned i = 0; i < entries; ++i) {
            u64 pde = read_pde(static_cast<u8*>(dir) + i * paging->pte_size);
            if (!(pde & _PAGE_PRESENT)) continue;
            __free_page(pfn_to_page(static_cast<unsigned long>((pde & PTE_PFN_MASK) >> PAGE_SHIFT)));
            --mm->nr_ptes;
        }
    };
    if (pae_enabled()) {
        for (unsigned q = 0; q < USER_QUARTERS; ++q) {
            if (!mm->pmd[q]) continue;
            free_tables(mm->pmd[q], 512);
            free_page(reinterpret_cast<unsigned long>(mm->pmd[q]));
            --mm->nr_ptes;
        }
    } else {
        free_tables(mm->pgd, KERNEL_PGD_FIRST);
    }
    free_page(reinterpret_cast<unsigned long>(mm->pgd));
    --mm->nr_ptes;
    mm->pgd = nullptr;
}

pte_ptr user_pte_lookup(mm_struct* mm, unsigned long addr) {
    if (addr >= TASK_SIZE) return pte_ptr();
    u64 pde = read_pde(pde_slot(mm, addr));
    if (!(pde & _PAGE_PRESENT)) return pte_ptr();
    return pte_offset_map(pde, addr);
}

pte_ptr user_pte_alloc(mm_struct* mm, unsigned long addr) {
    BUG_ON(addr >= TASK_SIZE);
    void* slot = pde_slot(mm, addr);
    u64 pde = read_pde(slot);
    if (!(pde & _PAGE_PRESENT)) {
        page* table = pte_alloc_one();
        if (!table) return pte_ptr();
        ++mm->nr_ptes;
        pde = page_to_phys(table) | _PAGE_TABLE;
        write_pde(slot, pde);
    }
    return pte_offset_map(pde, addr);
}

void pte_unmap(pte_ptr ptep) {
    if (ptep) kunmap_local(ptep.raw());
}

pte_t user_pte_read(mm_struct* mm, unsigned long addr) {
    pte_ptr ptep = user_pte_lookup(mm, addr);
    if (!ptep) return pte_t{0};
    pte_t pte = ptep_get(ptep);
    pte_unmap(ptep);
    return pte;
}

bool highpte_enabled() { return highpte; }

page* user_pte_table_page(mm_struct* mm, unsigned long addr) {
    if (addr >= TASK_SIZE) return nullptr;
    u64 pde = read_pde(pde_slot(mm, addr));
    if (!(pde & _PAGE_PRESENT)) return nullptr;
    return pfn_to_page(static_cast<unsigned long>((pde & PTE_PFN_MASK) >> PAGE_SHIFT));
}

pgprot_t vm_get_page_prot(unsigned long vm_flags) {
    u64 prot = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    if (vm_flags & VM_WRITE) prot |= _PAGE_RW | _PAGE_DIRTY;
    if (!(vm_flags & VM_EXEC)) prot |= _PAGE_NX;
    return {prot & __supported_pte_mask};
}

void switch_mm(mm_struct* next) {
    u32 cr3 = static_cast<u32>(__pa(next->pgd));
    // A CR3 load drops the non-global (user) TLB entries; the kernel's are
    // global and stay. PAE also reloads the four PDPTEs here.
    if (read_cr3() != cr3) write_cr3(cr3);
}
