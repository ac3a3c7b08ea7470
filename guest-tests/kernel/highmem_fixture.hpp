// Shared by the highmem suites: a fixture holding highmem pages, and small
// questions about kernel mappings.
#pragma once
#include <asm/highmem.hpp>
#include <asm/layout.hpp>
#include <kernel/highmem.hpp>
#include <kernel/slab.hpp>

#include "ktest.hpp"

namespace hm_test {

// Does the page-table walk from CR3 find a present PTE for va?
inline bool mapped(unsigned long va) { return kernel_virt_to_phys(va, nullptr, nullptr); }
inline bool mapped(const void* va) { return mapped(reinterpret_cast<unsigned long>(va)); }

inline bool in_pkmap(const void* p) {
    auto a = reinterpret_cast<unsigned long>(p);
    return a >= PKMAP_BASE() && a < PKMAP_ADDR(LAST_PKMAP());
}

// The address of the depth-th nested kmap_local of this CPU (every other slot
// with debug_kmap_local's guard slots).
inline unsigned long local_slot_addr(unsigned depth) { return fix_to_virt(FIX_KMAP_BEGIN + arch_kmap_local_map_idx(depth)); }

}  // namespace hm_test

// Holds n distinct highmem pages (skips the case without highmem). MAX is more
// than twice LAST_PKMAP in either mode, so a case can wrap the window twice.
// The case runs on the BSP: the kmap_local addresses and counts it checks are
// CPU 0's, those of the one-CPU kernel (the sched_smp suite maps on the APs).
struct kmap_pages : ktest::Test {
    static constexpr unsigned MAX = 2 * LAST_PKMAP_MAX + 2;
    ktest::PinCpu on_the_bsp{0};
    page** pages = nullptr;
    unsigned n = 0;
    void SetUp() override {
        if (!totalhigh_pages()) {
            ktest::skip("no highmem in this configuration");
            return;
        }
        pages = static_cast<page**>(kcalloc(MAX, sizeof(page*), GFP_KERNEL));
        ASSERT_NOT_NULL(pages);
        for (n = 0; n < MAX; ++n) {
            pages[n] = alloc_page(GFP_HIGHUSER | __GFP_NOWARN);
            if (!pages[n] || !PageHighMem(pages[n])) break;
        }
        if (n < MAX && pages[n]) __free_page(pages[n]);  // a fallback to lowmem: not wanted
    }
    void TearDown() override {
        for (unsigned i = 0; i < n; ++i) __free_page(pages[i]);
        kfree(pages);
    }
};
