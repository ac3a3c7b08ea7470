// kmap-local per CPU on the real kernel (ktest.elf): each task's slots are shown
// in the block of the CPU it runs on or last ran on (migrate_disable keeps a task
// holding slots there), whichever CPU is selected; the kernel's block count comes from the fixmap
// (FIX_APIC_BASE after the last block); a CPU the kernel has no block for
// reads block 0 with a note; debug_kmap_local's guard slots are followed.
#include <catch2/catch.hpp>

#include "debug/kernel_layout.hpp"
#include "session.hpp"

using namespace hm;
using namespace hm::dbg;
using namespace hm::dbg::test;

namespace {
bool has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }

// Runs to kunmap_local_indexed with the running task holding three mappings.
const TaskView* stop_with_three(Session& s, std::vector<TaskView>& tasks) {
    s.dbg->add_breakpoint(Space::Linear, s.sym("kunmap_local_indexed"));
    const TaskView* cur = nullptr;
    for (int hits = 0; hits < 200; ++hits) {
        REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
        tasks = s.dbg->tasks();
        cur = nullptr;
        for (const TaskView& t : tasks) {
            if (t.current) cur = &t;
        }
        REQUIRE(cur != nullptr);
        if (cur->kmap_idx >= 3) break;
    }
    REQUIRE(cur->kmap_idx >= 3);
    return cur;
}
}  // namespace

// The kernel's NR_CPUS (kernel/arch/x86/include/asm/layout.hpp): its fixmap has
// that many blocks whatever -smp says.
constexpr unsigned kKernelNrCpus = 8;

TEST_CASE("kmap-local at -smp 2: each CPU reads its own of the kernel's blocks", "[debugger][kernel][smp]") {
    // `apic`: the kernel maps its local APIC at FIX_APIC_BASE, after the last
    // block, and brings CPU 1 up; ktest pins this case to CPU 0 (docs/kernel.md, "SMP").
    Session s("guest/ktest.elf",
              "force_highmem=32M apic ktest=kmap_local.nests_in_fixmap_slots_lifo_with_preemption_on", 64 * kMiB, 2);
    std::vector<TaskView> tasks;
    const TaskView* cur = stop_with_three(s, tasks);
    REQUIRE(s.dbg->selected_cpu() == 0);
    const KmapLocalPlace p0 = s.dbg->kmap_local_place();
    CHECK(p0.blocks_found);
    CHECK(p0.blocks == kKernelNrCpus);
    CHECK(p0.block == 0);
    CHECK(p0.note.empty());
    const size_t depth = cur->kmap_local.size();
    const KmapLocalSlot& top = cur->kmap_local.back();
    CHECK(top.installed);
    CHECK(top.vaddr == klayout::fix_to_virt(klayout::kFixKmapBegin + static_cast<u32>(cur->kmap_idx - 1)));
    std::string out = s.run("kmap-local");
    CHECK(has(out, "cpu 0: fixmap block 0 of " + std::to_string(kKernelNrCpus) + "\n"));
    CHECK(has(out, "installed"));

    // From CPU 1 the task is not current, but its slots are still where they
    // are installed: in the block of the CPU it runs on (0), not the selected one.
    const u32 task = cur->addr;
    s.run("cpu 1");
    const KmapLocalPlace p1 = s.dbg->kmap_local_place();
    CHECK(p1.block == 1);
    CHECK(p1.blocks == kKernelNrCpus);
    out = s.run("kmap-local");
    CHECK(has(out, "cpu 1: fixmap block 1 of " + std::to_string(kKernelNrCpus) + "\n"));
    CHECK(has(out, "(running on cpu 0) [block 0]"));
    bool found = false;
    for (const TaskView& t : s.dbg->tasks()) {
        if (t.addr != task) continue;
        found = true;
        CHECK_FALSE(t.current);
        CHECK(t.runs_on == 0);
        CHECK(t.slot_cpu == 0);
        REQUIRE(t.kmap_local.size() == depth);
        for (size_t i = 0; i < depth; ++i) {
            INFO("depth " << i);
            CHECK(t.kmap_local[i].vaddr == klayout::fix_to_virt(klayout::kFixKmapBegin + static_cast<u32>(i)));
            CHECK(t.kmap_local[i].installed);
        }
    }
    CHECK(found);
    s.run("cpu 0");
    CHECK(has(s.run("kmap-local"), "cpu 0: fixmap block 0 of " + std::to_string(kKernelNrCpus) + "\n"));
}

TEST_CASE("kmap-local at -smp 2 with nosmp: CPU 1 still waits for its SIPI, and the view says why", "[debugger][kernel][smp]") {
    Session s("guest/ktest.elf",
              "force_highmem=32M apic nosmp ktest=kmap_local.nests_in_fixmap_slots_lifo_with_preemption_on", 64 * kMiB,
              2);
    std::vector<TaskView> tasks;
    stop_with_three(s, tasks);
    CHECK(s.dbg->kmap_local_place().blocks == kKernelNrCpus);
    s.run("cpu 1");
    const std::string out = s.fail("kmap-local");
    CHECK(has(out, "paging is not on on cpu 1 (it waits for its SIPI)"));
    CHECK_THROWS_WITH(s.dbg->kmap_local_place(), Catch::Contains("select a CPU that runs the kernel"));
    s.run("cpu 0");
    CHECK(has(s.run("kmap-local"), "cpu 0: fixmap block 0 of " + std::to_string(kKernelNrCpus) + "\n"));
}

