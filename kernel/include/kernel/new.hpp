// Placement new, the only form the kernel uses: memory always comes from an
// explicit allocator (kmalloc, alloc_pages, memblock), never from a hidden heap.
#pragma once
#include <stddef.h>

inline void* operator new(size_t, void* where) noexcept { return where; }
inline void* operator new[](size_t, void* where) noexcept { return where; }
