// kmap_local_page and kmap_atomic: short-lived mappings in per-CPU fixmap
// slots, after Linux's CONFIG_KMAP_LOCAL code in mm/highmem.c.
//
// Each thread keeps a stack of the slots it holds (task_struct::kmap_ctrl):
// mapping pushes, unmapping pops and must be LIFO. The address of the n-th
// nested mapping is fix_to_virt(FIX_KMAP_BEGIN + n) (2n + 1 with the guard
// slots of debug_kmap_local) whichever thread makes it, so the same address means different pages in different threads; that
// is safe because a context switch tears the outgoing thread's slots down
// (PTE cleared + invlpg) and re-installs the incoming thread's saved PTEs.
// An interrupt handler may map too: it pushes above the interrupted thread's
// slots and must unmap before it returns.
//
// The slots are this CPU's (asm/highmem.hpp), so a thread holding any must
// not move to another CPU: each highmem mapping holds migrate_disable() until
// its unmap, as Linux's __kmap_local_pfn_prot does. The thread may still be
// preempted (and sleep); it resumes on the same CPU, whose switch code put
// its slots back. kmap_atomic disables preemption besides (highmem.hpp).
#include <asm/highmem.hpp>
#include <kernel/bug.hpp>
#include <kernel/cmdline.hpp>
#include <kernel/highmem.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>

constinit bool debug_kmap_local = false;
constinit unsigned kmap_local_shift = 0;
constinit unsigned kmap_local_max_nesting_ = (KM_MAX_IDX - 1) / 1;

namespace {

bool parse_debug_kmap_local(const char* v) {
    debug_kmap_local = true;
    kmap_local_shift = 1;
    kmap_local_max_nesting_ = (KM_MAX_IDX_DEBUG - 1) / 2;
    return !*v;
}
early_param("debug_kmap_local", parse_debug_kmap_local, "debug_kmap_local takes no value");

unsigned kmap_local_idx_push() {
    // A hardirq handler runs with interrupts off here; otherwise an interrupt
    // between push and map could nest its own mapping into the same slot.
    WARN_ON_ONCE(in_hardirq() && !irqs_disabled());
    // Linux: idx += KM_INCR; BUG_ON(idx >= KM_MAX_IDX). Counted here in
    // mappings: the (n+1)-th needs (n+1) * KM_INCR < KM_MAX_IDX, i.e. n below
    // (KM_MAX_IDX - 1) / KM_INCR.
    kmap_ctrl& k = current->kmap_ctrl;
    if (k.idx >= kmap_local_max_nesting_) {
        printk("BUG: kmap_local: more than %u nested mappings (KM_MAX_IDX %u%s) in %s[%d]\n",
               kmap_local_max_nesting(), kmap_local_max_idx(), debug_kmap_local ? ", debug_kmap_local" : "",
               current->comm, current->pid);
        BUG();
    }
    return k.idx++;
}

unsigned kmap_local_idx() { return current->kmap_ctrl.idx - 1; }

void kmap_local_idx_pop() {
    kmap_ctrl& k = current->kmap_ctrl;
    BUG_ON(k.idx == 0);
    --k.idx;
}

bool is_kmap_local_addr(unsigned long addr) {
    return addr >= fix_to_virt(FIX_KMAP_END) && addr < fix_to_virt(FIX_KMAP_BEGIN) + PAGE_SIZE;
}

}  // namespace

void* __kmap_local_page_prot(page* page, pgprot_t prot, kmap_kind kind) {
    if (!PageHighMem(page)) return page_address(page);
    migrate_disable();  // before the slot (this CPU's) is chosen
    // Interrupts off between choosing the slot and filling it: an interrupt
    // handler's own kmap_local must find the stack consistent.
    unsigned long flags = local_irq_save();
    unsigned idx = arch_kmap_local_map_idx(kmap_local_idx_push());
    unsigned long vaddr = fix_to_virt(FIX_KMAP_BEGIN + idx);
    pte_ptr ptep = kmap_get_pte(idx);
    if (!pte_none(ptep_get(ptep))) {
        printk("BUG: kmap_local: slot %u (%08lx) is still mapped\n", idx, vaddr);
        BUG();
    }
    pte_t pteval = pfn_pte(page_to_pfn(page), prot);
    set_pte(ptep, pteval);
    current->kmap_ctrl.pteval[kmap_local_idx()] = pteval;
    if (kind == kmap_kind::atomic) ++highmem_stats.kmap_atomic_maps;
    else ++highmem_stats.kmap_local_maps;
    local_irq_restore(flags);
    return reinterpret_cast<void*>(vaddr);
}

