// User address spaces: creation, the region list (mmap_region, munmap,
// anonymous mmap, brk, stack growth) and teardown (see kernel/mm_struct.hpp).
// Regions never carry pages of their own: those arrive on demand
// (mm/memory.cpp) and leave with zap_page_range().
#include <kernel/bug.hpp>
#include <kernel/errno.hpp>
#include <kernel/mm.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/slab.hpp>

bool pgd_alloc(mm_struct* mm);  // arch/x86/mm/pgd.cpp
void pgd_free(mm_struct* mm);

namespace {

bool page_aligned(unsigned long v) { return (v & ~PAGE_MASK) == 0; }

// True when [start, end) lies in user space and overlaps no region.
bool range_is_free(mm_struct* mm, unsigned long start, unsigned long end) {
    if (end > TASK_SIZE || end <= start) return false;
    vm_area_struct* vma;
    list_for_each_entry(vma, &mm->mmap, list)
        if (vma->vm_start < end && start < vma->vm_end) return false;
    return true;
}

vm_area_struct* new_vma(unsigned long start, unsigned long end, unsigned long flags) {
    auto* vma = static_cast<vm_area_struct*>(kzalloc(sizeof(vm_area_struct), GFP_KERNEL));
    if (!vma) return nullptr;
    vma->vm_start = start;
    vma->vm_end = end;
    vma->vm_flags = flags;
    return vma;
}

// Links vma into the sorted list (its range is known to be free).
void insert_vma(mm_struct* mm, vm_area_struct* vma) {
    list_head* before = &mm->mmap;
    vm_area_struct* cur;
    list_for_each_entry(cur, &mm->mmap, list) {
        if (vma->vm_end <= cur->vm_start) break;
        before = &cur->list;
    }
    list_add(&vma->list, before);
}

// The highest free range of len bytes ending at or below 'below' (top-down,
// as Linux places mmaps), or 0.
unsigned long get_unmapped_area_topdown(mm_struct* mm, unsigned long len, unsigned long below) {
    unsigned long end = below;
    // Walk the regions from the highest down; the gap above each is a candidate.
    for (list_head* pos = mm->mmap.prev; ; pos = pos->prev) {
        unsigned long floor = pos == &mm->mmap ? PAGE_SIZE : list_entry(pos, vm_area_struct, list)->vm_end;
        if (floor < end && end - floor >= len) return end - len;
        if (pos == &mm->mmap) return 0;
        unsigned long start = list_entry(pos, vm_area_struct, list)->vm_start;
        if (start < end) end = start;
    }
}

}  // namespace

