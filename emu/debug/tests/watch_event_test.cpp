// Watchpoints (linear and physical, through aliases) and break-on-event on the
// debugger's test guest (guest-tests/debugger/dbg_target.cpp), whose page
// shared_page is mapped at its identity address, at 0x40000000 (read-write) and
// at 0x40001000 (read-only).
#include <catch2/catch.hpp>

#include "debug/debug_format.hpp"
#include "session.hpp"

using namespace hm;
using namespace hm::dbg;
using namespace hm::dbg::test;

namespace {
constexpr u32 kAliasRw = 0x40000000, kAliasRo = 0x40001000;

bool inside(const Session& s, u32 pc, const std::string& fn) {
    const Symbol* sym = s.dbg->symbols().covering(pc);
    return sym && sym->short_name == fn;
}
}  // namespace

TEST_CASE("A physical watchpoint fires for every linear alias of the page", "[debugger][watch]") {
    Session s("guest/dbg_target.elf");
    const u32 page = s.sym("shared_page");  // identity mapped: linear == physical
    const int id = s.dbg->add_watchpoint(Space::Physical, page + 0x10, 4, WatchKind::ReadWrite);

    // 1: the store through 0x40000010.
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Watchpoint);
    CHECK(st.watch->id == id);
    CHECK(st.watch->access == Access::Write);
    CHECK(st.watch->linear == kAliasRw + 0x10);
    CHECK(st.watch->phys == page + 0x10);
    CHECK(st.watch->size == 4);
    CHECK(st.watch->value == 0x11111111);
    CHECK(st.watch->old_value == 0);
    // The stop is right after the storing instruction: memory holds the new value
    // and EIP is the next instruction of the same function.
    CHECK(s.dbg->read_value(Space::Physical, page + 0x10, 4) == 0x11111111);
    CHECK(inside(s, st.pc, "dbg_alias_writes"));
    CHECK(st.pc != st.watch->eip);
    CHECK(inside(s, st.watch->eip, "dbg_alias_writes"));
    CHECK(st.message.find("0x11111111") != std::string::npos);

    // 2: the store through the identity alias.
    st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Watchpoint);
    CHECK(st.watch->linear == page + 0x10);
    CHECK(st.watch->value == 0x22222222);
    CHECK(st.watch->old_value == 0x11111111);

    // 3: the load through the read-only alias 0x40001010.
    st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Watchpoint);
    CHECK(st.watch->access == Access::Read);
    CHECK(st.watch->linear == kAliasRo + 0x10);
    CHECK(st.watch->value == 0x22222222);
    CHECK(s.dbg->watchpoints()[0].hits == 3);

    // Nothing else touches it: the guest runs to its end.
    CHECK(s.dbg->cont().kind == StopKind::Exited);
    CHECK(s.serial.text.find("dbg_target: done") != std::string::npos);
}

TEST_CASE("A linear watchpoint sees only accesses through that linear address", "[debugger][watch]") {
    Session s("guest/dbg_target.elf");
    s.dbg->add_watchpoint(Space::Linear, kAliasRw + 0x10, 4, WatchKind::Write);
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Watchpoint);
    CHECK(st.watch->linear == kAliasRw + 0x10);
    // The identity-alias store and the read-only-alias load hit the same physical
    // bytes but not this linear range.
    CHECK(s.dbg->cont().kind == StopKind::Exited);
}

TEST_CASE("Watch kinds: a read watchpoint ignores writes, a write watchpoint ignores reads", "[debugger][watch]") {
    Session s("guest/dbg_target.elf");
    const u32 page = s.sym("shared_page");
    s.dbg->add_watchpoint(Space::Physical, page + 0x10, 4, WatchKind::Read);
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Watchpoint);
    CHECK(st.watch->access == Access::Read);
    CHECK(st.watch->linear == kAliasRo + 0x10);

    Session w("guest/dbg_target.elf");
    w.dbg->add_watchpoint(Space::Physical, page + 0x10, 4, WatchKind::Write);
    int writes = 0;
    for (;;) {
        st = w.dbg->cont();
        if (st.kind != StopKind::Watchpoint) break;
        CHECK(st.watch->access == Access::Write);
        ++writes;
    }
    CHECK(writes == 2);
    CHECK(st.kind == StopKind::Exited);
}

