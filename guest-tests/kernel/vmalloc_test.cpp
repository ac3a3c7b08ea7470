// vmalloc and vmap: virtually contiguous, highmem-backed when possible, guard
// pages, unmapping and TLB flushing, address reuse, exhaustion.
#include <asm/layout.hpp>
#include <asm/setup.hpp>
#include <kernel/bug.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/highmem.hpp>
#include <kernel/sched.hpp>
#include <kernel/slab.hpp>
#include <kernel/vmalloc.hpp>

#include "ktest.hpp"

namespace {
bool mapped(unsigned long va) { return kernel_virt_to_phys(va, nullptr, nullptr); }
unsigned long ul(const void* p) { return reinterpret_cast<unsigned long>(p); }
}  // namespace

KTEST(vmalloc, one_page) {
    auto* p = static_cast<u32*>(vmalloc(100));
    ASSERT_NOT_NULL(p);
    EXPECT_TRUE(is_vmalloc_addr(p));
    EXPECT_EQ(ul(p) & ~PAGE_MASK, 0u);
    page* pg = vmalloc_to_page(p);
    ASSERT_NOT_NULL(pg);
    if (totalhigh_pages()) EXPECT_TRUE(PageHighMem(pg));  // vmalloc prefers highmem
    p[5] = 0x5a5a5a5a;
    auto* k = static_cast<u32*>(kmap_local_page(pg));
    EXPECT_EQ(k[5], 0x5a5a5a5au);
    kunmap_local(k);
    vm_struct* vm = find_vm_area(p);
    ASSERT_NOT_NULL(vm);
    EXPECT_EQ(vm->size, 2 * PAGE_SIZE);  // one page and its guard
    EXPECT_FALSE(mapped(ul(p) + PAGE_SIZE));
    vfree(p);
    EXPECT_FALSE(mapped(ul(p)));
}

KTEST(vmalloc, large_area_is_virtually_contiguous) {
    constexpr unsigned long SIZE = 1ul << 20;
    vfree(vmalloc(SIZE));  // warm up the slab caches behind the page array and the area
    unsigned long free_before = nr_free_pages();
    auto* p = static_cast<u8*>(vmalloc(SIZE));
    ASSERT_NOT_NULL(p);
    for (unsigned long off = 0; off < SIZE; off += PAGE_SIZE) p[off] = static_cast<u8>(off >> PAGE_SHIFT);
    unsigned long wrong = 0, scattered = 0;
    page* prev = nullptr;
    for (unsigned long off = 0; off < SIZE; off += PAGE_SIZE) {
        page* pg = vmalloc_to_page(p + off);
        auto* k = static_cast<u8*>(kmap_local_page(pg));
        wrong += k[0] != static_cast<u8>(off >> PAGE_SHIFT);
        kunmap_local(k);
        if (prev && pg != prev + 1) ++scattered;
        prev = pg;
    }
    EXPECT_EQ(wrong, 0u);
    (void)scattered;  // physical contiguity is neither needed nor promised
    EXPECT_FALSE(mapped(ul(p) + SIZE));  // guard page
    unsigned long full = vmalloc_stats.full_flushes;
    vfree(p);
    EXPECT_EQ(vmalloc_stats.full_flushes, full + 1);  // 256 pages: over the invlpg ceiling
    for (unsigned long off = 0; off < SIZE; off += 64 * PAGE_SIZE) EXPECT_FALSE(mapped(ul(p) + off));
    EXPECT_EQ(nr_free_pages(), free_before);
}

KTEST(vmalloc, vzalloc_zeroes) {
    auto* p = static_cast<u8*>(vzalloc(3 * PAGE_SIZE + 5));
    ASSERT_NOT_NULL(p);
    unsigned long nonzero = 0;
    for (unsigned long i = 0; i < 3 * PAGE_SIZE + 5; ++i) nonzero += p[i] != 0;
    EXPECT_EQ(nonzero, 0u);
    vfree(p);
}

KTEST(vmalloc, addresses_are_reused_first_fit) {
    void* a = vmalloc(PAGE_SIZE);
    void* b = vmalloc(PAGE_SIZE);
    ASSERT_NOT_NULL(a);
    ASSERT_NOT_NULL(b);
    EXPECT_EQ(ul(b), ul(a) + 2 * PAGE_SIZE);  // after a's guard page
    vfree(a);
    void* c = vmalloc(PAGE_SIZE);
    EXPECT_EQ(c, a);
    vfree(b);
    vfree(c);
}

