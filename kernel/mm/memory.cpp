// Demand paging: the page a region promises is created on its first use.
// handle_mm_fault() is called by the page-fault handler (a touch by the
// process, or by copy_to/from_user on its behalf) and by get_user_pages (the
// kernel pinning a page). The page comes from GFP_HIGHUSER, highmem first, and
// is zeroed through kmap_local (__GFP_ZERO) before the process can see it.
#include <asm/processor.hpp>
#include <asm/tlbflush.hpp>
#include <kernel/mm.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>

constinit vm_event_counters vm_events{};

vm_fault handle_mm_fault(mm_struct* mm, vm_area_struct* vma, unsigned long addr) {
    BUG_ON(!mutex_is_locked(&mm->mmap_lock));
    addr &= PAGE_MASK;
    page* p = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
    if (!p) return vm_fault::oom;
    pte_ptr ptep = user_pte_alloc(mm, addr);
    if (!ptep) {
        put_page(p);
        return vm_fault::oom;
    }
    bool installed = false;
    {
        SpinLockIrqSaveGuard guard(mm->page_table_lock);
        // Only this function fills PTEs, under mmap_lock: a present entry
        // means the page exists already (a second fault on it, e.g. a retry).
        if (!pte_present(ptep_get(ptep))) {
            // No TLB flush: a not-present entry is never cached.
            set_pte(ptep, pfn_pte(page_to_pfn(p), vm_get_page_prot(vma->vm_flags)));
            ++mm->nr_pages;
            installed = true;
        }
    }
    pte_unmap(ptep);
    if (!installed) put_page(p);
    return vm_fault::done;
}

void zap_page_range(mm_struct* mm, unsigned long start, unsigned long end) {
    unsigned long freed = 0;
    for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
        pte_ptr ptep = user_pte_lookup(mm, addr);
        if (!ptep) {
            // No page table: skip to the next one.
            unsigned long next = (addr | (PMD_SIZE() - 1)) + 1;
            if (next > addr) addr = next - PAGE_SIZE;
            else break;
            continue;
        }
        pte_t pte;
        {
            SpinLockIrqSaveGuard guard(mm->page_table_lock);
            pte = ptep_get(ptep);
            if (pte_present(pte)) pte_clear(ptep);
        }
        pte_unmap(ptep);
        if (!pte_present(pte)) continue;
        --mm->nr_pages;
        put_page(pfn_to_page(pte_pfn(pte)));
        ++freed;
    }
    // User entries are not global: only the address space loaded in CR3 can
    // have them cached (a CR3 switch dropped everyone else's).
    if (freed && read_cr3() == static_cast<u32>(__pa(mm->pgd))) {
        if ((end - start) >> PAGE_SHIFT > TLB_SINGLE_PAGE_FLUSH_CEILING) __flush_tlb_local();
        else
            for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) __flush_tlb_one(addr);
    }
}

void kthread_use_mm(mm_struct* mm) {
    task_struct* t = current;
    BUG_ON(!(t->flags & PF_KTHREAD) || t->mm);
    {
        SpinLockIrqSaveGuard guard(task_mm_lock);  // t->mm and mm->users (Linux: task_lock)
        ++mm->users;
        t->mm = mm;
        switch_mm(mm);
    }
}

void kthread_unuse_mm(mm_struct* mm) {
    task_struct* t = current;
    BUG_ON(t->mm != mm);
    {
        SpinLockIrqSaveGuard guard(task_mm_lock);  // t->mm and mm->users (Linux: task_lock)
        t->mm = nullptr;
        switch_mm(&init_mm);
    }
    mmput(mm);
}

void show_vm_events() {
    const vm_event_counters& v = vm_events;
    printk("demand paging: %lu user faults, %lu pages populated by faults (%lu in copy_to/from_user), %lu by "
           "get_user_pages, %lu stack expansions, %lu bad accesses\n",
           v.user_faults, v.demand_pages, v.uaccess_pages, v.gup_pages, v.stack_expansions, v.bad_area);
}
