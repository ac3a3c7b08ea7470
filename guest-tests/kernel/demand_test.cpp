// Demand paging: user memory (mmap, heap, bss, stack) gets its pages on first
// touch, from highmem first, zero-filled; faults outside any region end only
// the process; copy_to/from_user and get_user_pages populate valid memory and
// fail cleanly elsewhere, and not at all with page faults disabled.
#include <asm/pgtable.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/highmem.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/process.hpp>
#include <kernel/uaccess.hpp>

#include "ktest.hpp"
#include "utest_runner.hpp"

namespace {

constexpr unsigned long PAGE = PAGE_SIZE;

struct range_census {
    unsigned long present = 0, highmem = 0, bad_bits = 0;
};

// What the page tables of mm say about [start, start + pages * PAGE), without
// populating anything (no gup: a plain PTE read).
range_census census(mm_struct* mm, unsigned long start, unsigned long pages, unsigned stride = 1) {
    range_census c;
    for (unsigned long i = 0; i < pages; i += stride) {
        pte_t pte = user_pte_read(mm, start + i * PAGE);
        if (!pte_present(pte)) continue;
        ++c.present;
        c.highmem += PageHighMem(pfn_to_page(pte_pfn(pte)));
        bool nx_wanted = __supported_pte_mask & _PAGE_NX;
        c.bad_bits += !(pte.val & _PAGE_USER) || !(pte.val & _PAGE_RW) || (pte.val & _PAGE_GLOBAL) ||
                      (nx_wanted && !(pte.val & _PAGE_NX));
    }
    return c;
}

}  // namespace

// The program maps, grows its heap and owns bss; nothing is populated until it
// touches a page, and exactly the touched pages appear.
KTEST(demand, regions_are_populated_on_first_touch) {
    const char* argv[] = {"utest", "lazy", nullptr};
    task_struct* t = utest::spawn(argv);
    ASSERT_NOT_NULL(t);
    mm_struct* mm = t->mm;
    ASSERT_TRUE(utest::wait_state(t, 1));
    unsigned long m = utest::read_shared(mm, UTEST_MMAP_ADDR_OFFSET);
    unsigned long bss = utest::read_shared(mm, UTEST_BSS_ADDR_OFFSET);
    unsigned long heap = utest::read_shared(mm, UTEST_HEAP_ADDR_OFFSET);
    EXPECT_EQ(heap, mm->start_brk);
    vm_area_struct* vma = find_vma(mm, m);
    ASSERT_NOT_NULL(vma);
    EXPECT_EQ(vma->vm_end - vma->vm_start, UTEST_LAZY_MMAP_PAGES * PAGE);
    EXPECT_NOT_NULL(find_vma(mm, heap + UTEST_LAZY_HEAP_PAGES * PAGE - 1));
    EXPECT_EQ(census(mm, m, UTEST_LAZY_MMAP_PAGES).present, 0u);
    EXPECT_EQ(census(mm, heap, UTEST_LAZY_HEAP_PAGES).present, 0u);
    EXPECT_EQ(census(mm, bss, UTEST_LAZY_BSS_PAGES).present, 0u);

    unsigned long demand = vm_events.demand_pages, nr = mm->nr_pages;
    utest::write_shared(mm, UTEST_CMD_OFFSET, 1);
    ASSERT_TRUE(utest::wait_state(t, 2));
    range_census mc = census(mm, m, UTEST_LAZY_MMAP_PAGES);
    EXPECT_EQ(mc.present, UTEST_LAZY_MMAP_PAGES / 2);
    EXPECT_EQ(census(mm, m, UTEST_LAZY_MMAP_PAGES, 2).present, UTEST_LAZY_MMAP_PAGES / 2);  // the even ones
    range_census hc = census(mm, heap, UTEST_LAZY_HEAP_PAGES), bc = census(mm, bss, UTEST_LAZY_BSS_PAGES);
    EXPECT_EQ(hc.present, UTEST_LAZY_HEAP_PAGES);
    EXPECT_EQ(bc.present, UTEST_LAZY_BSS_PAGES);
    unsigned long touched = UTEST_LAZY_MMAP_PAGES / 2 + UTEST_LAZY_HEAP_PAGES + UTEST_LAZY_BSS_PAGES;
    EXPECT_GE(vm_events.demand_pages - demand, touched);
    EXPECT_GE(mm->nr_pages - nr, touched);
    if (totalhigh_pages()) EXPECT_EQ(mc.highmem + hc.highmem + bc.highmem, touched);  // GFP_HIGHUSER
    EXPECT_EQ(mc.bad_bits + hc.bad_bits + bc.bad_bits, 0u);

    // munmap and a shrinking brk give the pages back at once.
    unsigned long high_free = nr_free_highpages(), pages = mm->nr_pages;
    utest::write_shared(mm, UTEST_CMD_OFFSET, 2);
    ASSERT_TRUE(utest::wait_state(t, 3));
    EXPECT_EQ(census(mm, m, UTEST_LAZY_MMAP_PAGES).present, 0u);
    EXPECT_EQ(census(mm, heap, UTEST_LAZY_HEAP_PAGES).present, 0u);
    EXPECT_NULL(find_vma(mm, m));
    EXPECT_NULL(find_vma(mm, heap));
    EXPECT_EQ(pages - mm->nr_pages, UTEST_LAZY_MMAP_PAGES / 2 + UTEST_LAZY_HEAP_PAGES);
    if (totalhigh_pages())
        EXPECT_EQ(nr_free_highpages() - high_free, UTEST_LAZY_MMAP_PAGES / 2 + UTEST_LAZY_HEAP_PAGES);

    // Last, it touches the unmapped region: the end of it, not of the kernel.
    unsigned long segv = process_stats.segfaults, oopses = oops_count;
    utest::write_shared(mm, UTEST_CMD_OFFSET, 3);
    EXPECT_EQ(kthread_join(t), SIGSEGV);
    EXPECT_EQ(process_stats.segfaults, segv + 1);
    EXPECT_EQ(oops_count, oopses);
    put_task_struct(t);
}