TEST_CASE("A watchpoint on a partial overlap fires, and one next to the access does not", "[debugger][watch]") {
    Session s("guest/dbg_target.elf");
    const u32 page = s.sym("shared_page");
    s.dbg->add_watchpoint(Space::Physical, page + 0x14, 4, WatchKind::ReadWrite);  // just after the word
    s.dbg->add_watchpoint(Space::Physical, page + 0x0D, 4, WatchKind::Write);      // overlaps byte 0x10
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Watchpoint);
    CHECK(st.watch->id == 2);
    CHECK(s.dbg->watchpoints()[0].hits == 0);
}

TEST_CASE("Watched pages stay off the MMU's fast path while the front-array invariant holds", "[debugger][watch]") {
    Session s("guest/dbg_target.elf");
    s.dbg->add_breakpoint(Space::Linear, s.sym("dbg_call_leaf"));
    s.dbg->add_watchpoint(Space::Linear, s.sym("leaf_result"), 4, WatchKind::Write);
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    CHECK(s.machine->mmu().check_front_invariant().empty());
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Watchpoint);
    CHECK(st.watch->value == 41);
    CHECK(s.machine->mmu().check_front_invariant().empty());
}

TEST_CASE("break-on pf stops at the #PF handler with CR2 and the error code", "[debugger][events]") {
    Session s("guest/dbg_target.elf");
    const int id = s.dbg->add_event_break(EventKind::PageFault);
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Event);
    CHECK(st.event->id == id);
    CHECK(st.event->kind == EventKind::PageFault);
    const auto& e = std::get<ExceptionEvent>(st.event->record);
    CHECK(e.vector == 14);
    CHECK(e.cr2 == 0x60000000);
    CHECK(e.error_code == 0);  // read, not present, supervisor
    CHECK(inside(s, e.eip, "dbg_demand_fault"));
    CHECK(st.pc == s.sym("dbg_pf_stub"));  // delivered: the handler is next
    CHECK(s.dbg->registers().cr.cr2 == 0x60000000);
    CHECK(st.message.find("not present, read, supervisor") != std::string::npos);
    CHECK(s.dbg->cont().kind == StopKind::Exited);  // one fault only
}

TEST_CASE("break-on exc N stops on that vector only", "[debugger][events]") {
    Session s("guest/dbg_target.elf");
    s.dbg->add_event_break(EventKind::Exception, 6);
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Event);
    CHECK(std::get<ExceptionEvent>(st.event->record).vector == 6);
    CHECK(st.pc == s.sym("dbg_ud_stub"));
    // The #PF before it did not stop the run; break-on exc without a vector catches it.
    Session t("guest/dbg_target.elf");
    t.dbg->add_event_break(EventKind::Exception);
    st = t.dbg->cont();
    REQUIRE(st.kind == StopKind::Event);
    CHECK(std::get<ExceptionEvent>(st.event->record).vector == 14);
    st = t.dbg->cont();
    REQUIRE(st.kind == StopKind::Event);
    CHECK(std::get<ExceptionEvent>(st.event->record).vector == 6);
}

TEST_CASE("break-on cr3, invlpg and flush stop right after the instruction", "[debugger][events]") {
    Session s("guest/dbg_target.elf");
    s.dbg->add_event_break(EventKind::Invlpg);
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Event);
    const auto& inv = std::get<TlbFlushEvent>(st.event->record);
    CHECK(inv.cause == TlbFlushCause::Invlpg);
    CHECK(inv.linear == kAliasRw);
    CHECK(inside(s, st.pc, "dbg_tlb_ops"));
    const auto prev = s.dbg->disassemble(st.pc, 1);
    s.dbg->remove_all();
    s.dbg->add_event_break(EventKind::Cr3Write);
    st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Event);
    CHECK(std::get<TlbFlushEvent>(st.event->record).cause == TlbFlushCause::Cr3Write);
    CHECK(inside(s, st.pc, "dbg_tlb_ops"));
    // The instruction before the stop is the MOV to CR3.
    const u32 pc = st.pc;
    bool found = false;
    for (u32 back = 1; back <= 4 && !found; ++back) {
        auto i = s.dbg->disassemble(pc - back, 1);
        found = !i.empty() && i[0].length == back && i[0].mnemonic == "mov" && i[0].operands.find("cr3") == 0;
    }
    CHECK(found);

    // Any flush: the first one is turning paging on (a CR0 change).
    Session t("guest/dbg_target.elf");
    t.dbg->add_event_break(EventKind::TlbFlush);
    std::vector<TlbFlushCause> causes;
    for (;;) {
        st = t.dbg->cont();
        if (st.kind != StopKind::Event) break;
        causes.push_back(std::get<TlbFlushEvent>(st.event->record).cause);
    }
    REQUIRE(causes.size() >= 3);
    CHECK(std::find(causes.begin(), causes.end(), TlbFlushCause::Cr0Change) != causes.end());
    CHECK(std::find(causes.begin(), causes.end(), TlbFlushCause::Invlpg) != causes.end());
    CHECK(std::find(causes.begin(), causes.end(), TlbFlushCause::Cr3Write) != causes.end());
}

