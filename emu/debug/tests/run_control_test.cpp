// Run control on real guests: linear and physical breakpoints, steps, next,
// finish, until, temporary breakpoints, budgets, interrupt(), the guest's end,
// and that stopping the machine changes nothing the guest can see.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "session.hpp"

using namespace hm;
using namespace hm::dbg;
using namespace hm::dbg::test;

TEST_CASE("A linear breakpoint stops before the instruction, and continuing runs it", "[debugger][run]") {
    Session s("kernel.elf");
    const u32 target = s.sym("start_kernel");
    const int id = s.dbg->add_breakpoint(Space::Linear, target);
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Breakpoint);
    CHECK(st.breakpoint_id == id);
    CHECK(st.pc == target);
    CHECK(s.dbg->registers().pc() == target);
    CHECK(st.message.find("start_kernel") != std::string::npos);
    // Nothing of start_kernel ran yet: it prints the banner.
    CHECK(s.serial.text.find("highmem386 kernel") == std::string::npos);
    CHECK(s.dbg->breakpoints()[0].hits == 1);
    const u64 insns = s.dbg->registers().instructions;
    st = s.dbg->step();
    CHECK(st.kind == StopKind::Step);
    CHECK(s.dbg->registers().instructions == insns + 1);
    CHECK(s.dbg->registers().pc() != target);
}

TEST_CASE("Continuing from a breakpoint does not stop on it again", "[debugger][run]") {
    Session s("guest/dbg_target.elf");
    const u32 leaf = s.sym("dbg_leaf");
    s.dbg->add_breakpoint(Space::Linear, leaf);
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    // dbg_leaf runs once: the next stop is the guest's end, not the same breakpoint.
    StopInfo st = s.dbg->cont();
    CHECK(st.kind == StopKind::Exited);
    CHECK(st.exit_status == 0);
    CHECK(s.serial.text.find("dbg_target: done") != std::string::npos);
    CHECK(s.dbg->breakpoints()[0].hits == 1);
    // The end is final: continuing or stepping again reports it again and runs
    // nothing (before, each ran on past the exit port write into the guest's
    // halt loop, so a script that continued twice ended on another machine).
    const u64 insns = s.machine->cpu_state().instructions;
    const u64 hash = s.machine->state_hash();
    for (int i = 0; i < 2; ++i) {
        const StopInfo again = i == 0 ? s.dbg->cont() : s.dbg->step(3);
        CHECK(again.kind == StopKind::Exited);
        CHECK(again.exit_status == 0);
        CHECK(again.instructions == 0);
    }
    CHECK(s.machine->cpu_state().instructions == insns);
    CHECK(s.machine->state_hash() == hash);
}

TEST_CASE("A physical breakpoint catches code reached through any linear alias", "[debugger][run]") {
    Session s("kernel.elf");
    // The kernel is linked at 0xC0100000 and loaded at 0x100000: start_kernel runs
    // at its virtual address, but the breakpoint names the physical one.
    const u32 virt = s.sym("start_kernel");
    const u64 phys = virt - 0xC0000000u;
    const int id = s.dbg->add_breakpoint(Space::Physical, phys);
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Breakpoint);
    CHECK(st.breakpoint_id == id);
    CHECK(st.pc == virt);
    CHECK(s.dbg->translate(virt, Access::Execute) == phys);
}

TEST_CASE("A physical breakpoint fires with paging off", "[debugger][run]") {
    Session s("guest/dbg_target.elf");
    // build_page_tables runs before paging is turned on (identity, so phys == linear).
    const u32 f = s.sym("guest_main");
    s.dbg->add_breakpoint(Space::Physical, f);
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Breakpoint);
    CHECK(st.pc == f);
    CHECK(s.dbg->registers().paging == PagingMode::None);
}