mm_struct* mm_alloc() {
    auto* mm = static_cast<mm_struct*>(kzalloc(sizeof(mm_struct), GFP_KERNEL));
    if (!mm) return nullptr;
    INIT_LIST_HEAD(&mm->mmap);
    mutex_init(&mm->mmap_lock, "mm->mmap_lock");
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

int mmap_region(mm_struct* mm, unsigned long start, unsigned long len, unsigned long vm_flags) {
    if (!page_aligned(start | len) || len == 0 || !range_is_free(mm, start, start + len)) return -EINVAL;
    vm_area_struct* vma = new_vma(start, start + len, vm_flags);
    if (!vma) return -ENOMEM;
    insert_vma(mm, vma);
    return 0;
}

int do_munmap(mm_struct* mm, unsigned long start, unsigned long len) {
    if (!page_aligned(start) || len == 0 || start >= TASK_SIZE || len > TASK_SIZE - start) return -EINVAL;
    unsigned long end = start + round_up(len, PAGE_SIZE);
    vm_area_struct *vma, *n;
    list_for_each_entry_safe(vma, n, &mm->mmap, list) {
        if (vma->vm_end <= start || vma->vm_start >= end) continue;
        unsigned long cut_start = vma->vm_start > start ? vma->vm_start : start;
        unsigned long cut_end = vma->vm_end < end ? vma->vm_end : end;
        if (cut_start > vma->vm_start && cut_end < vma->vm_end) {
            // A hole in the middle: the region splits in two.
            vm_area_struct* tail = new_vma(cut_end, vma->vm_end, vma->vm_flags);
            if (!tail) return -ENOMEM;
            list_add(&tail->list, &vma->list);
            vma->vm_end = cut_start;
        } else if (cut_start > vma->vm_start) {
            vma->vm_end = cut_start;
        } else if (cut_end < vma->vm_end) {
            vma->vm_start = cut_end;
        } else {
            list_del(&vma->list);
            kfree(vma);
        }
        zap_page_range(mm, cut_start, cut_end);
    }
    return 0;
}

long do_mmap_anon(mm_struct* mm, unsigned long addr, unsigned long len, unsigned long vm_flags, map_placement where) {
    if (len == 0 || len > TASK_SIZE) return -EINVAL;
    len = round_up(len, PAGE_SIZE);
    if (where == map_placement::fixed) {
        if (!page_aligned(addr) || addr >= TASK_SIZE || len > TASK_SIZE - addr) return -EINVAL;
        int err = do_munmap(mm, addr, len);  // MAP_FIXED replaces what was there
        if (err) return err;
    } else {
        addr = get_unmapped_area_topdown(mm, len, MMAP_BASE);
        if (!addr) return -ENOMEM;
    }
    int err = mmap_region(mm, addr, len, vm_flags);
    return err ? err : static_cast<long>(addr);
}

unsigned long do_brk(mm_struct* mm, unsigned long newbrk) {
    unsigned long old = mm->brk;
    if (newbrk < mm->start_brk || newbrk > MMAP_BASE) return old;
    unsigned long old_end = round_up(old, PAGE_SIZE), new_end = round_up(newbrk, PAGE_SIZE);
    if (new_end < old_end) {
        if (do_munmap(mm, new_end, old_end - new_end)) return old;
    } else if (new_end > old_end) {
        if (!range_is_free(mm, old_end, new_end)) return old;  // would run into another region
        vm_area_struct* heap = old_end > mm->start_brk ? find_vma(mm, old_end - 1) : nullptr;
        if (heap && heap->vm_start >= mm->start_brk) heap->vm_end = new_end;
        else if (mmap_region(mm, old_end, new_end - old_end, VM_READ | VM_WRITE)) return old;
    }
    mm->brk = newbrk;
    return newbrk;
}

vm_area_struct* expand_stack(mm_struct* mm, unsigned long addr) {
    addr &= PAGE_MASK;
    // The region just above addr must be a stack, and nothing may sit within
    // the guard gap below its new start.
    vm_area_struct *vma, *below = nullptr, *above = nullptr;
    list_for_each_entry(vma, &mm->mmap, list) {
        if (vma->vm_start > addr) {
            above = vma;
            break;
        }
        below = vma;
    }
    if (!above || !(above->vm_flags & VM_GROWSDOWN)) return nullptr;
    if (above->vm_end - addr > STACK_LIMIT) return nullptr;
    if (below && (below->vm_end > addr || addr - below->vm_end < STACK_GUARD_GAP)) return nullptr;
    above->vm_start = addr;
    ++vm_events.stack_expansions;
    return above;
}

// Protects every task's mm pointer and every mm_struct's users count
// (Linux's task_lock and atomic mm_users in one): another CPU may look at a
// thread's address space (process_vm_readv) while it exits.
constinit spinlock_t task_mm_lock{0, "task_mm_lock"};

void mmput(mm_struct* mm) {
    BUG_ON(mm == &init_mm);
    {
        SpinLockIrqSaveGuard guard(task_mm_lock);  // t->mm and mm->users (Linux: task_lock)
        BUG_ON(mm->users <= 0);
        if (--mm->users) return;
    }
    // Nobody runs on these tables any more (exit_mm switched away first).
    vm_area_struct *vma, *n;
    list_for_each_entry_safe(vma, n, &mm->mmap, list) {
        zap_page_range(mm, vma->vm_start, vma->vm_end);
        list_del(&vma->list);
        kfree(vma);
    }
    pgd_free(mm);
    BUG_ON(mm->nr_pages || mm->nr_ptes);
    kfree(mm);
}
