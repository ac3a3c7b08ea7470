// Small-object allocation on lowmem: slab caches of fixed-size objects carved
// from buddy pages, and kmalloc() on top of a set of size classes.
//
// Debugging is always on, because catching misuse is the point of a teaching
// kernel: free objects are poisoned (0x6b) and checked when handed out again
// (a write after free is reported with the cache and offset, the poison
// restored, as SLUB does), and kfree() oopses on pointers that are not the
// start of a live object, including a second free of the same object.
#pragma once
#include <kernel/gfp.hpp>
#include <kernel/list.hpp>
#include <kernel/spinlock.hpp>

constexpr u8 POISON_FREE = 0x6b;
constexpr size_t KMALLOC_MIN_SIZE = 8;
constexpr size_t KMALLOC_MAX_CACHE_SIZE = 2048;  // larger requests go to the page allocator
constexpr unsigned ARCH_KMALLOC_MINALIGN = 8;

struct kmem_cache {
    const char* name;
    unsigned object_size;  // what the user asked for
    unsigned size;         // slot size (aligned)
    unsigned align;
    unsigned order;        // each slab is 2^order pages
    unsigned objects;      // objects per slab
    list_head partial;     // slabs with free objects
    list_head full;        // slabs without
    unsigned long nr_slabs;
    unsigned long active_objects;
    spinlock_t lock;
    list_head list;        // all caches
};

kmem_cache* kmem_cache_create(const char* name, unsigned size, unsigned align);
void kmem_cache_destroy(kmem_cache* cache);
void* kmem_cache_alloc(kmem_cache* cache, gfp_t gfp);
void* kmem_cache_zalloc(kmem_cache* cache, gfp_t gfp);
void kmem_cache_free(kmem_cache* cache, void* obj);

void* kmalloc(size_t size, gfp_t gfp);
inline void* kzalloc(size_t size, gfp_t gfp) { return kmalloc(size, gfp | __GFP_ZERO); }
void* kcalloc(size_t n, size_t size, gfp_t gfp);
void kfree(const void* obj);
// The usable size of a kmalloc'd object (its size class).
size_t ksize(const void* obj);

// The kmalloc cache serving a request of size bytes (nullptr above the slab range).
kmem_cache* kmalloc_slab(size_t size);
void kmem_cache_init();
// One line per cache: objects in use and slabs (like /proc/slabinfo).
void slabinfo_show();
// Writes after free detected since boot.
extern unsigned long slab_corruptions;