void kunmap_local_indexed(const void* vaddr) {
    auto addr = reinterpret_cast<unsigned long>(vaddr) & PAGE_MASK;
    if (!is_kmap_local_addr(addr)) {
        // A lowmem page: kmap_local_page returned its direct-map address.
        WARN_ON_ONCE(addr < PAGE_OFFSET || addr >= reinterpret_cast<unsigned long>(high_memory));
        return;
    }
    unsigned long flags = local_irq_save();
    if (current->kmap_ctrl.idx == 0) {
        local_irq_restore(flags);
        printk("BUG: kunmap_local(%08lx): %s[%d] holds no kmap_local mapping\n", addr, current->comm, current->pid);
        BUG();
    }
    unsigned idx = arch_kmap_local_map_idx(kmap_local_idx());
    // Linux WARNs and unmaps the last mapping anyway (WARN_ON_ONCE; here every
    // time, so that each misuse is seen): the caller's page stays mapped, the
    // last one is gone, and the stack stays consistent.
    WARN(addr != fix_to_virt(FIX_KMAP_BEGIN + idx),
         "WARNING: kunmap_local(%08lx): not the last mapping (%08lx): unmapping must be LIFO; the last one is "
         "unmapped\n",
         addr, fix_to_virt(FIX_KMAP_BEGIN + idx));
    addr = fix_to_virt(FIX_KMAP_BEGIN + idx);
    pte_clear(kmap_get_pte(idx));
    arch_kmap_local_post_unmap(addr);
    ++highmem_stats.kmap_local_invlpgs;
    current->kmap_ctrl.pteval[kmap_local_idx()] = pte_t{0};
    kmap_local_idx_pop();
    local_irq_restore(flags);
    migrate_enable();
}

// Interrupts are off in both hooks (the middle of a context switch).
void __kmap_local_sched_out(task_struct* prev) {
    for (unsigned i = 0; i < prev->kmap_ctrl.idx; ++i) {
        if (!pte_present(prev->kmap_ctrl.pteval[i])) continue;
        unsigned idx = arch_kmap_local_map_idx(i);
        pte_clear(kmap_get_pte(idx));
        arch_kmap_local_post_unmap(fix_to_virt(FIX_KMAP_BEGIN + idx));
        ++highmem_stats.kmap_local_invlpgs;
        ++highmem_stats.kmap_local_sched_out;
    }
}

void __kmap_local_sched_in(task_struct* next) {
    for (unsigned i = 0; i < next->kmap_ctrl.idx; ++i) {
        if (!pte_present(next->kmap_ctrl.pteval[i])) continue;
        set_pte(kmap_get_pte(arch_kmap_local_map_idx(i)), next->kmap_ctrl.pteval[i]);
        ++highmem_stats.kmap_local_sched_in;
    }
}

void kmap_local_exit(task_struct* p) {
    // Linux's debug check (kmap_local_fork/exit under CONFIG_DEBUG_KMAP_LOCAL):
    // a mapping must not outlive the code that made it.
    if (WARN(p->kmap_ctrl.idx, "BUG: %s[%d] exits holding %u kmap_local mapping(s) (the last at %08lx): removed\n",
             p->comm, p->pid, p->kmap_ctrl.idx,
             fix_to_virt(FIX_KMAP_BEGIN + arch_kmap_local_map_idx(p->kmap_ctrl.idx - 1)))) {
        unsigned long flags = local_irq_save();
        __kmap_local_sched_out(p);
        p->kmap_ctrl.idx = 0;
        local_irq_restore(flags);
    }
}
