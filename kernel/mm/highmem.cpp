// The persistent kmap window (kmap/kunmap) and page_address() for highmem,
// after Linux's mm/highmem.c.
//
// pkmap_count[i] says what slot i of the window is doing:
//   0   free, and no TLB can hold a translation for it;
//   1   unused, but mapped and possibly still cached in some TLB;
//   n>1 in use by n-1 kmap()s.
// kunmap() only decrements: it never clears the PTE or flushes, so a page
// mapped again soon finds its old slot (page_address() still knows it). Slots
// at 1 become free only in flush_all_zero_pkmaps(), which runs when the
// search for a free slot wraps around: it clears all of their PTEs and then
// flushes the whole window from the TLB at once. A count must never go from 1
// to 0 without that flush, or a stale translation could reach a new page.
//
// A highmem page's address while kmapped lives in a small hash
// (Linux's HASHED_PAGE_VIRTUAL), searched by page_address().
#include <asm/highmem.hpp>
#include <kernel/bug.hpp>
#include <kernel/highmem.hpp>
#include <kernel/printk.hpp>
#include <kernel/wait.hpp>

constinit highmem_counters highmem_stats{};

namespace {

constinit int pkmap_count[LAST_PKMAP_MAX]{};
constinit unsigned last_pkmap_nr = 0;
constinit spinlock_t kmap_lock{0, "kmap_lock"};
constinit wait_queue_head pkmap_map_wait{};  // kmap_init()

// --- page_address hash ---------------------------------------------------------
constexpr unsigned PA_HASH_ORDER = 7;
constexpr unsigned PA_HASH_SIZE = 1u << PA_HASH_ORDER;

struct page_address_map {
    const page* page;
    void* virt;
    list_head list;
};

struct page_address_slot {
    list_head lh;
    spinlock_t lock;
};

// One map per pkmap slot: a page has at most one pkmap address.
constinit page_address_map page_address_maps[LAST_PKMAP_MAX]{};
constinit page_address_slot page_address_htable[PA_HASH_SIZE]{};
constinit bool kmap_ready = false;

page_address_slot* page_slot(const page* p) {
    unsigned long h = reinterpret_cast<unsigned long>(p) * 0x9E370001ul;  // Knuth's golden-ratio hash
    return &page_address_htable[h >> (32 - PA_HASH_ORDER)];
}

void set_page_address(page* p, void* virt) {
    BUG_ON(!PageHighMem(p));
    page_address_slot* pas = page_slot(p);
    SpinLockIrqSaveGuard guard(pas->lock);
    if (virt) {
        page_address_map* pam = &page_address_maps[PKMAP_NR(reinterpret_cast<unsigned long>(virt))];
        pam->page = p;
        pam->virt = virt;
        list_add_tail(&pam->list, &pas->lh);
    } else {
        page_address_map* pam;
        list_for_each_entry(pam, &pas->lh, list) {
            if (pam->page == p) {
                list_del(&pam->list);
                return;
            }
        }
    }
}

// --- the pkmap window ---------------------------------------------------------------
void flush_all_zero_pkmaps() {
    bool need_flush = false;
    for (unsigned i = 0; i < LAST_PKMAP(); ++i) {
        // Zero: never mapped or already flushed. >1: in use.
        if (pkmap_count[i] != 1) continue;
        pkmap_count[i] = 0;
        pte_ptr ptep = pkmap_page_table() + i;
        pte_t pte = ptep_get(ptep);
        BUG_ON(!pte_present(pte));
        // Clear the PTE first: once the page loses its address below, a new
        // kmap of it must not find this slot half-valid.
        pte_clear(ptep);
        set_page_address(pfn_to_page(pte_pfn(pte)), nullptr);
        need_flush = true;
        ++highmem_stats.pkmap_slots_flushed;
    }
    if (need_flush) {
        flush_tlb_pkmaps();
        ++highmem_stats.pkmap_flushes;
    }
}

}  // namespace

// Linux's kmap_flush_unused(): what a wrap does, on demand. Every unused slot
// (count 1) is freed and, if there was one, the TLB flushed once.
void kmap_flush_unused() {
    SpinLockGuard guard(kmap_lock);
    flush_all_zero_pkmaps();
}

