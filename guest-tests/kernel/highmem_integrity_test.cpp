// Data integrity across the mapping APIs: every free highmem page of the
// machine (above 4 GiB too, under PAE) is written through one API and read
// back through another, then through vmap. A mapping that reached the wrong
// frame, or a stale TLB entry that outlived a remap, shows up as a page
// carrying another page's signature.
#include <asm/setup.hpp>
#include <kernel/vmalloc.hpp>

#include "highmem_fixture.hpp"

namespace {

enum class map_api { local, atomic, kmap };
constexpr unsigned N_APIS = 3;
// Words per page that carry the signature: first, last and two in between.
constexpr unsigned SIG_WORDS[] = {0, 341, 682, 1023};

u32 signature(unsigned long pfn, unsigned w) { return static_cast<u32>(pfn * 2654435761u) ^ (w << 24) ^ 0x48494748u; }

u32* map(map_api api, page* p) {
    switch (api) {
    case map_api::local: return static_cast<u32*>(kmap_local_page(p));
    case map_api::atomic: return static_cast<u32*>(kmap_atomic(p));
    case map_api::kmap: return static_cast<u32*>(kmap(p));
    }
    return nullptr;
}

void unmap(map_api api, page* p, u32* v) {
    switch (api) {
    case map_api::local: kunmap_local(v); return;
    case map_api::atomic: kunmap_atomic(v); return;
    case map_api::kmap: kunmap(p); return;
    }
}

// The pages taken: linked through page->lru (unused while a page is allocated).
struct taken_pages {
    list_head list = LIST_HEAD_INIT(list);
    unsigned long count = 0, above_4g = 0;
    ~taken_pages() {
        page *p, *n;
        list_for_each_entry_safe(p, n, &list, lru) {
            list_del(&p->lru);
            __free_page(p);
        }
    }
};

// Every free highmem page. The allocator keeps a zone's last pages (its
// watermark) until the lower zones are down to theirs, so the whole machine
// is drained (no watermark holds anything back with __GFP_MEMALLOC) and the
// lowmem pages are given back at once.
void take_all_highmem(taken_pages& t) {
    INIT_LIST_HEAD(&t.list);
    list_head lowmem = LIST_HEAD_INIT(lowmem);
    for (;;) {
        page* p = alloc_page(GFP_HIGHUSER | __GFP_MEMALLOC | __GFP_NOWARN);
        if (!p) break;
        if (!PageHighMem(p)) {
            list_add(&p->lru, &lowmem);
            continue;
        }
        list_add_tail(&p->lru, &t.list);
        ++t.count;
        if (page_to_pfn(p) >= PFN_DOWN(SZ_4G)) ++t.above_4g;
    }
    page *p, *n;
    list_for_each_entry_safe(p, n, &lowmem, lru) {
        list_del(&p->lru);
        __free_page(p);
    }
}

}  // namespace

KTEST_TIMEOUT(highmem_integrity, every_page_written_by_one_api_reads_back_through_another, 120000) {
    KTEST_REQUIRE(totalhigh_pages() > 0, "no highmem in this configuration");
    unsigned long free_high = nr_free_highpages();
    kmapinfo before = get_kmapinfo();
    {
        taken_pages t;
        take_all_highmem(t);
        EXPECT_EQ(t.count, free_high);
        if (pae_enabled() && max_pfn > PFN_DOWN(SZ_4G)) EXPECT_GT(t.above_4g, 0u);
        printk("# %lu highmem pages, %lu of them above 4 GiB\n", t.count, t.above_4g);

        // Write through API i % 3, read back through the next one.
        unsigned long i = 0, wrong = 0;
        page* p;
        list_for_each_entry(p, &t.list, lru) {
            auto api = static_cast<map_api>(i % N_APIS);
            u32* v = map(api, p);
            for (unsigned w : SIG_WORDS) v[w] = signature(page_to_pfn(p), w);
            unmap(api, p, v);
            ++i;
        }
        i = 0;
        list_for_each_entry(p, &t.list, lru) {
            auto api = static_cast<map_api>((i + 1) % N_APIS);
            u32* v = map(api, p);
            for (unsigned w : SIG_WORDS)
                if (v[w] != signature(page_to_pfn(p), w) && !wrong++)
                    KTEST_FAIL("pfn %#lx word %u: %#x", page_to_pfn(p), w, v[w]);
            unmap(api, p, v);
            ++i;
        }
        EXPECT_EQ(wrong, 0u);

        // And once more through vmap, 256 pages per area.
        constexpr unsigned BATCH = 256;
        page* batch[BATCH];
        unsigned in_batch = 0;
        unsigned long vmapped = 0, vwrong = 0;
        auto check_batch = [&] {
            auto* v = static_cast<u32*>(vmap(batch, in_batch, VM_MAP, PAGE_KERNEL()));
            if (!v) {
                KTEST_FAIL("vmap of %u pages failed", in_batch);
                return;
            }
            for (unsigned k = 0; k < in_batch; ++k)
                for (unsigned w : SIG_WORDS)
                    vwrong += v[k * (PAGE_SIZE / 4) + w] != signature(page_to_pfn(batch[k]), w);
            vunmap(v);
            vmapped += in_batch;
            in_batch = 0;
        };
        list_for_each_entry(p, &t.list, lru) {
            batch[in_batch++] = p;
            if (in_batch == BATCH) check_batch();
        }
        if (in_batch) check_batch();
        EXPECT_EQ(vmapped, t.count);
        EXPECT_EQ(vwrong, 0u);
    }
    EXPECT_EQ(nr_free_highpages(), free_high);
    kmapinfo after = get_kmapinfo();
    // A third of the pages went through kmap each pass: the window wrapped.
    if (free_high > 3 * LAST_PKMAP()) EXPECT_GT(after.global_flushes, before.global_flushes);
    EXPECT_EQ(after.pkmap_in_use, before.pkmap_in_use);
}
