// The RAM pages that hold anything but zeros, in address order: what the state
// hash digests and a snapshot stores. Pages the host never committed read as
// zeros, so mincore(2) lets a large, lightly touched RAM be skipped without
// reading it (an 8 GiB guest that touched 100 MiB costs 100 MiB of reading); a
// committed page of zeros is skipped too, so the result depends on contents,
// never on residency.
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/types.hpp"
#include "mem/phys_memory.hpp"

namespace hm::snap {

// f(physical page address, host pointer, bytes) for every non-zero page.
template <class F>
void for_each_nonzero_page(const PhysicalMemory& ram, F&& f) {
    const long host_page = sysconf(_SC_PAGESIZE);
    const u64 step = host_page > 0 ? static_cast<u64>(host_page) : kPageSize;
    static const u8 zeros[kPageSize] = {};
    std::vector<unsigned char> resident;
    for (const RamRange& r : ram.ranges()) {
        u8* base = ram.host(PhysAddr{r.base});
        if (!base) continue;
        resident.assign((r.size + step - 1) / step, 1);
        // Best effort: if the host cannot tell, every page is read.
        if (reinterpret_cast<uintptr_t>(base) % step != 0 || mincore(base, r.size, resident.data()) != 0) {
            std::fill(resident.begin(), resident.end(), 1);
        }
        for (u64 off = 0; off < r.size; off += kPageSize) {
            if (!(resident[off / step] & 1)) continue;
            u8* page = base + off;
            const u64 n = std::min<u64>(kPageSize, r.size - off);
            if (std::memcmp(page, zeros, n) == 0) continue;
            f(r.base + off, page, n);
        }
    }
}

}  // namespace hm::snap
