// The "demo" boot option (kernel.elf): after the layout and the meminfo
// report, a short narrated walk through highmem at work: a lowmem page and a
// highmem page through page_address, kmap, kmap_local, a pkmap wrap, and the
// kmapinfo counters before and after. Under hm386 the diagnostic device adds
// TLB facts and cycle counts. images/demo boots this.
#include <asm/highmem.hpp>
#include <asm/hm386_diag.hpp>
#include <asm/setup.hpp>
#include <kernel/cmdline.hpp>
#include <kernel/highmem.hpp>
#include <kernel/printk.hpp>
#include <kernel/reboot.hpp>
#include <kernel/slab.hpp>

bool demo_requested();
int run_highmem_demo();

namespace {

constinit bool demo = false;
bool parse_demo(const char* v) {
    demo = true;
    return *v == 0;
}
early_param("demo", parse_demo, "demo takes no value");

unsigned long ul(const volatile void* p) { return reinterpret_cast<unsigned long>(p); }

void say(const char* text) { printk("demo: %s\n", text); }

u64 cycles() { return hm386_diag_command(HM386_DIAG_CMD_CYCLES, 0); }

const char* yes_no(bool b) { return b ? "yes" : "no"; }

// Cycles per map + unmap pair, averaged over 64.
struct costs {
    u64 local, atomic, kmap_mapped;
};
costs measure(page* p) {
    constexpr unsigned N = 64;
    costs c{};
    u64 t0 = cycles();
    for (unsigned i = 0; i < N; ++i) kunmap_local(kmap_local_page(p));
    u64 t1 = cycles();
    for (unsigned i = 0; i < N; ++i) kunmap_atomic(kmap_atomic(p));
    u64 t2 = cycles();
    kmap(p);  // from here on the page has its slot: the cost of the lookup path
    for (unsigned i = 0; i < N; ++i) {
        kmap(p);
        kunmap(p);
    }
    u64 t3 = cycles();
    kunmap(p);
    c.local = (t1 - t0) / N;
    c.atomic = (t2 - t1) / N;
    c.kmap_mapped = (t3 - t2) / N;
    return c;
}

}  // namespace

bool demo_requested() { return demo; }

