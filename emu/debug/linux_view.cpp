#include "debug/linux_view.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "debug/debugger.hpp"
#include "debug/pkmap_slots.hpp"

namespace hm::dbg {

namespace {

std::string hex(u64 v, int width = 8) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%0*llx", width, static_cast<unsigned long long>(v));
    return b;
}

constexpr u32 kPageOffset = 0xC0000000;  // the 3G/1G split of Debian's i386 kernels

u32 symbol(const Debugger& d, const std::string& name) {
    const auto a = d.symbols().address_of(name);
    if (!a) throw DebugError("the Linux kernel's System.map has no symbol '" + name + "'");
    return *a;
}

void require_paging(const Debugger& d) {
    if (d.registers().paging == PagingMode::None) {
        throw DebugError("paging is not on yet: Linux's variables are not mapped at their virtual addresses");
    }
}

u32 rd32(const Debugger& d, u32 addr) { return static_cast<u32>(d.read_value(Space::Linear, addr, 4)); }

// A function-local static is "name.N" in System.map (GCC's suffix); a global is "name".
u32 static_symbol(const Debugger& d, const std::string& name) {
    if (auto a = d.symbols().address_of(name)) return *a;
    for (int n = 0; n < 100; ++n) {
        if (auto a = d.symbols().address_of(name + "." + std::to_string(n))) return *a;
    }
    throw DebugError("the Linux kernel's System.map has no symbol '" + name + "' (nor '" + name + ".N')");
}

// PKMAP_BASE: the linear address whose page table is pkmap_page_table. Linux
// computes it from the fixmap's size; finding the page table in the live tables
// needs none of that arithmetic and also proves the window is where the pointer says.
u32 find_pkmap_base(const Debugger& d, u32 table_virt) {
    const auto table_phys = d.translate(table_virt);
    if (!table_phys) throw DebugError("pkmap_page_table (" + hex(table_virt) + ") is not mapped");
    const u32 step = d.registers().paging == PagingMode::Pae ? (2u << 20) : (4u << 20);
    for (u64 lin = kPageOffset; lin < (u64{1} << 32); lin += step) {
        const WalkView w = d.walk(static_cast<u32>(lin));
        for (const WalkLevel& l : w.levels) {
            if (std::string(l.name) == "PTE" && l.index == 0 && l.entry_addr == *table_phys) return static_cast<u32>(lin);
        }
    }
    throw DebugError("no page directory entry points at pkmap_page_table's page (" + hex(*table_phys, 9) +
                     "): kmap's page table is not installed yet");
}

struct KmapLocalLayout {
    u32 ctrl_offset = 0;      // offsetof(task_struct, kmap_ctrl); idx first, pteval[] 4 bytes on
    u32 fix_kmap_begin = 0;   // FIX_KMAP_BEGIN
    u32 km_max_idx = 0;       // KM_MAX_IDX
};

// __kmap_local_sched_out starts (after the ftrace call and the prologue) with
//   mov %fs:current_task, %reg        64 8B modrm(00 reg 101) disp32
//   mov OFF(%reg), %eax               8B modrm(10 r reg) disp32      OFF = kmap_ctrl.idx
// and computes each slot's fixmap index as
//   shl $LOG2(KM_MAX_IDX), %r         C1 modrm(11 100 r) imm8        (cpu * KM_MAX_IDX)
//   lea FIX_KMAP_BEGIN(%r), %r2       8D modrm(01 r2 r) disp8
// Reading the offsets out of the kernel's code ties them to this very build.
KmapLocalLayout kmap_local_layout(const Debugger& d) {
    const u32 fn = symbol(d, "__kmap_local_sched_out");
    const u32 current = symbol(d, "current_task");
    constexpr u32 kLen = 128;
    const MemoryBytes m = d.read_memory(Space::Linear, fn, kLen);
    if (!m.all_valid()) throw DebugError("cannot read __kmap_local_sched_out's code: " + m.error);
    const auto& b = m.bytes;
    auto le32 = [&](u32 i) { return u32{b[i]} | (u32{b[i + 1]} << 8) | (u32{b[i + 2]} << 16) | (u32{b[i + 3]} << 24); };
    const char* shape = " in __kmap_local_sched_out's code (not Debian 12's 6.1 686-pae kernel?): kmap-local cannot read it";
    KmapLocalLayout out;
    std::optional<u32> reg, after;
    for (u32 i = 0; i + 7 <= kLen && !reg; ++i) {
        if (b[i] == 0x64 && b[i + 1] == 0x8B && (b[i + 2] & 0xC7) == 0x05 && le32(i + 3) == current) {
            reg = (b[i + 2] >> 3) & 7;
            after = i + 7;
        }
    }
    if (!reg) throw DebugError(std::string("no load of current_task") + shape);
    bool found = false;
    for (u32 i = *after; i + 6 <= kLen && !found; ++i) {
        if (b[i] == 0x8B && (b[i + 1] >> 6) == 2 && (b[i + 1] & 7) == *reg && *reg != 4) {
            out.ctrl_offset = le32(i + 2);
            found = true;
        }
    }
    if (!found || out.ctrl_offset > 0x4000) throw DebugError(std::string("no load of current->kmap_ctrl.idx") + shape);
    found = false;
    for (u32 i = 0; i + 6 <= kLen && !found; ++i) {
        if (b[i] == 0xC1 && (b[i + 1] & 0xF8) == 0xE0 && b[i + 2] < 8) {
            const u32 r = b[i + 1] & 7;
            for (u32 j = i + 3; j + 3 <= std::min(kLen, i + 16) && !found; ++j) {
                if (b[j] == 0x8D && (b[j + 1] >> 6) == 1 && (b[j + 1] & 7) == r && r != 4) {
                    out.km_max_idx = 1u << b[i + 2];
                    out.fix_kmap_begin = b[j + 2];
                    found = true;
                }
            }
        }
    }
    if (!found) throw DebugError(std::string("no fixmap index computation (cpu * KM_MAX_IDX + FIX_KMAP_BEGIN)") + shape);
    return out;
}

}  // namespace

