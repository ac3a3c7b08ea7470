#include "debug/kernel_view.hpp"

#include <algorithm>

#include "debug/debugger.hpp"
#include "debug/kernel_layout.hpp"
#include "debug/kmap_local_layout.hpp"
#include "debug/linux_view.hpp"
#include "debug/pkmap_slots.hpp"

namespace hm::dbg {

namespace kl = klayout;

namespace {

// The kernel's variables live at virtual addresses: nothing to read before paging.
void require_paging(const Debugger& d) {
    if (d.registers().paging != PagingMode::None) return;
    if (d.cpu_count() > 1) {
        // -smp N: the views read through the selected CPU's page tables.
        const CpuState& st = const_cast<Debugger&>(d).machine().cpu_state(d.selected_cpu());
        throw DebugError("paging is not on on cpu " + std::to_string(d.selected_cpu()) +
                         (st.wait_for_sipi ? " (it waits for its SIPI)" : "") +
                         ": the kernel's variables are not mapped at their virtual addresses there (select a CPU that "
                         "runs the kernel: cpu N)");
    }
    throw DebugError("paging is not on yet: the kernel's variables are not mapped at their virtual addresses");
}

u32 symbol(const Debugger& d, const char* name) {
    if (d.symbols().empty()) throw DebugError(std::string("no kernel symbols loaded (need '") + name + "'): load the kernel ELF first (sym-file)");
    const auto a = d.symbols().address_of(name);
    if (!a) throw DebugError(std::string("the kernel has no symbol '") + name + "' (not a highmem386 kernel?)");
    return *a;
}

u32 rd32(const Debugger& d, u32 addr) { return static_cast<u32>(d.read_value(Space::Linear, addr, 4)); }
u64 rd64(const Debugger& d, u32 addr) { return d.read_value(Space::Linear, addr, 8); }

std::string read_cstring(const Debugger& d, u32 addr, u32 max) {
    MemoryBytes m = d.read_memory(Space::Linear, addr, max);
    std::string s;
    for (u32 i = 0; i < max && m.valid[i] && m.bytes[i]; ++i) s += static_cast<char>(m.bytes[i]);
    return s;
}

}  // namespace

PkmapView read_pkmap(const Debugger& d) {
    if (is_linux_kernel(d)) return read_linux_pkmap(d);
    const u32 geom_ptr = symbol(d, kl::kSymPaging);
    require_paging(d);
    PkmapView v;
    const u32 geom = rd32(d, geom_ptr);
    if (geom == 0) throw DebugError("the kernel has not chosen its paging mode yet (paging == nullptr)");
    v.last_pkmap = rd32(d, geom + kl::kGeomLastPkmap);
    v.pkmap_base = rd32(d, geom + kl::kGeomPkmapBase);
    if (v.last_pkmap == 0 || v.last_pkmap > kl::kLastPkmapMax) {
        throw DebugError("LAST_PKMAP reads " + std::to_string(v.last_pkmap) + ": the kernel's layout does not match the debugger's");
    }
    v.last_pkmap_nr = rd32(d, symbol(d, kl::kSymLastPkmapNr));
    const u32 counts = symbol(d, kl::kSymPkmapCount);
    read_pkmap_slots(d, v, counts, rd32(d, symbol(d, kl::kSymMemMap)), kl::kPageStructSize);
    return v;
}

KmapLocalPlace read_kmap_local_place(const Debugger& d) {
    require_paging(d);
    const Machine& m = const_cast<Debugger&>(d).machine();
    const unsigned cpu = d.selected_cpu();
    // debug_kmap_local's guard slots (a kernel without the option has no symbol).
    const auto guard_sym = d.symbols().address_of(kl::kSymDebugKmapLocal);
    const bool guard = guard_sym && (d.read_value(Space::Linear, *guard_sym, 1) & 0xFF) != 0;
    auto pte_phys = [&](u32 vaddr) -> std::optional<u64> {
        const WalkView w = d.walk(vaddr);
        if (w.levels.empty() || !w.levels.back().bits.present || !w.mapped) return std::nullopt;
        return w.frame;
    };
    u64 apic = m.cpu_state(cpu).msr.apic_base & ~u64{0xFFF};
    if (apic == 0) apic = 0xFEE00000;  // the architectural default
    const KmapLocalLayout layout = find_kmap_local_layout(pte_phys, apic, guard, kMaxCpus);
    const KmapLocalBlock b = kmap_local_block_of(layout, cpu, d.cpu_count());
    KmapLocalPlace p;
    p.cpu = cpu;
    p.block = b.block;
    p.blocks = layout.blocks;
    p.blocks_found = layout.blocks_found;
    p.guard_slots = layout.guard_slots;
    p.note = b.note;
    return p;
}

std::vector<TaskView> read_tasks(const Debugger& d) {
    if (is_linux_kernel(d)) return read_linux_kmap_local(d);
    const u32 init = symbol(d, kl::kSymInitTask);
    const u32 head = symbol(d, kl::kSymAllTasks);
    const u32 current_ptr = symbol(d, kl::kSymCurrentTask);
    require_paging(d);
    const u32 current = rd32(d, current_ptr);
    const TlbIndex tlbs(d);
    const KmapLocalPlace place = read_kmap_local_place(d);
    KmapLocalLayout layout;
    layout.blocks = place.blocks;
    layout.blocks_found = place.blocks_found;
    layout.guard_slots = place.guard_slots;
    const bool smp = d.cpu_count() > 1;
    auto read_task = [&](u32 task) {
        TaskView t;
        t.addr = task;
        t.pid = static_cast<int>(rd32(d, task + kl::kTaskPid));
        t.comm = read_cstring(d, task + kl::kTaskComm, kl::kTaskCommLen);
        t.state = rd32(d, task + kl::kTaskState);
        // A task's kmap_local slots live in the block of the CPU it last ran on:
        // migrate_disable() keeps a task holding slots there (docs/kernel.md, "SMP").
        const u32 task_cpu = rd32(d, task + kl::kTaskCpu);
        const bool running = rd32(d, task + kl::kTaskOnCpu) != 0;
        if (smp) {
            t.runs_on = running ? static_cast<int>(task_cpu) : -1;
            t.current = running && task_cpu == d.selected_cpu();
        } else {
            t.current = task == current;
        }
        t.slot_cpu = smp && task_cpu < place.blocks ? task_cpu : place.block;
        t.kthread = rd32(d, task + kl::kTaskMm) == 0;
        const u32 ctrl = task + kl::kTaskKmapCtrl;
        t.kmap_idx = rd32(d, ctrl + kl::kKmapCtrlIdx);
        const unsigned depth = std::min(t.kmap_idx, kl::kKmMaxIdx);
        for (unsigned i = 0; i < depth; ++i) {
            KmapLocalSlot s;
            s.depth = i;
            s.vaddr = kmap_local_slot_vaddr(layout, t.slot_cpu, i);
            s.pteval = rd64(d, ctrl + kl::kKmapCtrlPteval + i * kl::kPteSize);
            s.phys = s.pteval & kl::kPtePfnMask;
            const WalkView w = d.walk(s.vaddr);
            // Installed: the fixmap PTE holds this task's saved value (only the running
            // task's slots are; a switch tears them down and puts them back).
            const u64 now = w.levels.empty() ? 0 : w.levels.back().value;
            const u64 mask = w.mode == PagingMode::Pae ? ~u64{0} : 0xFFFFFFFFull;
            s.installed = (s.pteval & kl::kPtePresent) && w.mapped && (now & mask) == (s.pteval & mask);
            s.in_dtlb = TlbIndex::find(tlbs.dtlb, s.vaddr) != nullptr;
            t.kmap_local.push_back(s);
        }
        return t;
    };
    std::vector<TaskView> out{read_task(init)};
    u32 node = rd32(d, head + kl::kListNext);
    for (unsigned n = 0; node != head; ++n) {
        if (n >= 4096) throw DebugError("the task list does not end after 4096 tasks (corrupt?)");
        if (node < 0xC0000000u) throw DebugError("the task list is corrupt (a link points below PAGE_OFFSET)");
        out.push_back(read_task(node - kl::kTaskTasks));
        node = rd32(d, node + kl::kListNext);
    }
    // The APs' idle threads are on no list; an AP's kmap_local in interrupt
    // context (a call-function IPI) belongs to the one it interrupted.
    if (smp) {
        if (const auto idle = d.symbols().address_of(kl::kSymApIdleTasks)) {
            for (unsigned cpu = 1; cpu < std::min(d.cpu_count(), place.blocks); ++cpu) {
                const u32 task = static_cast<u32>(*idle) + cpu * kl::kTaskStructSize;
                if (rd32(d, task + kl::kTaskCpu) != cpu || read_cstring(d, task + kl::kTaskComm, 1).empty()) continue;
                out.push_back(read_task(task));  // brought up (boot_cpu filled it in)
            }
        }
    }
    return out;
}

std::vector<ZoneView> read_zones(const Debugger& d) {
    if (is_linux_kernel(d)) read_linux_zones(d);
    const u32 node = symbol(d, kl::kSymNodeData);
    require_paging(d);
    std::vector<ZoneView> out;
    for (u32 z = 0; z < kl::kMaxNrZones; ++z) {
        const u32 a = node + kl::kNodeZones + z * kl::kZoneSize;
        ZoneView v;
        const u32 name = rd32(d, a + kl::kZoneName);
        v.name = name ? read_cstring(d, name, 32) : "";
        for (u32 w = 0; w < 3; ++w) v.watermark[w] = rd32(d, a + kl::kZoneWatermark + w * 4);
        v.start_pfn = rd32(d, a + kl::kZoneStartPfn);
        v.spanned = rd32(d, a + kl::kZoneSpanned);
        v.present = rd32(d, a + kl::kZonePresent);
        v.managed = rd32(d, a + kl::kZoneManaged);
        v.free = rd32(d, a + kl::kZoneFree);
        for (u32 o = 0; o < kl::kMaxOrder; ++o) v.nr_free[o] = rd32(d, a + kl::kZoneFreeArea + o * kl::kFreeAreaSize + kl::kFreeAreaNrFree);
        out.push_back(v);
    }
    return out;
}

}  // namespace hm::dbg
