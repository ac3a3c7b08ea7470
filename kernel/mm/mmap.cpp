// User address spaces: creation, regions backed by fresh highmem pages, and
// teardown (see kernel/mm_struct.hpp).
#include <kernel/bug.hpp>
#include <kernel/mm.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/slab.hpp>

bool pgd_alloc(mm_struct* mm);  // arch/x86/mm/pgd.cpp
void pgd_free(mm_struct* mm);

constexpr int ENOMEM = 12;
constexpr int EINVAL = 22;

mm_struct* mm_alloc() {
    auto* mm = static_cast<mm_struct*>(kzalloc(sizeof(mm_struct), GFP_KERNEL));
    if (!mm) return nullptr;
    INIT_LIST_HEAD(&mm->mmap);
    spin_lock_init(&mm->page_table_lock, "mm->page_table_lock");
    mm->users = 1;
    if (!pgd_alloc(mm)) {
        pgd_free(mm);
        kfree(mm);
        return nullptr;
    }
    return mm;
}

vm_area_struct* find_vma(mm_struct* mm, unsigned long addr) {
    vm_area_struct* vma;
    list_for_each_entry(vma, &mm->mmap, list)
        if (addr >= vma->vm_start && addr < vma->vm_end) return vma;
    return nullptr;
}

int mm_map_anon(mm_struct* mm, unsigned long start, unsigned long len, unsigned long vm_flags) {
    unsigned long end = start + len;
    if ((start | len) & ~PAGE_MASK || len == 0 || end > TASK_SIZE || end < start) return -EINVAL;
    list_head* before = &mm->mmap;
    vm_area_struct* cur;
    list_for_each_entry(cur, &mm->mmap, list) {
        if (end <= cur->vm_start) break;
        if (start < cur->vm_end) return -EINVAL;  // overlap
        before = &cur->list;
    }
    auto* vma = static_cast<vm_area_struct*>(kzalloc(sizeof(vm_area_struct), GFP_KERNEL));
    if (!vma) return -ENOMEM;
    vma->vm_start = start;
    vma->vm_end = end;
    vma->vm_flags = vm_flags;
    list_add(&vma->list, before);
    pgprot_t prot = vm_get_page_prot(vm_flags);
    for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
        // User memory: highmem first; zeroed through kmap_local.
        page* p = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
        if (!p) return -ENOMEM;  // what is mapped so far goes with the mm
        pte_ptr ptep = user_pte_alloc(mm, addr);
        if (!ptep) {
            put_page(p);
            return -ENOMEM;
        }
        {
            SpinLockIrqSaveGuard guard(mm->page_table_lock);
            set_pte(ptep, pfn_pte(page_to_pfn(p), prot));
            ++mm->nr_pages;
        }
        pte_unmap(ptep);
    }
    return 0;
}

void mmput(mm_struct* mm) {
    BUG_ON(mm == &init_mm);
    {
        IrqSaveGuard guard;
        BUG_ON(mm->users <= 0);
        if (--mm->users) return;
    }
    // Nobody runs on these tables any more (exit_mm switched away first).
    vm_area_struct *vma, *n;
    list_for_each_entry_safe(vma, n, &mm->mmap, list) {
        for (unsigned long addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
            pte_ptr ptep = user_pte_lookup(mm, addr);
            if (!ptep) continue;
            pte_t pte = ptep_get(ptep);
            if (pte_present(pte)) pte_clear(ptep);
            pte_unmap(ptep);
            if (!pte_present(pte)) continue;
            --mm->nr_pages;
            put_page(pfn_to_page(pte_pfn(pte)));
        }
        list_del(&vma->list);
        kfree(vma);
    }
    pgd_free(mm);
    BUG_ON(mm->nr_pages || mm->nr_ptes);
    kfree(mm);
}
