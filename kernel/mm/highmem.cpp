// page_address(): the kernel address of a page. Lowmem pages have one forever
// (the direct map). A highmem page has an address only while something maps
// it; with no kmap in this kernel yet, none is ever mapped, so the answer for
// highmem is always "no address" (nullptr), exactly as Linux answers for an
// unmapped highmem page.
#include <kernel/mm.hpp>

void* page_address(const page* p) {
    if (!PageHighMem(p)) return lowmem_page_address(p);
    return nullptr;
}