KTEST(demand, heap_grows_and_shrinks_with_brk) {
    unsigned long segv = process_stats.segfaults;
    EXPECT_EQ(utest::run("heap"), SIGSEGV);  // 0..9: which check failed; 11: the final touch
    EXPECT_EQ(process_stats.segfaults, segv + 1);
}

KTEST(demand, anonymous_mmap_and_munmap) {
    unsigned long segv = process_stats.segfaults;
    EXPECT_EQ(utest::run("mmap"), SIGSEGV);
    EXPECT_EQ(process_stats.segfaults, segv + 1);
}

KTEST(demand, the_stack_grows_below_its_region) {
    unsigned long grown = vm_events.stack_expansions;
    EXPECT_EQ(utest::run("stack-grow"), 0);
    // 256 KiB of frames below a 16 KiB region: faults below it, each growing it.
    EXPECT_GT(vm_events.stack_expansions, grown);
}

KTEST(demand, the_stack_stops_at_its_limit) {
    unsigned long grown = vm_events.stack_expansions, segv = process_stats.segfaults;
    EXPECT_EQ(utest::run("stack-too-far"), SIGSEGV);
    EXPECT_EQ(vm_events.stack_expansions, grown);
    EXPECT_EQ(process_stats.segfaults, segv + 1);
}

// nanosleep reads its request from, and writes its remainder to, pages the
// program never touched: both copies fault them in.
KTEST(demand, user_copies_populate_untouched_pages) {
    unsigned long uaccess = vm_events.uaccess_pages, fixups = process_stats.uaccess_faults;
    EXPECT_EQ(utest::run("uaccess-demand"), 0);
    EXPECT_EQ(vm_events.uaccess_pages - uaccess, 2u);
    EXPECT_EQ(process_stats.uaccess_faults, fixups);  // nothing failed
}

// --- the kernel side, in an address space a test thread borrows ----------------

namespace {

constexpr unsigned long BASE = 0x10000000;  // [BASE, +4 pages) RW; [+4 pages, +5 pages) read-only
struct borrowed_mm {
    mm_struct* mm = nullptr;
    bool in_use = false;
    borrowed_mm() {
        mm = mm_alloc();
        if (!mm) return;
        MutexGuard lock(mm->mmap_lock);
        if (mmap_region(mm, BASE, 4 * PAGE, VM_READ | VM_WRITE) ||
            mmap_region(mm, BASE + 4 * PAGE, PAGE, VM_READ)) {
            KTEST_FAIL("mmap_region failed");
        }
    }
    void use() {
        kthread_use_mm(mm);
        in_use = true;
    }
    ~borrowed_mm() {
        if (in_use) kthread_unuse_mm(mm);
        if (mm) mmput(mm);
    }
};

void* uptr(unsigned long a) { return reinterpret_cast<void*>(a); }

}  // namespace

