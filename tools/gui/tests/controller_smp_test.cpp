// The CPU selector's command on an -smp 2 guest (guest-tests/smp/smp_boot.elf),
// without a window: `cpu 1` (what the menu bar's selector issues) makes every
// per-CPU part of the snapshot CPU 1's; a stop on CPU 1 moves the panels to it;
// change marks compare each CPU with its own previous stop.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "controller.hpp"
#include "controller_fixture.hpp"
#include "debug/kernel_layout.hpp"

using namespace hm;
using namespace hm::gui;
using namespace hm::gui::test;

namespace {

RunPlan smp_plan() { return guest_plan("guest-tests/smp/smp_boot.elf", 64 * kMiB, "", 2); }


}  // namespace

TEST_CASE("the CPU selector's command shows CPU 1 in every per-CPU panel", "[gui][guest][smp]") {
    Session session(smp_plan());
    REQUIRE(session.load_symbols("").rfind("symbols:", 0) == 0);
    CommandLog log;
    Controller c(session, log);
    Machine& m = session.debugger().machine();
    {
        const Snapshot& s = c.snapshot();
        REQUIRE(s.cpu_labels.size() == 2);
        CHECK(s.cpu_labels[0] == "CPU 0");
        CHECK(s.cpu_labels[1] == "CPU 1 (waiting for SIPI)");
        CHECK(s.cpu == 0);
        CHECK(s.regs.eip == m.cpu_state(0).eip);
    }
    // Run until the AP is in ap_main with paging off: CPU 0 and 1 differ everywhere.
    c.issue("b ap_main");
    c.issue("c");
    settle(c);
    const Snapshot at_stop = c.snapshot();
    {
        const Snapshot& s = c.snapshot();
        CHECK(s.stop.cpu == 1);
        CHECK(s.cpu == 1);  // the stop moved the panels to the CPU that stopped
        CHECK(s.regs.eip == *session.debugger().symbols().address_of("ap_main"));
        CHECK(s.cpu_labels[1] == "CPU 1");
    }
    c.issue("cpu 0", "CPU selector");
    settle(c);
    const Snapshot s0 = c.snapshot();
    CHECK(s0.cpu == 0);
    CHECK(s0.regs.eip == m.cpu_state(0).eip);
    CHECK(s0.regs.gpr[reg::ESP] == m.cpu_state(0).r[reg::ESP]);
    CHECK(s0.regs.cycles == m.cpu_state(0).cycles);
    c.issue("cpu 1", "CPU selector");
    settle(c);
    const Snapshot s1 = c.snapshot();
    CHECK(s1.cpu == 1);
    CHECK(s1.regs.eip == m.cpu_state(1).eip);
    CHECK(s1.regs.gpr[reg::ESP] == m.cpu_state(1).r[reg::ESP]);
    CHECK(s1.regs.cycles == m.cpu_state(1).cycles);
    CHECK(s1.regs.eip != s0.regs.eip);
    // The TLB panel's contents are CPU 1's own.
    CHECK(s1.dtlb_now.size() == m.mmu(1).tlb_entries(TlbKind::Data).size());
    CHECK(s1.itlb_now.size() == m.mmu(1).tlb_entries(TlbKind::Instruction).size());
    // The walk is CPU 1's: its paging mode.
    CHECK(s1.walk.mode == m.mmu(1).paging_mode());
    // No run since the stop: back on CPU 1, the marks are again what CPU 1
    // changed in that run (not a comparison with CPU 0's values).
    CHECK(s1.changed == at_stop.changed);
    CHECK((s1.changed >> static_cast<unsigned>(dbg::Reg::EIP)) & 1);
    CHECK(s1.prev_regs.eip == 0xFFF0);  // where CPU 1 waited for its SIPI
    // A step of CPU 1 marks what CPU 1 changed: EIP at least.
    c.issue("s");
    settle(c);
    const Snapshot& s2 = c.snapshot();
    CHECK(s2.cpu == 1);
    CHECK((s2.changed >> static_cast<unsigned>(dbg::Reg::EIP)) & 1);
    CHECK(s2.prev_regs.eip == s1.regs.eip);
    // The statistics have CPU 1's own counters.
    REQUIRE(s2.stats.per_cpu.size() == 2);
    CHECK(s2.stats.per_cpu[1].instructions == m.cpu_state(1).instructions);
    CHECK(s2.stats.per_cpu[1].instructions - s2.prev_stats.per_cpu[1].instructions == 1);
}

TEST_CASE("the kmap_local panel names the CPU block it reads, and follows the selector", "[gui][guest][smp]") {
    Session session(guest_plan("guest/ktest.elf", 64 * kMiB,
                               "force_highmem=32M apic ktest=kmap_local.nests_in_fixmap_slots_lifo_with_preemption_on", 2));
    REQUIRE(session.load_symbols("").rfind("symbols:", 0) == 0);
    CommandLog log;
    Controller c(session, log);
    // Stop where the running task holds a kmap_local mapping.
    c.issue("b kunmap_local_indexed");
    auto holds = [&] {
        for (const dbg::TaskView& t : c.snapshot().tasks) {
            if (t.current && t.kmap_idx > 0) return true;
        }
        return false;
    };
    for (int i = 0; i < 50 && !holds(); ++i) {
        c.issue("c");
        settle(c);
    }
    REQUIRE(holds());
    {
        const Snapshot& s = c.snapshot();
        REQUIRE(s.tasks_error.empty());
        REQUIRE(s.kmap_place.has_value());
        CHECK(s.kmap_place->cpu == 0);
        CHECK(s.kmap_place->blocks_found);
        CHECK(s.kmap_place->block == 0);
        bool installed = false;
        for (const dbg::TaskView& t : s.tasks) {
            for (const dbg::KmapLocalSlot& k : t.kmap_local) installed = installed || k.installed;
        }
        CHECK(installed);
    }
    // CPU 1 runs the kernel (the `apic` boot brings it up) but not the task:
    // the panel names CPU 1's block, and shows the task's mappings where they
    // are installed, in the block of the CPU the task runs on (0).
    c.issue("cpu 1", "CPU selector");
    settle(c);
    const Snapshot& s = c.snapshot();
    REQUIRE(s.tasks_error.empty());
    REQUIRE(s.kmap_place.has_value());
    CHECK(s.kmap_place->cpu == 1);
    CHECK(s.kmap_place->block == 1);
    bool any = false, installed = true;
    for (const dbg::TaskView& t : s.tasks) {
        if (t.kmap_local.empty()) continue;
        CHECK_FALSE(t.current);
        CHECK(t.runs_on == 0);
        CHECK(t.slot_cpu == 0);
        for (const dbg::KmapLocalSlot& k : t.kmap_local) {
            any = true;
            installed = installed && k.installed;
            CHECK(k.vaddr >= dbg::klayout::fix_to_virt(dbg::klayout::kFixKmapBegin + dbg::klayout::kKmSlotsPerCpu - 1));  // block 0
        }
    }
    CHECK(any);
    CHECK(installed);
}