TEST_CASE("break-on io PORT stops after the IN/OUT to that port", "[debugger][events]") {
    Session s("guest/dbg_target.elf");
    s.dbg->add_event_break(EventKind::PortIo, 0x80);
    StopInfo st = s.dbg->cont();
    REQUIRE(st.kind == StopKind::Event);
    const auto& io = std::get<PortIoEvent>(st.event->record);
    CHECK(io.port == 0x80);
    CHECK(io.is_write == 1);
    CHECK(io.value == 0x42);
    CHECK(inside(s, st.pc, "dbg_port_io"));
    CHECK(s.dbg->cont().kind == StopKind::Exited);
}

TEST_CASE("A disabled break stops nothing, and enabling it again works", "[debugger][events]") {
    Session s("guest/dbg_target.elf");
    const int pf = s.dbg->add_event_break(EventKind::PageFault);
    const int bp = s.dbg->add_breakpoint(Space::Linear, s.sym("dbg_ud"));
    s.dbg->set_enabled(pf, false);
    StopInfo st = s.dbg->cont();
    CHECK(st.kind == StopKind::Breakpoint);
    CHECK(st.breakpoint_id == bp);
    s.dbg->set_enabled(bp, false);
    CHECK(s.dbg->cont().kind == StopKind::Exited);
    CHECK_THROWS_AS(s.dbg->set_enabled(999, true), DebugError);
}

TEST_CASE("The event log records exceptions and flushes with their details", "[debugger][events]") {
    Session s("guest/dbg_target.elf");
    REQUIRE(s.dbg->cont().kind == StopKind::Exited);
    bool pf = false, ud = false, invlpg = false;
    for (const LogEntry& e : s.dbg->event_log()) {
        if (auto* x = std::get_if<ExceptionEvent>(&e.record)) {
            pf |= x->vector == 14 && x->cr2 == 0x60000000;
            ud |= x->vector == 6;
        }
        if (auto* f = std::get_if<TlbFlushEvent>(&e.record)) invlpg |= f->cause == TlbFlushCause::Invlpg && f->linear == kAliasRw;
        CHECK(!std::holds_alternative<PageWalkEvent>(e.record));  // walks are off by default
    }
    CHECK(pf);
    CHECK(ud);
    CHECK(invlpg);
    Session w("guest/dbg_target.elf");
    w.dbg->set_log_mask(log_mask::kWalk);
    w.dbg->set_log_capacity(100000);
    REQUIRE(w.dbg->cont().kind == StopKind::Exited);
    bool walked_alias = false;
    for (const LogEntry& e : w.dbg->event_log()) {
        REQUIRE(std::holds_alternative<PageWalkEvent>(e.record));
        const auto& p = std::get<PageWalkEvent>(e.record);
        walked_alias |= p.linear == kAliasRw + 0x10 && p.access == 1 && !p.faulted;
    }
    CHECK(walked_alias);
}

TEST_CASE("Bad watch and event requests are refused with a reason", "[debugger][watch]") {
    Session s("guest/dbg_target.elf");
    CHECK_THROWS_WITH(s.dbg->add_watchpoint(Space::Linear, 0xFFFFFFFE, 4, WatchKind::Write), Catch::Contains("beyond"));
    CHECK_THROWS_WITH(s.dbg->add_watchpoint(Space::Linear, 0x1000, 0, WatchKind::Write), Catch::Contains("length"));
    CHECK_THROWS_WITH(s.dbg->add_watchpoint(Space::Physical, u64{1} << 36, 4, WatchKind::Read), Catch::Contains("36-bit"));
    CHECK_THROWS_WITH(s.dbg->add_event_break(EventKind::Exception, 40), Catch::Contains("0 to 31"));
    CHECK_THROWS_WITH(s.dbg->add_breakpoint(Space::Linear, u64{1} << 32), Catch::Contains("32-bit"));
    CHECK(s.dbg->breakpoints().empty());
    CHECK(s.dbg->watchpoints().empty());
    CHECK(s.dbg->event_breaks().empty());
}
