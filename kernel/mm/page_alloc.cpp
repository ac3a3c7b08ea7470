// The buddy allocator. Each zone keeps free blocks of 2^order pages on
// free_area[order]; a block's buddy is the block whose pfn differs only in bit
// 'order'. Freeing merges a block with its free buddy as long as possible;
// allocating splits the smallest sufficient block, returning the unused halves.
//
// Zone choice (get_page_from_freelist): from gfp_zone(gfp) down to ZONE_DMA,
// taking the first zone whose free pages stay above its watermark plus its
// lowmem_reserve for that request. A first pass uses the low watermark; the
// second the min watermark (halved for __GFP_HIGH); __GFP_MEMALLOC ignores
// watermarks. There is no reclaim: after the second pass the allocation fails.
#include <asm/layout.hpp>
#include <kernel/bug.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/highmem.hpp>
#include <kernel/mm.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>
#include <kernel/string.hpp>

namespace {

enum alloc_flags : unsigned {
    ALLOC_WMARK_MIN = WMARK_MIN,
    ALLOC_WMARK_LOW = WMARK_LOW,
    ALLOC_WMARK_MASK = 0x3,
    ALLOC_NO_WATERMARKS = 1u << 2,
    ALLOC_HIGH = 1u << 3,
};

void add_to_free_list(page* p, zone* z, unsigned order) {
    set_page_flag(p, PG_buddy);
    p->private_ = order;
    list_add(&p->lru, &z->free_area[order].free_list);
    ++z->free_area[order].nr_free;
}

void del_page_from_free_list(page* p, zone* z, unsigned order) {
    list_del(&p->lru);
    clear_page_flag(p, PG_buddy);
    p->private_ = 0;
    --z->free_area[order].nr_free;
}

// Is 'buddy' the head of a free block of this order in this zone?
bool page_is_buddy(const page* buddy, const zone* z, unsigned order) {
    return PageBuddy(buddy) && buddy->private_ == order && page_zone(buddy) == z;
}

void __free_one_page(page* p, unsigned long pfn, zone* z, unsigned order) {
    z->free_pages += 1ul << order;
    while (order < MAX_ORDER - 1) {
        unsigned long buddy_pfn = pfn ^ (1ul << order);
        if (!pfn_valid(buddy_pfn)) break;
        page* buddy = pfn_to_page(buddy_pfn);
        if (!page_is_buddy(buddy, z, order)) break;
        del_page_from_free_list(buddy, z, order);
        unsigned long combined = pfn & buddy_pfn;
        p = pfn_to_page(combined);
        pfn = combined;
        ++order;
    }
    add_to_free_list(p, z, order);
}

// Splits a block of order 'high' down to 'low', freeing the upper halves.
void expand(zone* z, page* p, unsigned low, unsigned high) {
    while (high > low) {
        --high;
        add_to_free_list(p + (1ul << high), z, high);
    }
}

page* __rmqueue_smallest(zone* z, unsigned order) {
    for (unsigned o = order; o < MAX_ORDER; ++o) {
        free_area& area = z->free_area[o];
        if (list_empty(&area.free_list)) continue;
        page* p = list_first_entry(&area.free_list, page, lru);
        del_page_from_free_list(p, z, o);
        expand(z, p, order, o);
        z->free_pages -= 1ul << order;
        return p;
    }
    return nullptr;
}

// Linux's __zone_watermark_ok: enough free pages above mark plus the reserve,
// and (for order > 0) a free block of at least that order.
bool zone_watermark_ok(const zone* z, unsigned order, unsigned long mark, zone_type highest, unsigned flags) {
    long free = static_cast<long>(z->free_pages) - ((1l << order) - 1);
    long min = static_cast<long>(mark);
    if (flags & ALLOC_HIGH) min -= min / 2;
    if (free <= min + static_cast<long>(z->lowmem_reserve[highest])) return false;
    if (order == 0) return true;
    for (unsigned o = order; o < MAX_ORDER; ++o)
        if (z->free_area[o].nr_free) return true;
    return false;
}

// A page about to be handed out: it must look exactly like a free page.
void check_new_page(page* p, unsigned order) {
    for (unsigned long i = 0; i < (1ul << order); ++i) {
        page* q = p + i;
        if (q->_refcount != 0 || q->_mapcount != -1 || (q->flags & ~(ZONES_MASK << ZONES_PGSHIFT))) {
            printk("BUG: Bad page state in allocation: pfn %#lx flags %#lx count %d mapcount %d\n",
                   page_to_pfn(q), q->flags, q->_refcount, q->_mapcount);
            BUG();
        }
    }
}

// The checks Linux's free_pages_prepare makes: a double free or a free of a
// page the allocator never handed out is a bug, reported where it happens.
void check_free_page(page* p, unsigned order) {
    const char* why = nullptr;
    if (PageBuddy(p)) why = "already free (double free)";
    else if (PageReserved(p)) why = "reserved page";
    else if (PageSlab(p)) why = "page still owned by a slab cache";
    else if (p->_mapcount != -1) why = "page still mapped into user space";
    else if (order >= MAX_ORDER) why = "order too large";
    for (unsigned long i = 1; !why && i < (1ul << order); ++i)
        if (PageBuddy(p + i) || p[i]._refcount) why = "block overlaps a free or used page";
    if (why) {
        printk("BUG: Bad page state: freeing pfn %#lx order %u: %s (flags %#lx count %d)\n", page_to_pfn(p), order,
               why, p->flags, p->_refcount);
        BUG();
    }
}

zone_type gfp_zone(gfp_t gfp) {
    gfp_t z = gfp & GFP_ZONEMASK;
    BUG_ON(z == (__GFP_DMA | __GFP_HIGHMEM));  // contradictory request
    if (z & __GFP_DMA) return ZONE_DMA;
    if (z & __GFP_HIGHMEM) return ZONE_HIGHMEM;
    return ZONE_NORMAL;
}

page* get_page_from_freelist(gfp_t gfp, unsigned order, unsigned flags, zone_type highest) {
    for (int i = highest; i >= 0; --i) {
        zone* z = zone_by_type(static_cast<zone_type>(i));
        if (!z->managed_pages) continue;
        SpinLockIrqSaveGuard guard(z->lock);
        if (!(flags & ALLOC_NO_WATERMARKS) &&
            !zone_watermark_ok(z, order, z->_watermark[flags & ALLOC_WMARK_MASK], highest, flags))
            continue;
        page* p = __rmqueue_smallest(z, order);
        if (!p) continue;
        ++z->alloc_count;
        if (static_cast<zone_type>(i) != highest) ++z->fallback_count;
        (void)gfp;
        return p;
    }
    return nullptr;
}

void prep_new_page(page* p, unsigned order, gfp_t gfp) {
    check_new_page(p, order);
    set_page_count(p, 1);
    if (!(gfp & __GFP_ZERO)) return;
    // A highmem page has no address: each one is zeroed through kmap_local.
    for (unsigned long i = 0; i < (1ul << order); ++i) clear_highpage(p + i);
}

void warn_alloc(gfp_t gfp, unsigned order) {
    printk("page allocation failure: order:%u, mode:%#x\n", order, gfp);
    dump_stack();
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i) {
        const zone* z = zone_by_type(static_cast<zone_type>(i));
        printk("  %-8s free:%lu min:%lu low:%lu managed:%lu\n", z->name, z->free_pages, min_wmark_pages(z),
               low_wmark_pages(z), z->managed_pages);
    }
}

}  // namespace

