// The whole page-table tree for the debugger's map views (info mem, info tlb,
// aliases): every leaf (a 4 KiB page, or a 4 MiB / 2 MiB page) with the rights
// combined over all levels. It is built from the MMU's one pure walk
// (walk_page_tables), called once per present leaf and once per hole, so the map
// can never disagree with what a walk of one address says. Entries are read
// through host pointers only: tables in device memory map nothing.
#pragma once
#include <functional>

#include "mem/bus.hpp"
#include "mmu/page_walk.hpp"

namespace hm::dbg {

struct Leaf {
    u32 lin = 0;
    u64 phys = 0;
    u8 size_log2 = 12;
    bool writable = false, user = false, nx = false, global = false, accessed = false, dirty = false;
    u64 end() const { return u64{lin} + (u64{1} << size_log2); }
};

// Calls f for each leaf overlapping [lo, hi), in increasing linear order.
void scan_page_tables(const PagingState& st, const Bus& bus, u32 lo, u64 hi, const std::function<void(const Leaf&)>& f);

}  // namespace hm::dbg
