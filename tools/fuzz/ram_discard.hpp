// Returning guest RAM to the host between fuzz inputs (fuzz_machine.hpp,
// target_cpu.cpp): an input leaves a few pages written; zeroing all of RAM with
// memset, or letting the snapshot reader compare every page the host holds,
// costs what RAM is, not what the input touched.
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "mem/phys_memory.hpp"

namespace hm::fuzz {

// Returns the pages of guest RAM the host holds, except `keep` (ascending
// physical addresses), to the host: they read as zeros again. The mapping stays
// (host pointers into RAM remain valid). mincore(2) finds the resident pages,
// so the cost follows what the last input touched. False if the host could not
// tell or refused: the caller must then clear RAM itself.
inline bool discard_ram(PhysicalMemory& ram, const std::vector<u64>& keep = {}) {
    static std::vector<unsigned char> resident;
    if (::sysconf(_SC_PAGESIZE) != static_cast<long>(kPageSize)) return false;
    bool ok = true;
    size_t k = 0;
    for (const RamRange& r : ram.ranges()) {
        u8* base = ram.host(PhysAddr{r.base});
        const u64 pages = r.size / kPageSize;
        if (!base || reinterpret_cast<uintptr_t>(base) % kPageSize != 0 || r.size % kPageSize != 0) return false;
        resident.resize(pages);
        if (::mincore(base, pages * kPageSize, resident.data()) != 0) return false;
        u64 run = 0, run_len = 0;  // a run of pages to discard, in one call
        auto flush = [&] {
            if (run_len && ::madvise(base + run * kPageSize, run_len * kPageSize, MADV_DONTNEED) != 0) ok = false;
            run_len = 0;
        };
        for (u64 i = 0; i < pages; ++i) {
            const u64 pa = r.base + i * kPageSize;
            while (k < keep.size() && keep[k] < pa) ++k;
            const bool kept = k < keep.size() && keep[k] == pa;
            if ((resident[i] & 1) && !kept) {
                if (!run_len) run = i;
                ++run_len;
            } else {
                flush();
            }
        }
        flush();
    }
    return ok;
}

}  // namespace hm::fuzz
