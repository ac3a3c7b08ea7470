// Paging for the bench guests, as the kernel's early boot does it: the first
// 64 MiB identity-mapped with 4 KiB pages (present, writable), so every access
// goes through the modelled TLB and a walk on a miss.
#pragma once
#include "baremetal.hpp"

namespace bench {

inline constexpr uint32_t kMappedBytes = 64u << 20;
inline constexpr uint32_t kPages = kMappedBytes / 4096;

alignas(4096) inline uint32_t page_directory[1024];
alignas(4096) inline uint32_t page_tables[kPages];  // kPages / 1024 tables, contiguous

inline void enable_paging() {
    for (uint32_t i = 0; i < kPages; ++i) page_tables[i] = (i << 12) | 0x3;
    for (uint32_t t = 0; t < kPages / 1024; ++t) {
        page_directory[t] = reinterpret_cast<uint32_t>(&page_tables[t * 1024]) | 0x3;
    }
    asm volatile("mov %0, %%cr3" ::"r"(page_directory) : "memory");
    uint32_t cr0;
    asm volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 |= 0x80000000u;
    asm volatile("mov %0, %%cr0" ::"r"(cr0) : "memory");
}

}  // namespace bench