unsigned get_order(unsigned long size) {
    unsigned order = 0;
    size = (size - 1) >> PAGE_SHIFT;
    while (size) {
        ++order;
        size >>= 1;
    }
    return order;
}

page* alloc_pages(gfp_t gfp, unsigned order) {
    if (gfpflags_allow_blocking(gfp)) might_sleep();
    if (WARN_ON_ONCE(order >= MAX_ORDER)) return nullptr;
    zone_type highest = gfp_zone(gfp);
    page* p = get_page_from_freelist(gfp, order, ALLOC_WMARK_LOW, highest);
    if (!p) {
        unsigned flags = ALLOC_WMARK_MIN;
        if (gfp & __GFP_HIGH) flags |= ALLOC_HIGH;
        if (gfp & __GFP_MEMALLOC) flags |= ALLOC_NO_WATERMARKS;
        p = get_page_from_freelist(gfp, order, flags, highest);
    }
    if (!p) {
        if (!(gfp & __GFP_NOWARN)) warn_alloc(gfp, order);
        return nullptr;
    }
    prep_new_page(p, order, gfp);
    return p;
}

void free_one_block(page* p, unsigned order) {
    zone* z = page_zone(p);
    SpinLockIrqSaveGuard guard(z->lock);
    __free_one_page(p, page_to_pfn(p), z, order);
}

void __free_pages(page* p, unsigned order) {
    if (p->_refcount <= 0) {
        printk("BUG: Bad page state: freeing pfn %#lx order %u with refcount %d\n", page_to_pfn(p), order,
               p->_refcount);
        BUG();
    }
    if (!put_page_testzero(p)) return;
    check_free_page(p, order);
    free_one_block(p, order);
}

// Boot: hands a block that memblock left free to the buddy allocator.
void __free_pages_core(page* p, unsigned order) {
    for (unsigned long i = 0; i < (1ul << order); ++i) {
        clear_page_flag(p + i, PG_reserved);
        set_page_count(p + i, 0);
    }
    page_zone(p)->managed_pages += 1ul << order;
    free_one_block(p, order);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned order) {
    BUG_ON(gfp & __GFP_HIGHMEM);  // no address to return for a highmem page
    page* p = alloc_pages(gfp, order);
    return p ? reinterpret_cast<unsigned long>(lowmem_page_address(p)) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp) { return __get_free_pages(gfp | __GFP_ZERO, 0); }

void free_pages(unsigned long addr, unsigned order) {
    if (!addr) return;
    BUG_ON(!virt_addr_valid(reinterpret_cast<void*>(addr)));
    __free_pages(virt_to_page(reinterpret_cast<void*>(addr)), order);
}

unsigned long totalram_pages() {
    unsigned long n = 0;
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i) n += zone_by_type(static_cast<zone_type>(i))->managed_pages;
    return n;
}
unsigned long totalhigh_pages() { return zone_by_type(ZONE_HIGHMEM)->managed_pages; }
unsigned long nr_free_pages() {
    unsigned long n = 0;
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i) n += zone_by_type(static_cast<zone_type>(i))->free_pages;
    return n;
}
unsigned long nr_free_highpages() { return zone_by_type(ZONE_HIGHMEM)->free_pages; }
