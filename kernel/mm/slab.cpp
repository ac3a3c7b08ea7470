// Slab caches and kmalloc (see kernel/slab.hpp).
//
// A slab is a buddy block of 2^order lowmem pages cut into equal slots; its
// struct page records the cache, the first free slot (free slots are chained
// through their first word) and the number of slots in use. A cache keeps its
// slabs on a partial list (some slots free) and a full list; a slab that
// becomes empty goes back to the buddy allocator unless it is the cache's
// last partial slab.
#include <kernel/bug.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/mm.hpp>
#include <kernel/new.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>
#include <kernel/slab.hpp>
#include <kernel/string.hpp>

constinit unsigned long slab_corruptions = 0;

namespace {

constexpr unsigned kmalloc_sizes[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048};
constexpr const char* kmalloc_names[] = {"kmalloc-8",   "kmalloc-16",  "kmalloc-32",  "kmalloc-64",
                                         "kmalloc-96",  "kmalloc-128", "kmalloc-192", "kmalloc-256",
                                         "kmalloc-512", "kmalloc-1k",  "kmalloc-2k"};
static_assert(ARRAY_SIZE(kmalloc_sizes) == ARRAY_SIZE(kmalloc_names), "a name per kmalloc size class");
constexpr unsigned NR_KMALLOC = ARRAY_SIZE(kmalloc_sizes);

constinit kmem_cache kmalloc_caches[NR_KMALLOC]{};
constinit kmem_cache cache_cache{};  // the cache kmem_cache_create allocates from
constinit list_head slab_caches = LIST_HEAD_INIT(slab_caches);
// Protects slab_caches (Linux's slab_mutex; a spinlock here: caches are
// created and destroyed from any CPU, and slabinfo only prints).
constinit spinlock_t slab_caches_lock{0, "slab_caches_lock"};
constinit bool slab_ready = false;

void* slab_base(const page* p) { return lowmem_page_address(p); }

void* get_free(void* obj) { return *static_cast<void**>(obj); }
void set_free(void* obj, void* next) { *static_cast<void**>(obj) = next; }

// Free objects hold the freelist link in their first word, poison after it.
void poison_object(const kmem_cache* c, void* obj) {
    memset(static_cast<u8*>(obj) + sizeof(void*), POISON_FREE, c->size - sizeof(void*));
}

// A write after free is reported like SLUB does (a report, then the poison is
// restored and the object used): the cache lock is held here, and an oops
// would leave it locked for good.
void check_poison(kmem_cache* c, void* obj) {
    const void* bad = memchr_inv(static_cast<u8*>(obj) + sizeof(void*), POISON_FREE, c->size - sizeof(void*));
    if (!bad) return;
    ++slab_corruptions;
    printk("BUG %s: poison overwritten: object %p, first bad byte at offset %u (0x%02x): "
           "written after it was freed\n",
           c->name, obj, static_cast<unsigned>(static_cast<const u8*>(bad) - static_cast<u8*>(obj)),
           *static_cast<const u8*>(bad));
    dump_stack();
    printk("FIX %s: restoring poison\n", c->name);
    poison_object(c, obj);
}

void init_cache(kmem_cache* c, const char* name, unsigned size, unsigned align) {
    if (align < ARCH_KMALLOC_MINALIGN) align = ARCH_KMALLOC_MINALIGN;
    c->name = name;
    c->object_size = size;
    c->align = align;
    c->size = round_up(size < sizeof(void*) ? static_cast<unsigned>(sizeof(void*)) : size, align);
    // At least 8 objects per slab, at most 8 pages per slab.
    c->order = 0;
    while (c->order < 3 && ((PAGE_SIZE << c->order) / c->size) < 8) ++c->order;
    c->objects = static_cast<unsigned>((PAGE_SIZE << c->order) / c->size);
    BUG_ON(c->objects == 0);
    INIT_LIST_HEAD(&c->partial);
    INIT_LIST_HEAD(&c->full);
    c->nr_slabs = 0;
    c->active_objects = 0;
    spin_lock_init(&c->lock, "kmem_cache->lock");
    SpinLockIrqSaveGuard guard(slab_caches_lock);
    list_add_tail(&c->list, &slab_caches);
}

page* new_slab(kmem_cache* c, gfp_t gfp) {
    page* p = alloc_pages((gfp & ~__GFP_ZERO) | __GFP_NOWARN, c->order);
    if (!p) return nullptr;
    BUG_ON(PageHighMem(p));
    set_page_flag(p, PG_slab);
    p->slab_cache = c;
    p->inuse = 0;
    // Chain the slots in address order.
    auto* base = static_cast<u8*>(slab_base(p));
    p->freelist = base;
    for (unsigned i = 0; i < c->objects; ++i) {
        void* obj = base + i * c->size;
        set_free(obj, i + 1 < c->objects ? base + (i + 1) * c->size : nullptr);
        poison_object(c, obj);
    }
    return p;
}

void discard_slab(kmem_cache* c, page* p) {
    clear_page_flag(p, PG_slab);
    p->slab_cache = nullptr;
    p->freelist = nullptr;
    INIT_LIST_HEAD(&p->lru);
    --c->nr_slabs;
    __free_pages(p, c->order);
}

// The slab holding obj, or nullptr for a pointer that is not the start of a
// slot of c.
page* object_slab(const kmem_cache* c, const void* obj) {
    // A slab is one buddy block, naturally aligned: its first page's struct
    // page describes it, whichever of its pages obj lies in.
    auto block = reinterpret_cast<unsigned long>(obj) & ~((PAGE_SIZE << c->order) - 1);
    page* p = virt_to_page(reinterpret_cast<const void*>(block));
    auto offset = reinterpret_cast<unsigned long>(obj) - reinterpret_cast<unsigned long>(slab_base(p));
    if (!PageSlab(p) || p->slab_cache != c || offset % c->size || offset / c->size >= c->objects) return nullptr;
    return p;
}

}  // namespace

