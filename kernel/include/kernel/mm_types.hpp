// struct page: one per physical page frame, in the mem_map array (which lives in
// lowmem, even for highmem pages: that is what caps usable RAM on i386).
//
// The zone a page belongs to is encoded in the top bits of flags, as in Linux,
// so page_zone() needs no lookup. There is no "virtual" field: a lowmem page's
// address is arithmetic (page_address), and a highmem page's temporary
// address lives in the kmap code's hash (Linux's HASHED_PAGE_VIRTUAL on x86).
#pragma once
#include <kernel/list.hpp>
#include <kernel/types.hpp>

struct kmem_cache;

struct page {
    unsigned long flags;  // PG_* bits below; zone number in the top ZONES_WIDTH bits
    int _refcount;        // 0: free (or a tail page of a block)
    int _mapcount;        // -1: not mapped into any user address space
    union {
        struct {                    // buddy allocator and page owners
            list_head lru;          // free_area list while PageBuddy
            unsigned long private_; // buddy: order of the free block; kmalloc_large: order
        };
        struct {                    // slab (kmalloc) pages
            kmem_cache* slab_cache;
            void* freelist;         // first free object
            list_head slab_list;    // the cache's partial or full list
            unsigned inuse;         // objects handed out
        };
    };
};
static_assert(sizeof(page) == 32, "struct page: 32 bytes, like Linux on i386");

// A folio: 2^order physically contiguous pages handled as one unit, named by
// its first (head) page; Linux's struct folio overlays struct page the same way.
struct folio {
    page head;
};

// Page flags (bit numbers).
enum pageflags : unsigned {
    PG_reserved,       // not managed by the buddy allocator (kernel image, holes, mem_map...)
    PG_buddy,          // free, heading a block on a free_area list
    PG_slab,           // owned by a slab cache
    PG_large_kmalloc,  // head of a kmalloc() block too big for the slab caches
    __NR_PAGEFLAGS
};

constexpr unsigned ZONES_WIDTH = 2;
constexpr unsigned ZONES_PGSHIFT = 32 - ZONES_WIDTH;
constexpr unsigned long ZONES_MASK = (1ul << ZONES_WIDTH) - 1;
static_assert(__NR_PAGEFLAGS <= ZONES_PGSHIFT);

inline bool test_page_flag(const page* p, pageflags f) { return p->flags & (1ul << f); }
inline void set_page_flag(page* p, pageflags f) { p->flags |= 1ul << f; }
inline void clear_page_flag(page* p, pageflags f) { p->flags &= ~(1ul << f); }

inline bool PageReserved(const page* p) { return test_page_flag(p, PG_reserved); }
inline bool PageBuddy(const page* p) { return test_page_flag(p, PG_buddy); }
inline bool PageSlab(const page* p) { return test_page_flag(p, PG_slab); }
inline bool PageLargeKmalloc(const page* p) { return test_page_flag(p, PG_large_kmalloc); }

inline int page_ref_count(const page* p) { return p->_refcount; }
inline void set_page_count(page* p, int v) { p->_refcount = v; }
inline void get_page(page* p) { __atomic_add_fetch(&p->_refcount, 1, __ATOMIC_RELAXED); }  // any CPU
// Drops a reference; true when it was the last one.
inline bool put_page_testzero(page* p) { return __atomic_sub_fetch(&p->_refcount, 1, __ATOMIC_ACQ_REL) == 0; }
