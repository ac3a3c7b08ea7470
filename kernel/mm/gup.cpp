// get_user_pages and access_process_vm: reaching the pages of an address space
// from the kernel without its virtual mapping. The pages are pinned (a
// reference each) so they cannot be freed while in use, and read or written
// through kmap_local: they are usually highmem pages with no kernel address.
#include <kernel/errno.hpp>
#include <kernel/highmem.hpp>
#include <kernel/mm_struct.hpp>

void put_page(page* p) { __free_pages(p, 0); }

long get_user_pages(mm_struct* mm, unsigned long start, unsigned long nr_pages, unsigned gup_flags, page** pages) {
    long pinned = 0;
    MutexGuard lock(mm->mmap_lock);  // regions stay put; populating may sleep
    for (unsigned long i = 0; i < nr_pages; ++i) {
        unsigned long addr = (start & PAGE_MASK) + i * PAGE_SIZE;
        vm_area_struct* vma = addr < TASK_SIZE ? find_vma(mm, addr) : nullptr;
        bool write = gup_flags & FOLL_WRITE;
        if (!vma || (write && !(vma->vm_flags & VM_WRITE) && !(gup_flags & FOLL_FORCE))) break;
        pte_t pte = user_pte_read(mm, addr);
        if (!pte_present(pte)) {
            // Not touched yet: populate it, as a fault would.
            if (handle_mm_fault(mm, vma, addr) != vm_fault::done) break;
            ++vm_events.gup_pages;
            pte = user_pte_read(mm, addr);
        }
        page* p = pfn_to_page(pte_pfn(pte));
        get_page(p);
        pages[pinned++] = p;
    }
    return pinned ? pinned : -EFAULT;
}

long access_process_vm(mm_struct* mm, unsigned long addr, void* buf, unsigned long len, unsigned gup_flags) {
    auto* b = static_cast<u8*>(buf);
    unsigned long done = 0;
    while (done < len) {
        page* p;
        if (get_user_pages(mm, addr, 1, gup_flags, &p) != 1) break;
        unsigned long offset = addr & ~PAGE_MASK;
        unsigned long n = len - done < PAGE_SIZE - offset ? len - done : PAGE_SIZE - offset;
        u8* k = static_cast<u8*>(kmap_local_page(p));
        if (gup_flags & FOLL_WRITE) memcpy(k + offset, b + done, n);
        else memcpy(b + done, k + offset, n);
        kunmap_local(k);
        put_page(p);
        done += n;
        addr += n;
    }
    return static_cast<long>(done);
}
