// What the debugger knows about highmem386's kernel data structures, in one
// place. Each constant mirrors a kernel definition (named beside it); the kernel
// is compiled for i686 (4-byte pointers, u64 aligned to 4 inside structs).
// emu/debug/tests/kernel_layout_test.sh checks every value against the kernel's
// own debug information (gdb on build/kernel.elf), so a layout change in the
// kernel fails that test instead of silently misleading the debugger.
#pragma once
#include "core/types.hpp"

namespace hm::dbg::klayout {

// Symbols (C++ names; statics in anonymous namespaces are found by short name).
inline constexpr const char* kSymPkmapCount = "pkmap_count";      // mm/highmem.cpp: int pkmap_count[LAST_PKMAP_MAX]
inline constexpr const char* kSymLastPkmapNr = "last_pkmap_nr";   // mm/highmem.cpp: unsigned last_pkmap_nr
inline constexpr const char* kSymPaging = "paging";               // asm/layout.hpp: const paging_geometry* paging
inline constexpr const char* kSymCurrentTask = "current_task";    // kernel/sched.hpp: task_struct* current_task
inline constexpr const char* kSymInitTask = "init_task";          // kernel/sched.hpp: task_struct init_task (pid 0, not on the list)
inline constexpr const char* kSymApIdleTasks = "ap_idle_tasks";  // smpboot.cpp: task_struct ap_idle_tasks[NR_CPUS] (swapper/N, N > 0; not on all_tasks)
inline constexpr const char* kSymAllTasks = "all_tasks";          // sched/kthread.cpp: list_head all_tasks (every other task, via task_struct::tasks)
inline constexpr const char* kSymNodeData = "contig_page_data";   // kernel/mmzone.hpp: pglist_data contig_page_data
inline constexpr const char* kSymMemMap = "mem_map";              // mm/mm_init.cpp: page* mem_map (struct page of pfn 0)

// kernel/mm_types.hpp: struct page (static_assert(sizeof(page) == 32) there)
inline constexpr u32 kPageStructSize = 32;

// asm/layout.hpp: struct paging_geometry
inline constexpr u32 kGeomLastPkmap = 16;  // unsigned last_pkmap
inline constexpr u32 kGeomPkmapBase = 20;  // unsigned long pkmap_base
inline constexpr u32 kLastPkmapMax = 1024; // LAST_PKMAP_MAX

// asm/layout.hpp: the fixmap (enum fixed_addresses, FIXADDR_TOP, KM_MAX_IDX)
inline constexpr u32 kFixaddrTop = 0xFFFFF000;
inline constexpr u32 kFixKmapBegin = 1;
inline constexpr u32 kKmMaxIdx = 16;
// KM_SLOTS_PER_CPU: each CPU's block of slots (KM_MAX_IDX_DEBUG, room for the
// guard slots); FIX_KMAP_END = FIX_KMAP_BEGIN + KM_SLOTS_PER_CPU * NR_CPUS - 1,
// and FIX_APIC_BASE = FIX_KMAP_END + 1 (kmap_local_layout.hpp counts the blocks by it).
inline constexpr u32 kKmSlotsPerCpu = 33;
inline constexpr u32 kFixApicBaseAfterKmapEnd = 1;  // FIX_APIC_BASE - FIX_KMAP_END
inline constexpr const char* kSymDebugKmapLocal = "debug_kmap_local";  // mm/kmap_local.cpp: bool (guard slots)
inline constexpr u32 fix_to_virt(u32 idx) { return kFixaddrTop - (idx << 12); }

// asm/pgtable.hpp: struct pte_t { u64 val; }, PTE_PFN_MASK, _PAGE_PRESENT
inline constexpr u32 kPteSize = 8;
inline constexpr u64 kPtePfnMask = 0x000FFFFFFFFFF000ull;
inline constexpr u64 kPtePresent = 1;

// kernel/list.hpp: struct list_head { list_head* next; list_head* prev; }
inline constexpr u32 kListNext = 0;

// kernel/sched.hpp: struct task_struct
inline constexpr u32 kTaskState = 0;      // volatile unsigned state
inline constexpr u32 kTaskPid = 16;       // int pid
inline constexpr u32 kTaskComm = 20;      // char comm[TASK_COMM_LEN]
inline constexpr u32 kTaskCommLen = 16;   // TASK_COMM_LEN
inline constexpr u32 kTaskTasks = 52;     // list_head tasks
inline constexpr u32 kTaskKmapCtrl = 120; // kmap_ctrl kmap_ctrl
inline constexpr u32 kTaskMm = 256;       // mm_struct* mm (nullptr: kernel thread)
inline constexpr u32 kTaskCpu = 820;      // unsigned cpu (the CPU it runs on, or last ran on)
inline constexpr u32 kTaskStructSize = 836;  // sizeof(task_struct)
inline constexpr u32 kTaskOnCpu = 824;    // volatile u32 on_cpu (running on 'cpu')
// kernel/sched.hpp: struct kmap_ctrl { unsigned idx; pte_t pteval[KM_MAX_IDX]; }
inline constexpr u32 kKmapCtrlIdx = 0;
inline constexpr u32 kKmapCtrlPteval = 4;

// kernel/mmzone.hpp: struct zone, struct free_area, struct pglist_data
inline constexpr u32 kMaxNrZones = 3;     // MAX_NR_ZONES
inline constexpr u32 kMaxOrder = 11;      // MAX_ORDER
inline constexpr u32 kZoneSize = 196;     // sizeof(zone)
inline constexpr u32 kZoneName = 0;       // const char* name
inline constexpr u32 kZoneWatermark = 4;  // unsigned long _watermark[NR_WMARK]
inline constexpr u32 kZoneStartPfn = 28;  // unsigned long zone_start_pfn
inline constexpr u32 kZoneSpanned = 32;   // spanned_pages
inline constexpr u32 kZonePresent = 36;   // present_pages
inline constexpr u32 kZoneManaged = 40;   // managed_pages
inline constexpr u32 kZoneFree = 44;      // free_pages
inline constexpr u32 kZoneFreeArea = 48;  // free_area free_area[MAX_ORDER]
inline constexpr u32 kFreeAreaSize = 12;  // sizeof(free_area)
inline constexpr u32 kFreeAreaNrFree = 8; // unsigned long nr_free
inline constexpr u32 kNodeZones = 0;      // pglist_data::node_zones

}  // namespace hm::dbg::klayout
