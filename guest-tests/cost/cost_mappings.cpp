// The cost of reaching one page through each mapping API: map, touch the page
// once, unmap. Per page touched, so the TLB miss a fresh mapping causes is
// part of its price. docs/highmem-costs.md explains every figure.
#include <asm/layout.hpp>
#include <kernel/highmem.hpp>
#include <kernel/printk.hpp>
#include <kernel/slab.hpp>
#include <kernel/vmalloc.hpp>

#include "cost_cases.hpp"
#include "cost_probe.hpp"

namespace cost {

namespace {

constexpr unsigned N = 64;  // repetitions of each same-page measurement

page* highmem_page() {
    page* p = alloc_page(GFP_HIGHUSER);
    if (p && !PageHighMem(p)) {
        __free_page(p);
        return nullptr;
    }
    return p;
}

// One new pkmap mapping of a page nobody has mapped: kmap, touch, kunmap.
void kmap_fresh(page* p) {
    void* v = kmap(p);
    touch(v);
    kunmap(p);
}

}  // namespace

void measure_lowmem(Probe& probe) {
    page* p = alloc_page(GFP_KERNEL);
    if (!p) return report_problem("page_address", "no lowmem page");
    touch(page_address(p));  // its translation is in the TLB from here on

    probe.start();
    for (unsigned i = 0; i < N; ++i) touch(page_address(p));
    report("page_address", "page", N, probe.stop());

    probe.start();
    for (unsigned i = 0; i < N; ++i) {
        touch(kmap(p));
        kunmap(p);
    }
    report("kmap_lowmem", "page", N, probe.stop());

    probe.start();
    for (unsigned i = 0; i < N; ++i) {
        void* v = kmap_local_page(p);
        touch(v);
        kunmap_local(v);
    }
    report("kmap_local_lowmem", "page", N, probe.stop());
    __free_page(p);
}

void measure_local_and_atomic(Probe& probe) {
    page* p = highmem_page();
    if (!p) return report_problem("kmap_local_page", "no highmem page");
    probe.start();
    for (unsigned i = 0; i < N; ++i) {
        void* v = kmap_local_page(p);
        touch(v);
        kunmap_local(v);
    }
    report("kmap_local_page", "page", N, probe.stop());

    probe.start();
    for (unsigned i = 0; i < N; ++i) {
        void* v = kmap_atomic(p);
        touch(v);
        kunmap_atomic(v);
    }
    report("kmap_atomic", "page", N, probe.stop());
    __free_page(p);
}

// kmap of a page that sits in a pkmap slot (another user holds it) against
// kmap of pages that need a new slot, and the wrap-around that recycles slots.
void measure_pkmap(Probe& probe) {
    const unsigned last = LAST_PKMAP();
    // Enough distinct pages to go twice round the window (plus the held one).
    const unsigned count = 2 * LAST_PKMAP_MAX + 2;
    auto** pages = static_cast<page**>(kcalloc(count, sizeof(page*), GFP_KERNEL));
    if (!pages) return report_problem("kmap_new", "out of memory");
    unsigned got = 0;
    while (got < count && (pages[got] = highmem_page())) ++got;
    if (got < count) {
        report_problem("kmap_new", "not enough highmem pages (need 2050)");
    } else {
        page* held = pages[count - 1];
        void* hv = kmap(held);  // stays mapped: a kmap "hit" from now on
        touch(hv);
        // Measured on the second of two identical passes: the first brings
        // the loop's own code into the ITLB. A hit needs no TLB work, but the
        // loop may straddle a code page boundary whose far side nothing ran
        // before (link-layout luck: the SMP kernel's code moved it there, one
        // cold ITLB miss in 64 hits).
        Counters hit{};
        for (int pass = 0; pass < 2; ++pass) {
            probe.start();
            for (unsigned i = 0; i < N; ++i) {
                touch(kmap(held));
                kunmap(held);
            }
            hit = probe.stop();
        }
        report("kmap_hit", "page", N, hit);

        // Map new pages until the search wraps: the window is then freshly
        // flushed and the next LAST_PKMAP - 1 new mappings cannot wrap.
        unsigned next = 0;
        const unsigned long flushes = highmem_stats.pkmap_flushes;
        while (highmem_stats.pkmap_flushes == flushes && next < last + 1) kmap_fresh(pages[next++]);
        const unsigned long primed = highmem_stats.pkmap_flushes;
        if (primed == flushes) {
            report_problem("kmap_new", "the pkmap search never wrapped");
        } else {
            probe.start();
            for (unsigned i = 0; i < N; ++i) kmap_fresh(pages[next++]);
            Counters c = probe.stop();
            if (highmem_stats.pkmap_flushes != primed) report_problem("kmap_new", "a wrap happened while measuring");
            report("kmap_new", "page", N, c);

            // Up to the wrap: the next new mapping after these wraps around.
            const unsigned before_wrap = last - 1 - N - 1;  // slot 0 taken at priming, N, the held page's slot
            for (unsigned i = 0; i < before_wrap && highmem_stats.pkmap_flushes == primed; ++i) kmap_fresh(pages[next++]);
            probe.start();
            kmap_fresh(pages[next++]);
            c = probe.stop();
            if (highmem_stats.pkmap_flushes != primed + 1) report_problem("kmap_wrap", "the measured kmap did not wrap");
            report("kmap_wrap", "wrap", 1, c);

            // 1024 new mappings from just after a wrap: one wrap in 2-level
            // paging (LAST_PKMAP 1024), two with PAE (512).
            const unsigned long at = highmem_stats.pkmap_flushes;
            probe.start();
            for (unsigned i = 0; i < LAST_PKMAP_MAX; ++i) kmap_fresh(pages[(next++) % (count - 1)]);
            c = probe.stop();
            report("kmap_new_1024", "page", LAST_PKMAP_MAX, c);
            printk("cost: pkmap last_pkmap=%u wraps_in_1024=%lu\n", last, highmem_stats.pkmap_flushes - at);
        }
        kunmap(held);
    }
    for (unsigned i = 0; i < got; ++i) __free_page(pages[i]);
    kfree(pages);
}

// vmap of N pages, each touched once, then vunmap; and a long-lived vmap whose
// pages are touched many times (the case vmap is for).
void measure_vmap(Probe& probe) {
    constexpr unsigned MAX = 64;
    page* pages[MAX];
    unsigned got = 0;
    while (got < MAX && (pages[got] = highmem_page())) ++got;
    if (got < MAX) {
        report_problem("vmap", "not enough highmem pages");
    } else {
        static const struct {
            const char* name;
            unsigned n, rounds;
        } sizes[] = {{"vmap_1", 1, 32}, {"vmap_16", 16, 8}, {"vmap_64", 64, 4}};
        for (const auto& s : sizes) {
            probe.start();
            for (unsigned r = 0; r < s.rounds; ++r) {
                char* v = static_cast<char*>(vmap(pages, s.n, 0, PAGE_KERNEL()));
                if (!v) break;
                for (unsigned i = 0; i < s.n; ++i) touch(v + i * PAGE_SIZE);
                vunmap(v);
            }
            report(s.name, "page", s.n * s.rounds, probe.stop());
        }
        // 16 pages mapped once and touched 16 times each, unmapped once.
        constexpr unsigned PAGES = 16, TOUCHES = 16;
        probe.start();
        char* v = static_cast<char*>(vmap(pages, PAGES, 0, PAGE_KERNEL()));
        if (v) {
            for (unsigned t = 0; t < TOUCHES; ++t)
                for (unsigned i = 0; i < PAGES; ++i) touch(v + i * PAGE_SIZE);
            vunmap(v);
        }
        report("vmap_16_long_lived", "touch", PAGES * TOUCHES, probe.stop());
        // The same 256 touches through kmap_local, one mapping per touch.
        probe.start();
        for (unsigned t = 0; t < TOUCHES; ++t) {
            for (unsigned i = 0; i < PAGES; ++i) {
                void* m = kmap_local_page(pages[i]);
                touch(m);
                kunmap_local(m);
            }
        }
        report("kmap_local_per_touch", "touch", PAGES * TOUCHES, probe.stop());
    }
    for (unsigned i = 0; i < got; ++i) __free_page(pages[i]);
}

}  // namespace cost
