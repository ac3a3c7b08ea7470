#!/usr/bin/env bash
# kernel_layout_test.sh KERNEL_ELF LAYOUT_HPP
# Checks every constant of emu/debug/kernel_layout.hpp against the kernel's own
# debug information, read by gdb from the kernel ELF: if the kernel changes a
# struct the debugger reads (task_struct, kmap_ctrl, zone, paging_geometry, ...),
# this test names the constant and both values. Skipped (77) without gdb.
set -u
elf=$1
layout=$2
command -v gdb >/dev/null || { echo "gdb not found: skipped"; exit 77; }
[[ -f "$elf" ]] || { echo "missing $elf"; exit 1; }

# constant name -> gdb expression giving the kernel's value
checks=(
  "kGeomLastPkmap|(unsigned long)&((paging_geometry*)0)->last_pkmap"
  "kGeomPkmapBase|(unsigned long)&((paging_geometry*)0)->pkmap_base"
  "kLastPkmapMax|sizeof('(anonymous namespace)::pkmap_count')/sizeof(int)"
  "kFixaddrTop|FIXADDR_TOP"
  "kFixKmapBegin|(int)FIX_KMAP_BEGIN"
  "kKmMaxIdx|KM_MAX_IDX"
  "kKmSlotsPerCpu|KM_SLOTS_PER_CPU"
  "kFixApicBaseAfterKmapEnd|(unsigned)FIX_APIC_BASE - (unsigned)FIX_KMAP_END"
  "kPteSize|sizeof(pte_t)"
  "kPtePfnMask|PTE_PFN_MASK"
  "kPtePresent|_PAGE_PRESENT"
  "kListNext|(unsigned long)&((list_head*)0)->next"
  "kTaskState|(unsigned long)&((task_struct*)0)->state"
  "kTaskPid|(unsigned long)&((task_struct*)0)->pid"
  "kTaskComm|(unsigned long)&((task_struct*)0)->comm"
  "kTaskCommLen|sizeof(((task_struct*)0)->comm)"
  "kTaskTasks|(unsigned long)&((task_struct*)0)->tasks"
  "kTaskKmapCtrl|(unsigned long)&((task_struct*)0)->kmap_ctrl"
  "kTaskMm|(unsigned long)&((task_struct*)0)->mm"
  "kTaskCpu|(unsigned long)&((task_struct*)0)->cpu"
  "kTaskOnCpu|(unsigned long)&((task_struct*)0)->on_cpu"
  "kTaskStructSize|sizeof(task_struct)"
  "kKmapCtrlIdx|(unsigned long)&((kmap_ctrl*)0)->idx"
  "kKmapCtrlPteval|(unsigned long)&((kmap_ctrl*)0)->pteval"
  "kMaxNrZones|(int)MAX_NR_ZONES"
  "kMaxOrder|MAX_ORDER"
  "kZoneSize|sizeof(zone)"
  "kZoneName|(unsigned long)&((zone*)0)->name"
  "kZoneWatermark|(unsigned long)&((zone*)0)->_watermark"
  "kZoneStartPfn|(unsigned long)&((zone*)0)->zone_start_pfn"
  "kZoneSpanned|(unsigned long)&((zone*)0)->spanned_pages"
  "kZonePresent|(unsigned long)&((zone*)0)->present_pages"
  "kZoneManaged|(unsigned long)&((zone*)0)->managed_pages"
  "kZoneFree|(unsigned long)&((zone*)0)->free_pages"
  "kZoneFreeArea|(unsigned long)&((zone*)0)->free_area"
  "kFreeAreaSize|sizeof(free_area)"
  "kFreeAreaNrFree|(unsigned long)&((free_area*)0)->nr_free"
  "kNodeZones|(unsigned long)&((pglist_data*)0)->node_zones"
  "kPageStructSize|sizeof(page)"
)

args=()
for c in "${checks[@]}"; do args+=(-ex "p/u ${c#*|}"); done
mapfile -t got < <(gdb -batch -nx "${args[@]}" "$elf" 2>&1)
fail=0
for i in "${!checks[@]}"; do
  name=${checks[$i]%%|*}
  line=${got[$i]:-}
  kernel=${line##*= }
  if [[ ! "$line" =~ ^\$[0-9]+\ =\ [0-9]+$ ]]; then
    echo "FAIL $name: gdb could not evaluate ${checks[$i]#*|}: $line"
    fail=1
    continue
  fi
  # The debugger's value: "inline constexpr u32 NAME = VALUE;" (decimal or hex).
  raw=$(grep -E "constexpr [a-z0-9]+ $name = " "$layout" | sed -E 's/.*= *([0-9a-fA-Fx]+)(ull|u)?;.*/\1/')
  if [[ -z "$raw" ]]; then
    echo "FAIL $name: not found in $layout"
    fail=1
    continue
  fi
  mine=$((raw))
  if [[ "$mine" != "$kernel" ]]; then
    echo "FAIL $name: debugger $mine, kernel $kernel"
    fail=1
  else
    echo "ok   $name = $kernel"
  fi
done
exit $fail