int run_highmem_demo() {
    const bool diag = hm386_diag_present();
    printk("\n=== highmem demo: how a 32-bit kernel reaches memory it cannot map permanently ===\n");
    printk("demo: the kernel maps lowmem permanently at %08lx + physical address: here %lu MiB, up to 896 MiB.\n",
           PAGE_OFFSET, max_low_pfn >> (20 - PAGE_SHIFT));
    printk("demo: the other %lu MiB are highmem: each page has a struct page but no kernel address of its own.\n",
           (highend_pfn - highstart_pfn) >> (20 - PAGE_SHIFT));
    printk("demo: paging is %s: the pkmap window has %u slots, the fixmap %u kmap_local slots per CPU.\n", paging->name,
           LAST_PKMAP(), KM_MAX_IDX);
    printk("demo: kmapinfo before:\n");
    show_kmapinfo();

    page* low = alloc_page(GFP_KERNEL);
    page* high = alloc_page(GFP_HIGHUSER);
    if (!low || !high || !PageHighMem(high)) {
        printk("demo: needs a lowmem and a highmem page (boot with force_highmem=32M on a 64 MiB machine)\n");
        return EXIT_STATUS_TEST_FAILURE;
    }

    printk("\n[1] page_address(): a lowmem page and a highmem page\n");
    printk("demo: lowmem  page pfn %#07lx (zone %s): page_address = %08lx, PAGE_OFFSET + its physical address\n",
           page_to_pfn(low), page_zone(low)->name, ul(page_address(low)));
    printk("demo: highmem page pfn %#07lx (zone %s): page_address = %s: nothing maps it\n", page_to_pfn(high),
           page_zone(high)->name, page_address(high) ? "set (a stale kmap)" : "NULL");

    printk("\n[2] kmap(): borrow a slot of the shared persistent window (pkmap)\n");
    auto* k = static_cast<volatile u32*>(kmap(high));
    k[0] = 0x4B4D4150;  // the access fills the TLB
    printk("demo: kmap -> %08lx: pkmap slot %u of %u, pkmap_count %d (one user); page_address now %08lx\n", ul(k),
           PKMAP_NR(ul(k)), LAST_PKMAP(), pkmap_count_at(const_cast<u32*>(k)), ul(page_address(high)));
    printk("demo: kmap on the lowmem page just returns its address: %08lx\n", ul(kmap(low)));
    kunmap(low);
    kunmap(high);
    printk("demo: kunmap: pkmap_count %d: unused but still mapped, and page_address still says %08lx\n",
           pkmap_count_at(const_cast<u32*>(k)), ul(page_address(high)));
    say("kunmap never flushes the TLB: the slot is cleaned up later, all slots at once");
    bool tlb_after_kunmap = diag && hm386_dtlb_holds(ul(k));

    printk("\n[3] kmap_local_page(): this thread's next fixmap slot, no lock, nothing shared\n");
    unsigned long invlpgs = highmem_stats.kmap_local_invlpgs;
    auto* l = static_cast<volatile u32*>(kmap_local_page(high));
    unsigned long local_va = ul(l);
    printk("demo: kmap_local_page -> %08lx: fixmap slot FIX_KMAP_BEGIN + %u; same page, another address: reads %#x\n",
           local_va, virt_to_fix(local_va) - FIX_KMAP_BEGIN, l[0]);
    kunmap_local(const_cast<u32*>(l));
    printk("demo: kunmap_local: PTE cleared and %lu INVLPG for its address, at once\n",
           highmem_stats.kmap_local_invlpgs - invlpgs);
    bool tlb_after_kunmap_local = diag && hm386_dtlb_holds(local_va);
    void* a = kmap_atomic(high);
    printk("demo: kmap_atomic -> %08lx: the same slots, with preemption and page faults off until kunmap_atomic\n", ul(a));
    kunmap_atomic(a);

    printk("\n[4] A pkmap wrap: kmap + kunmap %u more highmem pages, one after another\n", LAST_PKMAP());
    say("each kunmap leaves its slot unused but mapped; when the search for a free slot");
    say("comes back to slot 0, flush_all_zero_pkmaps() frees every unused slot with one global TLB flush");
    unsigned n = LAST_PKMAP();
    auto** more = static_cast<page**>(kcalloc(n, sizeof(page*), GFP_KERNEL));
    unsigned got = 0;
    while (more && got < n && (more[got] = alloc_page(GFP_HIGHUSER | __GFP_NOWARN)) && PageHighMem(more[got])) ++got;
    if (got < n) {
        printk("demo: not enough highmem for the wrap (%u of %u pages)\n", got, n);
        return EXIT_STATUS_TEST_FAILURE;
    }
    kmapinfo before = get_kmapinfo();
    unsigned long slots_flushed = highmem_stats.pkmap_slots_flushed;
    for (unsigned i = 0; i < n; ++i) {
        kmap(more[i]);
        kunmap(more[i]);
    }
    kmapinfo after = get_kmapinfo();
    printk("demo: %u kmaps: pkmap wraps %lu -> %lu, global TLB flushes %lu -> %lu, %lu unused slots freed by it\n", n,
           before.pkmap_wraps, after.pkmap_wraps, before.global_flushes, after.global_flushes,
           highmem_stats.pkmap_slots_flushed - slots_flushed);
    printk("demo: the highmem page of step 2 lost its slot in that flush: page_address = %s\n",
           page_address(high) ? "still set" : "NULL");
    bool tlb_after_wrap = diag && hm386_dtlb_holds(ul(k));
    for (unsigned i = 0; i < n; ++i) __free_page(more[i]);
    kfree(more);

    printk("\n[5] What the TLB did (hm386's diagnostic device)\n");
    if (diag) {
        printk("demo: after kunmap, the TLB still holds the pkmap address %08lx: %s\n", ul(k), yes_no(tlb_after_kunmap));
        printk("demo: after kunmap_local, the TLB holds the fixmap address %08lx: %s\n", local_va,
               yes_no(tlb_after_kunmap_local));
        printk("demo: after the wrap's flush, the TLB holds %08lx: %s\n", ul(k), yes_no(tlb_after_wrap));
        costs c = measure(high);
        printk("demo: cycles per map + unmap: kmap_local %llu, kmap_atomic %llu, kmap of a page already in its slot "
               "%llu\n",
               c.local, c.atomic, c.kmap_mapped);
    } else {
        say("the TLB facts (what stays cached after kunmap, what kunmap_local removes) and the cycle");
        say("counts need hm386's diagnostic device, absent here: run this image under hm386 to see them");
    }
    __free_page(high);
    __free_page(low);

    printk("\ndemo: kmapinfo after:\n");
    show_kmapinfo();
    printk("Demo complete: powering off\n");
    return EXIT_STATUS_OK;
}