KTEST(vmalloc, vmap_maps_the_callers_pages) {
    page* pages[3] = {alloc_page(GFP_KERNEL), alloc_page(GFP_HIGHUSER), alloc_page(GFP_KERNEL)};
    for (page* p : pages) ASSERT_NOT_NULL(p);
    memcpy_to_page(pages[1], 8, "vmap", 5);
    auto* v = static_cast<char*>(vmap(pages, 3, VM_MAP, PAGE_KERNEL()));
    ASSERT_NOT_NULL(v);
    EXPECT_STREQ(v + PAGE_SIZE + 8, "vmap");
    for (unsigned i = 0; i < 3; ++i) EXPECT_EQ(vmalloc_to_page(v + i * PAGE_SIZE), pages[i]);
    unsigned long page_flushes = vmalloc_stats.page_flushes;
    vunmap(v);
    EXPECT_EQ(vmalloc_stats.page_flushes, page_flushes + 3);  // small: one invlpg per page
    EXPECT_FALSE(mapped(ul(v)));
    // vunmap leaves the caller's pages alone.
    char buf[5];
    memcpy_from_page(buf, pages[1], 8, 5);
    EXPECT_STREQ(buf, "vmap");
    for (page* p : pages) __free_page(p);
}

KTEST(vmalloc, too_large_fails_cleanly) {
    unsigned long free_before = nr_free_pages();
    unsigned long areas = vmalloc_stats.areas;
    EXPECT_NULL(vmalloc(VMALLOC_END() - VMALLOC_START() + PAGE_SIZE));
    EXPECT_NULL(get_vm_area(VMALLOC_END() - VMALLOC_START(), VM_MAP));  // no room for its guard
    EXPECT_EQ(nr_free_pages(), free_before);
    EXPECT_EQ(vmalloc_stats.areas, areas);
}

KTEST(vmalloc, vfree_of_an_unknown_address_warns) {
    unsigned long warns = warn_count;
    vfree(reinterpret_cast<void*>(VMALLOC_START() + 12345 * PAGE_SIZE));
    EXPECT_EQ(warn_count, warns + 1);
}

namespace {
constexpr int WENT_ON = 42;
int vmalloc_under_spinlock(void*) {
    DEFINE_SPINLOCK(lock);
    spin_lock(&lock);
    void* v = vmalloc(PAGE_SIZE);
    spin_unlock(&lock);
    if (!v) return 1;
    vfree(v);
    return WENT_ON;
}
}  // namespace

// vmalloc may sleep: in atomic context might_sleep() reports (a warning with a
// stack trace, Linux's behaviour) and the allocation goes on.
KTEST(vmalloc, may_sleep_so_atomic_context_is_reported) {
    ktest::ConsoleCapture capture;
    unsigned long warns = warn_count, oopses = oops_count;
    task_struct* t = kthread_run(vmalloc_under_spinlock, nullptr, "ktest-vmalloc");
    ASSERT_NOT_NULL(t);
    EXPECT_EQ(kthread_join(t), WENT_ON);
    EXPECT_GE(warn_count, warns + 1);  // vmalloc's own, then its page and kmalloc allocations'

    EXPECT_EQ(oops_count, oopses);
    EXPECT_OUTPUT(capture, "BUG: sleeping function called from invalid context at kernel/mm/vmalloc.cpp:");
}

// VMALLOC_START is VMALLOC_OFFSET above the direct map (Linux's
// pgtable_32_areas.h), and vmalloc=SIZE leaves exactly SIZE of vmalloc space
// when it is what limits lowmem (Linux: MAXMEM = VMALLOC_END - PAGE_OFFSET -
// (SIZE + VMALLOC_OFFSET)); matrix.1G-2level-vmalloc boots with vmalloc=64M.
KTEST(vmalloc, the_vmalloc_option_gives_exactly_its_size) {
    EXPECT_EQ(VMALLOC_START(), reinterpret_cast<unsigned long>(high_memory) + VMALLOC_OFFSET);
    KTEST_REQUIRE(boot_opts.vmalloc_reserve, "booted without vmalloc=");
    KTEST_REQUIRE(max_low_pfn < max_pfn, "the RAM ends below the limit vmalloc= sets");
    EXPECT_EQ(VMALLOC_END() - VMALLOC_START(), boot_opts.vmalloc_reserve);
    void* v = vmalloc(boot_opts.vmalloc_reserve - PAGE_SIZE);  // everything but the guard page
    EXPECT_NOT_NULL(v);
    vfree(v);
}