void kmem_cache_init() {
    for (unsigned i = 0; i < NR_KMALLOC; ++i) init_cache(&kmalloc_caches[i], kmalloc_names[i], kmalloc_sizes[i], 8);
    init_cache(&cache_cache, "kmem_cache", sizeof(kmem_cache), 8);
    slab_ready = true;
}

kmem_cache* kmem_cache_create(const char* name, unsigned size, unsigned align) {
    BUG_ON(!slab_ready || size == 0 || size > PAGE_SIZE || (align & (align - 1)));
    auto* c = static_cast<kmem_cache*>(kmem_cache_alloc(&cache_cache, GFP_KERNEL));
    if (!c) return nullptr;
    init_cache(c, name, size, align);
    return c;
}

void kmem_cache_destroy(kmem_cache* c) {
    if (!c) return;
    unsigned long flags = spin_lock_irqsave(&c->lock);
    if (c->active_objects || !list_empty(&c->full)) {
        spin_unlock_irqrestore(&c->lock, flags);
        WARN(true, "kmem_cache_destroy %s: %lu objects still in use\n", c->name, c->active_objects);
        return;
    }
    page *p, *n;
    list_for_each_entry_safe(p, n, &c->partial, slab_list) {
        list_del(&p->slab_list);
        discard_slab(c, p);
    }
    spin_unlock_irqrestore(&c->lock, flags);
    {
        SpinLockIrqSaveGuard guard(slab_caches_lock);
        list_del(&c->list);
    }
    kmem_cache_free(&cache_cache, c);
}

void* kmem_cache_alloc(kmem_cache* c, gfp_t gfp) {
    BUG_ON(gfp & __GFP_HIGHMEM);  // slab memory must have a permanent address
    if (gfpflags_allow_blocking(gfp)) might_sleep();
    unsigned long flags = spin_lock_irqsave(&c->lock);
    if (list_empty(&c->partial)) {
        // A new slab comes from the page allocator, which may sleep: not
        // under our lock. Another thread may add a slab meanwhile; both stay.
        spin_unlock_irqrestore(&c->lock, flags);
        page* fresh = new_slab(c, gfp);
        if (!fresh) {
            if (!(gfp & __GFP_NOWARN)) printk("%s: cannot allocate a slab (order %u)\n", c->name, c->order);
            return nullptr;
        }
        flags = spin_lock_irqsave(&c->lock);
        list_add(&fresh->slab_list, &c->partial);
        ++c->nr_slabs;
    }
    page* p = list_first_entry(&c->partial, page, slab_list);
    void* obj = p->freelist;
    BUG_ON(!obj);
    check_poison(c, obj);
    p->freelist = get_free(obj);
    ++p->inuse;
    ++c->active_objects;
    if (!p->freelist) list_move(&p->slab_list, &c->full);
    spin_unlock_irqrestore(&c->lock, flags);
    if (gfp & __GFP_ZERO) memset(obj, 0, c->object_size);
    return obj;
}