TEST_CASE("step N executes exactly N instructions and enters calls", "[debugger][run]") {
    Session s("guest/dbg_target.elf");
    s.dbg->add_breakpoint(Space::Linear, s.sym("dbg_call_leaf"));
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    const u64 before = s.dbg->registers().instructions;
    StopInfo st = s.dbg->step(2);
    CHECK(st.kind == StopKind::Step);
    CHECK(st.instructions == 2);
    CHECK(s.dbg->registers().instructions == before + 2);
    // Single steps follow the CALL into dbg_leaf (the prologue, the argument, the call).
    const u32 leaf = s.sym("dbg_leaf");
    int steps = 0;
    while (s.dbg->registers().pc() != leaf && steps < 10) {
        REQUIRE(s.dbg->step().kind == StopKind::Step);
        ++steps;
    }
    CHECK(s.dbg->registers().pc() == leaf);
    CHECK(s.dbg->registers().instructions == before + 2 + steps);
}

TEST_CASE("next steps over a call in one go, and finish returns to the caller", "[debugger][run]") {
    Session s("guest/dbg_target.elf");
    const u32 caller = s.sym("dbg_call_leaf");
    const u32 leaf = s.sym("dbg_leaf");
    s.dbg->add_breakpoint(Space::Linear, caller);
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    // Walk to the CALL instruction.
    for (int i = 0; i < 50; ++i) {
        auto insn = s.dbg->disassemble(s.dbg->registers().pc(), 1);
        REQUIRE(!insn.empty());
        if (insn[0].is_call) break;
        REQUIRE(s.dbg->step().kind == StopKind::Step);
    }
    const auto call = s.dbg->disassemble(s.dbg->registers().pc(), 1)[0];
    REQUIRE(call.is_call);
    CHECK(call.target == leaf);
    const u32 esp = s.dbg->registers().gpr[reg::ESP];
    StopInfo st = s.dbg->next();
    CHECK(st.kind == StopKind::Step);
    CHECK(st.pc == call.linear + call.length);
    CHECK(s.dbg->registers().gpr[reg::ESP] == esp);
    CHECK(s.dbg->registers().gpr[reg::EAX] == 41);  // dbg_leaf(20) ran to completion
    CHECK(st.instructions > 1);
    CHECK(s.dbg->breakpoints().size() == 1);        // no temporary breakpoint left behind

    // finish: from inside dbg_leaf back to right after the call.
    Session t("guest/dbg_target.elf");
    t.dbg->add_breakpoint(Space::Linear, leaf);
    REQUIRE(t.dbg->cont().kind == StopKind::Breakpoint);
    st = t.dbg->finish();
    CHECK(st.kind == StopKind::Step);
    CHECK(st.pc == call.linear + call.length);
    CHECK(t.dbg->registers().gpr[reg::EAX] == 41);
}

TEST_CASE("until runs to an address, and a temporary breakpoint goes when hit", "[debugger][run]") {
    Session s("guest/dbg_target.elf");
    const u32 f = s.sym("dbg_port_io");
    StopInfo st = s.dbg->until(f);
    CHECK(st.pc == f);
    CHECK(s.dbg->breakpoints().empty());
    const int id = s.dbg->add_breakpoint(Space::Linear, s.sym("dbg_ud"), true);
    st = s.dbg->cont();
    CHECK(st.kind == StopKind::Breakpoint);
    CHECK(st.pc == s.sym("dbg_ud"));
    CHECK(s.dbg->breakpoints().empty());
    CHECK_THROWS_AS(s.dbg->remove(id), DebugError);
}

TEST_CASE("A cycle budget returns control and the run goes on where it was", "[debugger][run]") {
    Session s("guest/spin.elf");
    const u64 c0 = s.dbg->registers().cycles;
    StopInfo st = s.dbg->cont(100000);
    CHECK(st.kind == StopKind::Budget);
    CHECK(st.can_continue());
    CHECK(st.cycles >= 100000);
    CHECK(s.dbg->registers().cycles >= c0 + 100000);
    st = s.dbg->cont(100000);
    CHECK(st.kind == StopKind::Budget);
    CHECK(s.dbg->registers().cycles >= c0 + 200000);
}

TEST_CASE("interrupt() from another thread stops a guest that never ends", "[debugger][run]") {
    Session s("guest/spin.elf");
    std::thread pauser([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        s.dbg->interrupt();
    });
    StopInfo st = s.dbg->cont();
    pauser.join();
    CHECK(st.kind == StopKind::Interrupted);
    CHECK(st.instructions > 0);
    CHECK(st.can_continue());
    // The pause is consumed: the next resume runs.
    CHECK(s.dbg->cont(1000).kind == StopKind::Budget);
}