// highmem386's kernel has a linux_banner too (it imitates Linux's boot line), but
// not Linux's per-CPU offset table; Linux has no `paging` geometry pointer.
bool is_linux_kernel(const Debugger& d) {
    const SymbolTable& s = d.symbols();
    return s.address_of("linux_banner") && s.address_of("__per_cpu_offset") && !s.address_of("paging");
}

PkmapView read_linux_pkmap(const Debugger& d) {
    const u32 counts = symbol(d, "pkmap_count");
    const u32 table_ptr = symbol(d, "pkmap_page_table");
    const u32 last_nr = static_symbol(d, "last_pkmap_nr");
    const u32 mem_map_ptr = symbol(d, "mem_map");
    require_paging(d);
    PkmapView v;
    // LAST_PKMAP is PTRS_PER_PTE: one page table of slots.
    v.last_pkmap = d.registers().paging == PagingMode::Pae ? 512 : 1024;
    const u32 table = rd32(d, table_ptr);
    if (table == 0) throw DebugError("pkmap_page_table is NULL: Linux has not set up kmap's window yet (permanent_kmaps_init)");
    v.pkmap_base = find_pkmap_base(d, table);
    v.last_pkmap_nr = rd32(d, last_nr);
    read_pkmap_slots(d, v, counts, rd32(d, mem_map_ptr), kLinuxPageStructSize);  // FLATMEM: mem_map[pfn]
    return v;
}

std::vector<TaskView> read_linux_kmap_local(const Debugger& d) {
    const u32 offsets = symbol(d, "__per_cpu_offset");
    const u32 current = symbol(d, "current_task");
    const u32 fixaddr_top_var = symbol(d, "__FIXADDR_TOP");
    require_paging(d);
    const KmapLocalLayout lay = kmap_local_layout(d);
    const bool pae = d.registers().paging == PagingMode::Pae;
    const u32 pte_size = pae ? 8 : 4;
    const u32 fixaddr_top = rd32(d, fixaddr_top_var);
    const TlbIndex tlbs(d);
    std::vector<TaskView> out;
    for (unsigned cpu = 0; cpu < d.cpu_count(); ++cpu) {
        TaskView t;
        t.cpu = static_cast<int>(cpu);
        t.current = true;
        t.pid = -1;  // task_struct's pid offset is not known from System.map
        const u32 task = rd32(d, rd32(d, offsets + cpu * 4) + current);
        if (task < kPageOffset) throw DebugError("CPU " + std::to_string(cpu) + "'s current_task reads " + hex(task) + " (not set up yet?)");
        t.addr = task;
        const u32 ctrl = task + lay.ctrl_offset;
        const u32 idx = rd32(d, ctrl);
        if (idx > lay.km_max_idx) {
            throw DebugError("CPU " + std::to_string(cpu) + ": current->kmap_ctrl.idx reads " + std::to_string(idx) + ", over KM_MAX_IDX " +
                             std::to_string(lay.km_max_idx));
        }
        t.kmap_idx = idx;
        for (unsigned i = 0; i < idx; ++i) {
            KmapLocalSlot s;
            s.depth = i;
            s.vaddr = fixaddr_top - ((lay.fix_kmap_begin + i + lay.km_max_idx * cpu) << 12);
            s.pteval = d.read_value(Space::Linear, ctrl + 4 + i * pte_size, pte_size);
            s.phys = s.pteval & (pae ? 0x000FFFFFFFFFF000ull : 0xFFFFF000ull);
            const WalkView w = d.walk(s.vaddr);
            const u64 now = w.levels.empty() ? 0 : w.levels.back().value;
            s.installed = (s.pteval & 1) && w.mapped && now == s.pteval;
            // The TLB shown is the selected CPU's (`cpu N`); the fixmap slots are per CPU.
            s.in_dtlb = cpu == d.selected_cpu() && TlbIndex::find(tlbs.dtlb, s.vaddr) != nullptr;
            t.kmap_local.push_back(s);
        }
        out.push_back(t);
    }
    return out;
}

void read_linux_zones(const Debugger&) {
    throw DebugError(
        "zones: Linux's struct zone layout depends on the kernel's configuration and a System.map has no types, "
        "so the debugger does not read it (docs/linux.md); Linux's own view: cat /proc/zoneinfo");
}

}  // namespace hm::dbg
