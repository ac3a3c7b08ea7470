// Kernel awareness for Linux (Debian 12's 6.1 686-pae kernel, issue 17): the
// `pkmap` and `kmap-local` commands on Linux's own data structures, read through
// its System.map and page tables. A System.map has addresses but no types, so
// nothing here assumes a struct layout it cannot check:
//   pkmap      pkmap_count[] (int per slot), last_pkmap_nr (a function-local
//              static: "last_pkmap_nr.N" in System.map), LAST_PKMAP from the
//              paging mode (512 with PAE, 1024 without: LAST_PKMAP = PTRS_PER_PTE),
//              and PKMAP_BASE found as the linear address whose page table is
//              pkmap_page_table (so no fixmap arithmetic is copied from the kernel);
//   kmap-local the current task of each CPU (per-CPU current_task at
//              __per_cpu_offset[cpu]) and its task_struct::kmap_ctrl, whose offset
//              and FIX_KMAP_BEGIN are read out of the kernel's own compiled
//              __kmap_local_sched_out (a DebugError naming what is missing when
//              the code does not have the expected shape);
//   zones      not read: struct zone's layout depends on the kernel's configuration
//              and nothing in the System.map or the code pins it down (DebugError).
// docs/linux.md, "The debugger on Linux's highmem".
#pragma once
#include <vector>

#include "debug/debugger_types.hpp"

namespace hm::dbg {

class Debugger;

// True when the loaded symbols are a Linux kernel's (linux_banner and
// __per_cpu_offset, and not highmem386's `paging`).
bool is_linux_kernel(const Debugger& d);

PkmapView read_linux_pkmap(const Debugger& d);
std::vector<TaskView> read_linux_kmap_local(const Debugger& d);
[[noreturn]] void read_linux_zones(const Debugger& d);

// sizeof(struct page) in Debian's 6.1 686-pae kernel: kmap_high's page_to_pfn
// divides by it (sar $3, then imul by 0xcccccccd, the inverse of 5: 40 bytes).
// linux.pkmap checks it: the page column of the slot kmap_high returned is the
// struct page kmap_high was called with.
inline constexpr u32 kLinuxPageStructSize = 40;

}  // namespace hm::dbg
