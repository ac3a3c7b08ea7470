// kmalloc and slab caches: sizes, alignment, isolation of neighbouring
// objects, reuse, large allocations, custom caches, lowmem only.
#include <kernel/mm.hpp>
#include <kernel/slab.hpp>
#include <kernel/string.hpp>

#include "ktest.hpp"

KTEST(slab, every_size_gets_a_big_enough_aligned_lowmem_object) {
    for (size_t size = 1; size <= 3000; size += (size < 64 ? 1 : 37)) {
        void* p = kmalloc(size, GFP_KERNEL);
        ASSERT_NOT_NULL(p);
        EXPECT_EQ(reinterpret_cast<unsigned long>(p) % ARCH_KMALLOC_MINALIGN, 0u);
        EXPECT_GE(ksize(p), size);
        EXPECT_TRUE(virt_addr_valid(p));
        EXPECT_FALSE(PageHighMem(virt_to_page(p)));
        memset(p, 0xA5, size);
        kfree(p);
    }
}

KTEST(slab, size_classes) {
    EXPECT_EQ(kmalloc_slab(1)->size, 8u);
    EXPECT_EQ(kmalloc_slab(8)->size, 8u);
    EXPECT_EQ(kmalloc_slab(9)->size, 16u);
    EXPECT_EQ(kmalloc_slab(65)->size, 96u);
    EXPECT_EQ(kmalloc_slab(129)->size, 192u);
    EXPECT_EQ(kmalloc_slab(2048)->size, 2048u);
    EXPECT_NULL(kmalloc_slab(2049));
}

KTEST(slab, neighbours_do_not_overlap) {
    constexpr unsigned N = 200;
    u8* objs[N];
    for (unsigned i = 0; i < N; ++i) {
        objs[i] = static_cast<u8*>(kmalloc(48, GFP_KERNEL));
        ASSERT_NOT_NULL(objs[i]);
        memset(objs[i], static_cast<int>(i), 48);
    }
    unsigned long corrupted = 0;
    for (unsigned i = 0; i < N; ++i)
        for (unsigned b = 0; b < 48; ++b) corrupted += objs[i][b] != static_cast<u8>(i);
    EXPECT_EQ(corrupted, 0u);
    for (unsigned i = 0; i < N; ++i)
        for (unsigned j = i + 1; j < N; ++j) EXPECT_NE(objs[i], objs[j]);
    for (unsigned i = 0; i < N; ++i) kfree(objs[i]);
}

KTEST(slab, kzalloc_zeroes_reused_memory) {
    u8* a = static_cast<u8*>(kmalloc(100, GFP_KERNEL));
    ASSERT_NOT_NULL(a);
    memset(a, 0xFF, 100);
    kfree(a);
    u8* b = static_cast<u8*>(kzalloc(100, GFP_KERNEL));
    ASSERT_NOT_NULL(b);
    EXPECT_EQ(b, a);  // the freed slot is the first one handed out again
    unsigned long nonzero = 0;
    for (unsigned i = 0; i < 100; ++i) nonzero += b[i] != 0;
    EXPECT_EQ(nonzero, 0u);
    kfree(b);
}

KTEST(slab, large_kmalloc_uses_whole_pages) {
    unsigned long free_before = nr_free_pages();
    void* p = kmalloc(5000, GFP_KERNEL);
    ASSERT_NOT_NULL(p);
    EXPECT_EQ(reinterpret_cast<unsigned long>(p) & ~PAGE_MASK, 0u);
    EXPECT_TRUE(PageLargeKmalloc(virt_to_page(p)));
    EXPECT_EQ(ksize(p), 2 * PAGE_SIZE);
    EXPECT_EQ(nr_free_pages(), free_before - 2);
    kfree(p);
    EXPECT_EQ(nr_free_pages(), free_before);
    void* big = kmalloc(300 * 1024, GFP_KERNEL);
    ASSERT_NOT_NULL(big);
    EXPECT_EQ(ksize(big), 128 * PAGE_SIZE);
    kfree(big);
    EXPECT_EQ(nr_free_pages(), free_before);
}

KTEST(slab, custom_cache_alignment_and_accounting) {
    kmem_cache* c = kmem_cache_create("ktest-40", 40, 32);
    ASSERT_NOT_NULL(c);
    EXPECT_EQ(c->size, 64u);
    constexpr unsigned N = 100;
    void* objs[N];
    for (unsigned i = 0; i < N; ++i) {
        objs[i] = kmem_cache_zalloc(c, GFP_KERNEL);
        ASSERT_NOT_NULL(objs[i]);
        EXPECT_EQ(reinterpret_cast<unsigned long>(objs[i]) % 32, 0u);
    }
    EXPECT_EQ(c->active_objects, N);
    EXPECT_GE(c->nr_slabs * c->objects, N);
    for (unsigned i = 0; i < N; ++i) kmem_cache_free(c, objs[i]);
    EXPECT_EQ(c->active_objects, 0u);
    EXPECT_LE(c->nr_slabs, 1u);  // empty slabs go back, except one
    kmem_cache_destroy(c);
}

KTEST(slab, freed_objects_are_poisoned) {
    u8* p = static_cast<u8*>(kmalloc(64, GFP_KERNEL));
    ASSERT_NOT_NULL(p);
    memset(p, 0, 64);
    kfree(p);
    // The slot (past its freelist link) now holds the poison pattern.
    EXPECT_NULL(memchr_inv(p + sizeof(void*), POISON_FREE, 64 - sizeof(void*)));
}

KTEST(slab, kcalloc_checks_overflow) {
    EXPECT_NULL(kcalloc(0x10000, 0x10000, GFP_KERNEL));
    u32* v = static_cast<u32*>(kcalloc(10, sizeof(u32), GFP_KERNEL));
    ASSERT_NOT_NULL(v);
    EXPECT_EQ(v[9], 0u);
    kfree(v);
}

// Objects too big for eight to a page live in multi-page slabs; every one of
// them, in any page of its slab, frees back to it (a task_struct with its x87
// save area is such an object).
KTEST(slab, objects_in_every_page_of_a_multi_page_slab_free) {
    kmem_cache* c = kmem_cache_create("ktest-600", 600, 16);
    ASSERT_NOT_NULL(c);
    ASSERT_GT(c->order, 0u);
    constexpr unsigned N = 40;
    void* objs[N];
    unsigned beyond_first_page = 0;
    for (unsigned i = 0; i < N; ++i) {
        objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
        ASSERT_NOT_NULL(objs[i]);
        if (reinterpret_cast<unsigned long>(objs[i]) % (PAGE_SIZE << c->order) >= PAGE_SIZE) ++beyond_first_page;
    }
    EXPECT_GT(beyond_first_page, 0u);
    for (unsigned i = 0; i < N; ++i) kmem_cache_free(c, objs[i]);
    EXPECT_EQ(c->active_objects, 0u);
    kmem_cache_destroy(c);
}