namespace {

// Called with kmap_lock held; may drop it to sleep.
unsigned long map_new_virtual(page* p) {
    unsigned count;
start:
    count = LAST_PKMAP();
    // Find an empty entry.
    for (;;) {
        last_pkmap_nr = (last_pkmap_nr + 1) & (LAST_PKMAP() - 1);
        if (!last_pkmap_nr) {
            ++highmem_stats.pkmap_wraps;
            flush_all_zero_pkmaps();
            count = LAST_PKMAP();
        }
        if (!pkmap_count[last_pkmap_nr]) break;  // found a usable entry
        if (--count) continue;

        // Every slot is in use: sleep until a kunmap() frees one.
        ++highmem_stats.kmap_high_waits;
        wait_queue_entry wait;
        init_wait_entry(&wait, 0);
        prepare_to_wait(&pkmap_map_wait, &wait, TASK_UNINTERRUPTIBLE);
        spin_unlock(&kmap_lock);
        schedule();
        finish_wait(&pkmap_map_wait, &wait);
        spin_lock(&kmap_lock);
        // Somebody else might have mapped it while we slept.
        if (void* addr = page_address(p)) return reinterpret_cast<unsigned long>(addr);
        goto start;
    }
    unsigned long vaddr = PKMAP_ADDR(last_pkmap_nr);
    set_pte(pkmap_page_table() + last_pkmap_nr, pfn_pte(page_to_pfn(p), PAGE_KERNEL()));
    pkmap_count[last_pkmap_nr] = 1;
    set_page_address(p, reinterpret_cast<void*>(vaddr));
    ++highmem_stats.kmap_high_new;
    return vaddr;
}

}  // namespace

void kmap_init() {
    for (auto& slot : page_address_htable) {
        INIT_LIST_HEAD(&slot.lh);
        spin_lock_init(&slot.lock, "page_address_htable");
    }
    init_waitqueue_head(&pkmap_map_wait);
    kmap_ready = true;
}

void* page_address(const page* p) {
    if (!PageHighMem(p)) return lowmem_page_address(p);
    if (!kmap_ready) return nullptr;
    page_address_slot* pas = page_slot(p);
    SpinLockIrqSaveGuard guard(pas->lock);
    page_address_map* pam;
    list_for_each_entry(pam, &pas->lh, list)
        if (pam->page == p) return pam->virt;
    return nullptr;
}

void* kmap_high(page* p) {
    // For a highmem page, we can't trust "virtual" until after we have the lock.
    BUG_ON(!kmap_ready);
    spin_lock(&kmap_lock);
    ++highmem_stats.kmap_high_calls;
    unsigned long vaddr = reinterpret_cast<unsigned long>(page_address(p));
    if (!vaddr) vaddr = map_new_virtual(p);
    unsigned nr = PKMAP_NR(vaddr);
    ++pkmap_count[nr];
    BUG_ON(pkmap_count[nr] < 2);
    spin_unlock(&kmap_lock);
    return reinterpret_cast<void*>(vaddr);
}

void kunmap_high(page* p) {
    spin_lock(&kmap_lock);
    void* vaddr = page_address(p);
    // Misuse is reported with the lock released, so the kernel can go on
    // after the BUG kills the offending thread (Linux: BUG_ON(!vaddr), BUG()).
    if (!vaddr) {
        spin_unlock(&kmap_lock);
        printk("BUG: kunmap of pfn %#lx: the page has no kmap mapping\n", page_to_pfn(p));
        BUG();
    }
    unsigned nr = PKMAP_NR(reinterpret_cast<unsigned long>(vaddr));
    if (pkmap_count[nr] < 2) {
        spin_unlock(&kmap_lock);
        printk("BUG: kunmap of pfn %#lx at %08lx: more kunmaps than kmaps (pkmap slot %u has no users)\n",
               page_to_pfn(p), reinterpret_cast<unsigned long>(vaddr), nr);
        BUG();
    }
    // A count must never go down to zero without a TLB flush!
    bool need_wakeup = false;
    if (--pkmap_count[nr] == 1) {
        // Someone may sleep for a free slot; this one becomes usable after
        // the flush that the next wrap-around of the search does.
        need_wakeup = waitqueue_active(&pkmap_map_wait);
    }
    spin_unlock(&kmap_lock);
    if (need_wakeup) wake_up(&pkmap_map_wait);
}

page* kmap_to_page(const void* vaddr) {
    auto addr = reinterpret_cast<unsigned long>(vaddr);
    if (addr >= PKMAP_ADDR(0) && addr < PKMAP_ADDR(LAST_PKMAP())) {
        pte_t pte = ptep_get(pkmap_page_table() + PKMAP_NR(addr));
        return pfn_to_page(pte_pfn(pte));
    }
    if (addr >= fix_to_virt(FIX_KMAP_END) && addr < fix_to_virt(FIX_KMAP_BEGIN) + PAGE_SIZE) {
        pte_t pte = ptep_get(virt_to_kpte(addr));
        return pfn_to_page(pte_pfn(pte));
    }
    return virt_to_page(vaddr);
}

void pkmap_slot_counts(unsigned* free, unsigned* unused, unsigned* used) {
    SpinLockGuard guard(kmap_lock);
    *free = *unused = *used = 0;
    for (unsigned i = 0; i < LAST_PKMAP(); ++i) {
        if (pkmap_count[i] == 0) ++*free;
        else if (pkmap_count[i] == 1) ++*unused;
        else ++*used;
    }
}

int pkmap_count_at(const void* vaddr) {
    auto addr = reinterpret_cast<unsigned long>(vaddr);
    BUG_ON(addr < PKMAP_ADDR(0) || addr >= PKMAP_ADDR(LAST_PKMAP()));
    SpinLockGuard guard(kmap_lock);
    return pkmap_count[PKMAP_NR(addr)];
}