TEST_CASE("A triple fault ends the run, and break-on triple reports it as an event", "[debugger][run]") {
    {
        Session s("guest/triple.elf");
        StopInfo st = s.dbg->cont();
        CHECK(st.kind == StopKind::Shutdown);
        CHECK_FALSE(st.can_continue());
        CHECK(st.message.find("triple fault") != std::string::npos);
    }
    Session s("guest/triple.elf");
    const int id = s.dbg->add_event_break(EventKind::TripleFault);
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Event);
    CHECK(st.event->id == id);
    CHECK(st.event->shutdown_reason.find("triple fault") != std::string::npos);
    CHECK(s.dbg->event_breaks()[0].hits == 1);
}

TEST_CASE("Stopping, stepping and watching change nothing the guest can see", "[debugger][run]") {
    // The same guest run straight through and run under heavy debugging must end
    // with the same output, the same cycle count and the same TLB counters.
    Session plain("guest/dbg_target.elf");
    REQUIRE(plain.dbg->cont().kind == StopKind::Exited);
    const MachineStats a = plain.dbg->stats();

    Session dbg("guest/dbg_target.elf");
    for (const char* f : {"dbg_alias_writes", "dbg_leaf", "dbg_tlb_ops", "dbg_demand_fault", "dbg_ud"}) {
        dbg.dbg->add_breakpoint(Space::Linear, dbg.sym(f));
    }
    dbg.dbg->add_watchpoint(Space::Linear, dbg.sym("sink"), 4, WatchKind::ReadWrite);
    dbg.dbg->add_event_break(EventKind::TlbFlush);
    dbg.dbg->add_event_break(EventKind::PortIo, 0x80);
    unsigned stops = 0;
    for (;;) {
        StopInfo st = stops % 3 == 0 ? dbg.dbg->step(3) : dbg.dbg->cont();
        if (st.kind == StopKind::Exited) break;
        REQUIRE(st.can_continue());
        REQUIRE(++stops < 1000);
    }
    const MachineStats b = dbg.dbg->stats();
    CHECK(stops > 10);
    CHECK(dbg.serial.text == plain.serial.text);
    CHECK(b.cycles == a.cycles);
    CHECK(b.instructions == a.instructions);
    CHECK(b.mmu.dtlb.misses == a.mmu.dtlb.misses);
    CHECK(b.mmu.dtlb.hits == a.mmu.dtlb.hits);
    CHECK(b.mmu.itlb.misses == a.mmu.itlb.misses);
    CHECK(b.page_faults == a.page_faults);
}

TEST_CASE("A breakpoint stop is the same state as a stop by instruction count at that boundary", "[debugger][run]") {
    // The fetch of the instruction at a breakpoint (its ITLB lookup, a walk) is
    // that instruction's; a stop made after it would differ from the same
    // boundary reached by counting instructions (what reverse-stepi re-executes
    // to) by a lookup whenever the target lies on another page than the code
    // before it, as a called function often does.
    for (const char* f : {"start_kernel", "printk", "_Z10setup_archv", "_Z11paging_initv", "_Z9kmap_initv", "_Z8mem_initv"}) {
        INFO(f);
        Session a("kernel.elf");
        a.dbg->add_breakpoint(Space::Linear, a.sym(f));
        REQUIRE(a.dbg->cont().kind == StopKind::Breakpoint);
        const u64 n = a.dbg->registers().instructions;

        Session b("kernel.elf");
        // Steps count REP iterations (as TF does), so step until the count is reached.
        while (b.dbg->registers().instructions < n) {
            REQUIRE(b.dbg->step(n - b.dbg->registers().instructions).kind == StopKind::Step);
        }
        REQUIRE(b.dbg->registers().instructions == n);
        CHECK(b.dbg->registers().pc() == a.dbg->registers().pc());
        const MachineStats sa = a.dbg->stats(), sb = b.dbg->stats();
        CHECK(sa.cycles == sb.cycles);
        CHECK(sa.mmu.itlb.lookups == sb.mmu.itlb.lookups);
        CHECK(sa.mmu.itlb.misses == sb.mmu.itlb.misses);
        CHECK(a.machine->state_hash() == b.machine->state_hash());
    }
}
