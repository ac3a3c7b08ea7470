// Kernel awareness: highmem386's pkmap window, each task's kmap_local stack and
// the zones, read from guest memory through the kernel's symbols and the layout
// in kernel_layout.hpp. Reads only (Debugger::read_value: no side effects); a
// missing symbol or unreadable memory is a DebugError naming what is missing.
#pragma once
#include <vector>

#include "debug/debugger_types.hpp"

namespace hm::dbg {

class Debugger;

PkmapView read_pkmap(const Debugger& d);
std::vector<TaskView> read_tasks(const Debugger& d);
KmapLocalPlace read_kmap_local_place(const Debugger& d);
std::vector<ZoneView> read_zones(const Debugger& d);

}  // namespace hm::dbg