TEST_CASE("kmap-local follows debug_kmap_local's guard slots (mapping n in slot 2n+1)", "[debugger][kernel]") {
    Session s("guest/ktest.elf",
              "force_highmem=32M debug_kmap_local ktest=kmap_local.nests_in_fixmap_slots_lifo_with_preemption_on",
              64 * kMiB);
    std::vector<TaskView> tasks;
    const TaskView* cur = stop_with_three(s, tasks);
    CHECK(s.dbg->kmap_local_place().guard_slots);
    const size_t n = cur->kmap_local.size();
    for (size_t i = 0; i < n; ++i) {
        INFO("depth " << i);
        const KmapLocalSlot& sl = cur->kmap_local[i];
        CHECK(sl.vaddr == klayout::fix_to_virt(klayout::kFixKmapBegin + 2 * static_cast<u32>(i) + 1));
        CHECK(sl.installed);
        const WalkView w = s.dbg->walk(sl.vaddr);
        REQUIRE(w.ok);
        CHECK(w.frame == sl.phys);
        // The guard slot below it is unmapped.
        CHECK_FALSE(s.dbg->walk(sl.vaddr + kPageSize).mapped);
    }
    // The innermost mapping is where kunmap_local was called for.
    const u32 arg = static_cast<u32>(s.dbg->read_value(Space::Linear, s.dbg->registers().gpr[reg::ESP] + 4, 4));
    CHECK(cur->kmap_local.back().vaddr == (arg & ~0xFFFu));
}

TEST_CASE("kmap-local at -smp 2 without the local APIC mapped: one block assumed, and said", "[debugger][kernel][smp]") {
    Session s("guest/ktest.elf", "force_highmem=32M ktest=kmap_local.nests_in_fixmap_slots_lifo_with_preemption_on",
              64 * kMiB, 2);
    std::vector<TaskView> tasks;
    const TaskView* cur = stop_with_three(s, tasks);
    const KmapLocalPlace p = s.dbg->kmap_local_place();
    CHECK_FALSE(p.blocks_found);
    CHECK(p.blocks == 1);
    CHECK(p.block == 0);
    CHECK(has(p.note, "one assumed"));
    CHECK(cur->kmap_local.back().installed);
    const std::string out = s.run("kmap-local");
    CHECK(has(out, "cpu 0: fixmap block 0 of 1 (assumed)\n"));
    CHECK(has(out, "note: the fixmap does not show how many per-CPU blocks the kernel has"));
}

TEST_CASE("kmap-local at -smp 2: a task mapping on CPU 1 has its slots in CPU 1's block", "[debugger][kernel][smp]") {
    // Each CPU maps a page in its own block (a call-function IPI: on CPU 1 the
    // mapping belongs to the task it interrupted, its idle thread).
    Session s("guest/ktest.elf", "force_highmem=32M apic ktest=smp.per_cpu_kmap_local_blocks_are_disjoint", 64 * kMiB, 2);
    s.dbg->add_breakpoint(Space::Linear, s.sym("kunmap_local_indexed"));
    bool seen_on_cpu1 = false;
    for (int hits = 0; hits < 400 && !seen_on_cpu1; ++hits) {
        REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
        for (const TaskView& t : s.dbg->tasks()) {
            if (t.kmap_idx == 0) continue;
            INFO("pid " << t.pid << " " << t.comm << " slot cpu " << t.slot_cpu);
            for (const KmapLocalSlot& sl : t.kmap_local) {
                CHECK(sl.vaddr == klayout::fix_to_virt(klayout::kFixKmapBegin + klayout::kKmSlotsPerCpu * t.slot_cpu +
                                                       sl.depth));
                // The stopped CPU's current task has its slots installed (another
                // CPU may be stopped between writing a PTE and counting it).
                if (t.current) CHECK(sl.installed);
            }
            if (t.slot_cpu == 1 && t.runs_on == 1) {
                CHECK(t.comm == "swapper/1");
                seen_on_cpu1 = true;
                // Its top slot maps what kunmap_local was called for, when the hit was on CPU 1.
                if (s.dbg->selected_cpu() == 1) {
                    CHECK(t.current);
                    const u32 arg = static_cast<u32>(
                        s.dbg->read_value(Space::Linear, s.dbg->registers().gpr[reg::ESP] + 4, 4));
                    CHECK(t.kmap_local.back().vaddr == (arg & ~0xFFFu));
                }
                CHECK(has(s.run("kmap-local"), "[block 1]"));
            }
        }
    }
    CHECK(seen_on_cpu1);
}