KTEST(demand, copy_to_user_faults_in_exactly_the_page_it_touches) {
    { borrowed_mm warm_up_the_slab_caches; }
    unsigned long free_before = nr_free_pages();
    {
        borrowed_mm b;
        ASSERT_NOT_NULL(b.mm);
        b.use();
        unsigned long pages = vm_events.uaccess_pages;
        const char msg[] = "demand paging";
        EXPECT_EQ(copy_to_user(uptr(BASE + PAGE + 100), msg, sizeof msg), 0u);
        EXPECT_EQ(vm_events.uaccess_pages, pages + 1);
        EXPECT_EQ(census(b.mm, BASE, 4).present, 1u);
        EXPECT_TRUE(pte_present(user_pte_read(b.mm, BASE + PAGE)));
        char back[sizeof msg] = {};
        EXPECT_EQ(copy_from_user(back, uptr(BASE + PAGE + 100), sizeof back), 0u);
        EXPECT_STREQ(back, msg);
        // A copy across a page boundary populates both pages.
        char wide[64];
        memset(wide, 0x5A, sizeof wide);
        EXPECT_EQ(copy_to_user(uptr(BASE + 3 * PAGE - 32), wide, sizeof wide), 0u);
        EXPECT_EQ(census(b.mm, BASE, 4).present, 3u);
        // A fresh page reads as zeros.
        u32 zero = 0xFFFFFFFF;
        EXPECT_EQ(copy_from_user(&zero, uptr(BASE), 4), 0u);
        EXPECT_EQ(zero, 0u);
        EXPECT_EQ(census(b.mm, BASE, 4).present, 4u);
        // Outside every region, or against its rights: nothing copied, no page.
        unsigned long fixups = process_stats.uaccess_faults;
        EXPECT_EQ(copy_to_user(uptr(BASE + 6 * PAGE), msg, 8), 8u);
        EXPECT_EQ(copy_to_user(uptr(BASE + 4 * PAGE), msg, 8), 8u);  // read-only region
        EXPECT_EQ(copy_from_user(back, uptr(BASE + 4 * PAGE), 4), 0u);  // ...readable (and now populated)
        EXPECT_EQ(copy_to_user(uptr(BASE + 4 * PAGE), msg, 8), 8u);  // present, still read-only
        EXPECT_EQ(process_stats.uaccess_faults, fixups + 3);
        EXPECT_FALSE(pte_present(user_pte_read(b.mm, BASE + 6 * PAGE)));
    }
    EXPECT_EQ(nr_free_pages(), free_before);  // pages and tables back with the mm
}

// kmap_atomic (page faults off) and pagefault_disable(): a copy to valid but
// untouched memory fails instead of sleeping in the fault handler.
KTEST(demand, no_fault_handling_with_page_faults_disabled) {
    borrowed_mm b;
    ASSERT_NOT_NULL(b.mm);
    b.use();
    page* hp = alloc_page(GFP_HIGHUSER);
    ASSERT_NOT_NULL(hp);
    u32 v = 0x1234;
    void* k = kmap_atomic(hp);
    unsigned long left = copy_to_user(uptr(BASE), &v, 4);
    kunmap_atomic(k);
    EXPECT_EQ(left, 4u);
    EXPECT_FALSE(pte_present(user_pte_read(b.mm, BASE)));
    pagefault_disable();
    left = copy_from_user(&v, uptr(BASE + PAGE), 4);
    pagefault_enable();
    EXPECT_EQ(left, 4u);
    EXPECT_EQ(census(b.mm, BASE, 4).present, 0u);
    // With faults allowed again, the same copy works.
    EXPECT_EQ(copy_to_user(uptr(BASE), &v, 4), 0u);
    EXPECT_EQ(census(b.mm, BASE, 4).present, 1u);
    __free_page(hp);
}

