// vmalloc/vmap (see kernel/vmalloc.hpp): a sorted list of areas, first fit.
#include <asm/layout.hpp>
#include <asm/tlbflush.hpp>
#include <kernel/bug.hpp>
#include <kernel/mm.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>
#include <kernel/slab.hpp>
#include <kernel/string.hpp>
#include <kernel/vmalloc.hpp>

constinit vmalloc_counters vmalloc_stats{};

namespace {

constinit spinlock_t vmap_area_lock{0, "vmap_area_lock"};
constinit list_head vmap_area_list = LIST_HEAD_INIT(vmap_area_list);

unsigned long area_start(const vm_struct* vm) { return reinterpret_cast<unsigned long>(vm->addr); }
// Mapped part only: the guard page is never mapped.
unsigned long area_mapped_end(const vm_struct* vm) { return area_start(vm) + vm->size - PAGE_SIZE; }

vm_struct* find_locked(unsigned long addr) {
    vm_struct* vm;
    list_for_each_entry(vm, &vmap_area_list, list)
        if (area_start(vm) == addr) return vm;
    return nullptr;
}

void unmap_area(vm_struct* vm) {
    unsigned long start = area_start(vm), end = area_mapped_end(vm);
    for (unsigned long a = start; a < end; a += PAGE_SIZE) pte_clear(virt_to_kpte(a));
    if (flush_tlb_kernel_range(start, end)) ++vmalloc_stats.full_flushes;
    else vmalloc_stats.page_flushes += (end - start) >> PAGE_SHIFT;
    vmalloc_stats.pages_mapped -= (end - start) >> PAGE_SHIFT;
}

// Takes the area out of the list; nullptr (and a warning) for an unknown address.
vm_struct* remove_vm_area(const void* addr, const char* who) {
    unsigned long flags = spin_lock_irqsave(&vmap_area_lock);
    vm_struct* vm = find_locked(reinterpret_cast<unsigned long>(addr));
    if (vm) {
        list_del(&vm->list);
        --vmalloc_stats.areas;
    }
    spin_unlock_irqrestore(&vmap_area_lock, flags);
    WARN(!vm, "%s(%p): no such vmalloc area\n", who, addr);
    return vm;
}

}  // namespace

vm_struct* get_vm_area(unsigned long size, unsigned long flags) {
    if (size == 0) return nullptr;
    size = round_up(size, PAGE_SIZE) + PAGE_SIZE;  // the guard page
    auto* vm = static_cast<vm_struct*>(kzalloc(sizeof(vm_struct), GFP_KERNEL));
    if (!vm) return nullptr;
    vm->size = size;
    vm->flags = flags;
    SpinLockIrqSaveGuard guard(vmap_area_lock);
    unsigned long addr = VMALLOC_START();
    list_head* before = &vmap_area_list;  // insert after this one
    vm_struct* cur;
    list_for_each_entry(cur, &vmap_area_list, list) {
        if (addr + size <= area_start(cur)) break;
        addr = area_start(cur) + cur->size;
        before = &cur->list;
    }
    if (addr + size > VMALLOC_END() || addr + size < addr) {
        kfree(vm);
        return nullptr;
    }
    vm->addr = reinterpret_cast<void*>(addr);
    list_add(&vm->list, before);
    ++vmalloc_stats.areas;
    return vm;
}

vm_struct* find_vm_area(const void* addr) {
    SpinLockIrqSaveGuard guard(vmap_area_lock);
    return find_locked(reinterpret_cast<unsigned long>(addr));
}

void* vmap(page** pages, unsigned count, unsigned long flags, pgprot_t prot) {
    might_sleep();
    vm_struct* vm = get_vm_area(static_cast<unsigned long>(count) << PAGE_SHIFT, flags | VM_MAP);
    if (!vm) return nullptr;
    // New PTEs need no flush: a not-present entry is never cached.
    for (unsigned i = 0; i < count; ++i)
        set_pte(virt_to_kpte(area_start(vm) + (static_cast<unsigned long>(i) << PAGE_SHIFT)),
                pfn_pte(page_to_pfn(pages[i]), prot));
    vmalloc_stats.pages_mapped += count;
    return vm->addr;
}

void vunmap(const void* addr) {
    BUG_ON(in_interrupt());
    might_sleep();
    if (!addr) return;
    vm_struct* vm = remove_vm_area(addr, "vunmap");
    if (!vm) return;
    unmap_area(vm);
    kfree(vm);
}

void* vmalloc(unsigned long size) {
    might_sleep();
    if (size == 0) return nullptr;
    unsigned nr = static_cast<unsigned>(round_up(size, PAGE_SIZE) >> PAGE_SHIFT);
    auto** pages = static_cast<page**>(kcalloc(nr, sizeof(page*), GFP_KERNEL | __GFP_NOWARN));
    if (!pages) return nullptr;
    unsigned got = 0;
    for (; got < nr; ++got) {
        pages[got] = alloc_page(GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN);
        if (!pages[got]) break;
    }
    void* addr = got == nr ? vmap(pages, nr, VM_ALLOC, PAGE_KERNEL()) : nullptr;
    if (!addr) {
        for (unsigned i = 0; i < got; ++i) __free_page(pages[i]);
        kfree(pages);
        return nullptr;
    }
    vm_struct* vm = find_vm_area(addr);
    vm->flags |= VM_ALLOC;
    vm->pages = pages;
    vm->nr_pages = nr;
    return addr;
}

void* vzalloc(unsigned long size) {
    void* p = vmalloc(size);
    if (p) memset(p, 0, size);
    return p;
}

void vfree(const void* addr) {
    BUG_ON(in_interrupt());
    if (!addr) return;
    vm_struct* vm = remove_vm_area(addr, "vfree");
    if (!vm) return;
    unmap_area(vm);
    if (vm->flags & VM_ALLOC) {
        for (unsigned i = 0; i < vm->nr_pages; ++i) __free_page(vm->pages[i]);
        kfree(vm->pages);
    }
    kfree(vm);
}

page* vmalloc_to_page(const void* addr) {
    if (!is_vmalloc_addr(addr)) return nullptr;
    pte_t pte = ptep_get(virt_to_kpte(reinterpret_cast<unsigned long>(addr)));
    return pte_present(pte) ? pfn_to_page(pte_pfn(pte)) : nullptr;
}

bool is_vmalloc_addr(const void* addr) {
    auto a = reinterpret_cast<unsigned long>(addr);
    return a >= VMALLOC_START() && a < VMALLOC_END();
}