void* kmem_cache_zalloc(kmem_cache* c, gfp_t gfp) { return kmem_cache_alloc(c, gfp | __GFP_ZERO); }

void kmem_cache_free(kmem_cache* c, void* obj) {
    if (!obj) return;
    unsigned long flags = spin_lock_irqsave(&c->lock);
    page* p = object_slab(c, obj);
    bool double_free = false;
    for (void* f = p ? p->freelist : nullptr; f && !double_free; f = get_free(f)) double_free = f == obj;
    if (!p || double_free) {
        // Report outside the lock: the oops ends this thread.
        spin_unlock_irqrestore(&c->lock, flags);
        if (double_free) printk("BUG %s: double free of object %p\n", c->name, obj);
        else printk("BUG %s: freeing %p, which is not an object of this cache\n", c->name, obj);
        BUG();
    }
    bool was_full = p->freelist == nullptr;
    poison_object(c, obj);
    set_free(obj, p->freelist);
    p->freelist = obj;
    --p->inuse;
    --c->active_objects;
    if (was_full) list_move(&p->slab_list, &c->partial);
    if (p->inuse == 0 && !list_is_singular(&c->partial)) {
        list_del(&p->slab_list);
        discard_slab(c, p);
    }
    spin_unlock_irqrestore(&c->lock, flags);
}

kmem_cache* kmalloc_slab(size_t size) {
    for (unsigned i = 0; i < NR_KMALLOC; ++i)
        if (size <= kmalloc_sizes[i]) return &kmalloc_caches[i];
    return nullptr;
}

void* kmalloc(size_t size, gfp_t gfp) {
    if (size == 0) return nullptr;
    if (kmem_cache* c = kmalloc_slab(size)) return kmem_cache_alloc(c, gfp);
    // Too big for a slab: whole pages, the order remembered in the head page.
    BUG_ON(gfp & __GFP_HIGHMEM);
    unsigned order = get_order(size);
    page* p = alloc_pages(gfp, order);
    if (!p) return nullptr;
    set_page_flag(p, PG_large_kmalloc);
    p->private_ = order;
    return lowmem_page_address(p);
}

void* kcalloc(size_t n, size_t size, gfp_t gfp) {
    if (size && n > ~size_t{0} / size) return nullptr;
    return kzalloc(n * size, gfp);
}

void kfree(const void* obj) {
    if (!obj) return;
    void* o = const_cast<void*>(obj);
    if (!virt_addr_valid(o)) {
        printk("BUG: kfree(%p): not a lowmem address\n", obj);
        BUG();
    }
    page* p = virt_to_page(o);
    if (PageSlab(p)) return kmem_cache_free(p->slab_cache, o);
    if (PageLargeKmalloc(p) && lowmem_page_address(p) == o) {
        clear_page_flag(p, PG_large_kmalloc);
        unsigned order = static_cast<unsigned>(p->private_);
        p->private_ = 0;
        __free_pages(p, order);
        return;
    }
    printk("BUG: kfree(%p): not a kmalloc'd object\n", obj);
    BUG();
}

size_t ksize(const void* obj) {
    page* p = virt_to_page(obj);
    if (PageSlab(p)) return p->slab_cache->size;
    BUG_ON(!PageLargeKmalloc(p));
    return PAGE_SIZE << p->private_;
}

void slabinfo_show() {
    printk("slabinfo: name               active  total  size  slabs  order\n");
    kmem_cache* c;
    SpinLockIrqSaveGuard guard(slab_caches_lock);
    list_for_each_entry(c, &slab_caches, list) {
        printk("slabinfo: %-16s %7lu %6lu %5u %6lu %6u\n", c->name, c->active_objects, c->nr_slabs * c->objects,
               c->size, c->nr_slabs, c->order);
    }
}