// get_user_pages populates what was never touched (the kernel pinning a
// page of a process before the process used it).
KTEST(demand, get_user_pages_populates_untouched_pages) {
    borrowed_mm b;
    ASSERT_NOT_NULL(b.mm);
    unsigned long gup = vm_events.gup_pages;
    page* pages[3] = {};
    EXPECT_EQ(get_user_pages(b.mm, BASE, 3, FOLL_WRITE, pages), 3);
    EXPECT_EQ(vm_events.gup_pages, gup + 3);
    EXPECT_EQ(census(b.mm, BASE, 4).present, 3u);
    unsigned long nonzero = 0;
    for (page* p : pages) {
        ASSERT_NOT_NULL(p);
        if (totalhigh_pages()) EXPECT_TRUE(PageHighMem(p));
        auto* k = static_cast<const u8*>(kmap_local_page(p));
        for (unsigned i = 0; i < PAGE; ++i) nonzero += k[i] != 0;
        kunmap_local(k);
        put_page(p);
    }
    EXPECT_EQ(nonzero, 0u);
    // A write pin of the read-only region needs FOLL_FORCE; a hole pins nothing.
    EXPECT_EQ(get_user_pages(b.mm, BASE + 4 * PAGE, 1, FOLL_WRITE, pages), -EFAULT);
    EXPECT_EQ(get_user_pages(b.mm, BASE + 5 * PAGE, 1, 0, pages), -EFAULT);
    EXPECT_EQ(get_user_pages(b.mm, BASE + 4 * PAGE, 1, FOLL_WRITE | FOLL_FORCE, pages), 1);
    put_page(pages[0]);
}

KTEST(demand, munmap_splits_regions_and_frees_their_pages) {
    borrowed_mm b;
    ASSERT_NOT_NULL(b.mm);
    page* pages[4];
    ASSERT_EQ(get_user_pages(b.mm, BASE, 4, FOLL_WRITE, pages), 4);
    for (page* p : pages) put_page(p);
    EXPECT_EQ(page_ref_count(pages[1]), 1);  // the mapping's reference
    unsigned long nr = b.mm->nr_pages;
    {
        MutexGuard lock(b.mm->mmap_lock);
        EXPECT_EQ(do_munmap(b.mm, BASE + PAGE, 2 * PAGE), 0);
    }
    EXPECT_EQ(b.mm->nr_pages, nr - 2);
    EXPECT_EQ(page_ref_count(pages[1]), 0);  // freed
    EXPECT_EQ(page_ref_count(pages[2]), 0);
    EXPECT_EQ(page_ref_count(pages[3]), 1);
    EXPECT_EQ(census(b.mm, BASE, 4).present, 2u);
    vm_area_struct* low = find_vma(b.mm, BASE);
    vm_area_struct* high = find_vma(b.mm, BASE + 3 * PAGE);
    ASSERT_NOT_NULL(low);
    ASSERT_NOT_NULL(high);
    EXPECT_NE(low, high);
    EXPECT_EQ(low->vm_end, BASE + PAGE);
    EXPECT_EQ(high->vm_start, BASE + 3 * PAGE);
    EXPECT_NULL(find_vma(b.mm, BASE + PAGE));
    EXPECT_NULL(find_vma(b.mm, BASE + 2 * PAGE));
    MutexGuard lock(b.mm->mmap_lock);
    EXPECT_EQ(do_munmap(b.mm, BASE + 1, PAGE), -EINVAL);  // unaligned
}

// A stack region grows down to a fault below it, within the stack limit and
// never into the guard gap above another region.
KTEST(demand, stack_growth_rules) {
    borrowed_mm b;
    ASSERT_NOT_NULL(b.mm);
    MutexGuard lock(b.mm->mmap_lock);
    const unsigned long top = 0x20000000;
    ASSERT_EQ(mmap_region(b.mm, top - 4 * PAGE, 4 * PAGE, VM_READ | VM_WRITE | VM_GROWSDOWN), 0);
    vm_area_struct* stack = find_vma(b.mm, top - PAGE);
    ASSERT_NOT_NULL(stack);
    EXPECT_EQ(expand_stack(b.mm, top - 10 * PAGE + 12), stack);
    EXPECT_EQ(stack->vm_start, top - 10 * PAGE);
    EXPECT_NULL(expand_stack(b.mm, top - STACK_LIMIT - PAGE));  // beyond the limit
    // Only a stack grows; and not into the gap above another region.
    EXPECT_NULL(expand_stack(b.mm, BASE - PAGE));
    ASSERT_EQ(mmap_region(b.mm, top - 12 * PAGE - STACK_GUARD_GAP, PAGE, VM_READ), 0);
    EXPECT_NULL(expand_stack(b.mm, top - 11 * PAGE - STACK_GUARD_GAP + PAGE));
    EXPECT_EQ(expand_stack(b.mm, top - 11 * PAGE), stack);
}
