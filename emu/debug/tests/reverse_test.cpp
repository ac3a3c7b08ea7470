// Reverse execution over checkpoints (debugger_reverse.cpp, docs/snapshots.md):
// checkpoints taken during one long continue, and reverse-continue back to the
// previous breakpoint or watchpoint hit, or to where recording began.
#include <catch2/catch.hpp>

#include "session.hpp"

using namespace hm;
using namespace hm::dbg;
using hm::dbg::test::Session;

namespace {

struct Point {
    u64 cycles, instructions, hash;
    u32 pc;
    bool operator==(const Point& o) const {
        return cycles == o.cycles && instructions == o.instructions && hash == o.hash && pc == o.pc;
    }
};

Point here(Session& s) {
    const CpuState& st = s.machine->cpu_state();
    return {st.cycles, st.instructions, s.machine->state_hash(), s.dbg->registers().pc()};
}

}  // namespace

TEST_CASE("A long continue while recording takes a checkpoint every interval, and reverse-stepi re-executes from the newest",
          "[debugger][reverse]") {
    Session s("bench/cpu_workload.elf", "iters=10");
    s.dbg->add_breakpoint(Space::Linear, s.sym("guest_exit"));
    s.dbg->set_recording(true);
    REQUIRE(s.dbg->checkpoints() == 1);
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    const Point end = here(s);
    // One at the start, then one per interval of the single continue.
    REQUIRE(end.cycles > 3 * Debugger::kCheckpointEvery);
    CHECK(s.dbg->checkpoints() == 1 + end.cycles / Debugger::kCheckpointEvery);

    // Back one step, then forward one step: the same state again.
    s.dbg->reverse_step();
    const Point before = here(s);
    CHECK(before.instructions + 1 == end.instructions);
    REQUIRE(s.dbg->step(1).kind == StopKind::Step);
    CHECK(here(s) == end);

    // Without recording the same run is the same run: the pauses are invisible.
    Session plain("bench/cpu_workload.elf", "iters=10");
    plain.dbg->add_breakpoint(Space::Linear, plain.sym("guest_exit"));
    REQUIRE(plain.dbg->cont().kind == StopKind::Breakpoint);
    CHECK(here(plain) == end);
    CHECK(plain.serial.text == s.serial.text);
}

TEST_CASE("reverse-continue goes back to the previous breakpoint hits, then to where recording began",
          "[debugger][reverse]") {
    Session s("kernel.elf");
    s.dbg->set_recording(true);
    const Point start = here(s);
    const int id = s.dbg->add_breakpoint(Space::Linear, s.sym("printk"));
    std::vector<Point> hits;
    for (int i = 0; i < 3; ++i) {
        REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
        hits.push_back(here(s));
    }
    const u64 hit_count = s.dbg->breakpoints()[0].hits;
    for (int i = 1; i >= 0; --i) {
        const StopInfo r = s.dbg->reverse_continue();
        CHECK(r.kind == StopKind::Breakpoint);
        CHECK(r.breakpoint_id == id);
        CHECK_FALSE(r.history_start);
        CHECK(here(s) == hits[static_cast<size_t>(i)]);
    }
    const StopInfo r = s.dbg->reverse_continue();
    CHECK(r.history_start);
    CHECK(here(s) == start);
    CHECK_THROWS_AS(s.dbg->reverse_continue(), DebugError);
    // Searching counted nothing; going forward again meets the same hits.
    CHECK(s.dbg->breakpoints()[0].hits == hit_count);
    for (const Point& h : hits) {
        REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
        CHECK(here(s) == h);
    }
}

TEST_CASE("reverse-continue stops at the previous watchpoint hit, after the writing instruction", "[debugger][reverse]") {
    Session s("kernel.elf");
    s.dbg->set_recording(true);
    s.dbg->add_watchpoint(Space::Linear, s.sym("_ZN12_GLOBAL__N_110printk_bufE"), 4, WatchKind::Write);
    std::vector<Point> hits;
    std::vector<u64> values;
    for (int i = 0; i < 3; ++i) {
        const StopInfo st = s.dbg->cont();
        REQUIRE(st.kind == StopKind::Watchpoint);
        hits.push_back(here(s));
        values.push_back(st.watch->value);
    }
    // A few steps on first: the search starts from wherever the machine is.
    REQUIRE(s.dbg->step(5).kind == StopKind::Step);
    for (int i = 2; i >= 0; --i) {
        const StopInfo r = s.dbg->reverse_continue();
        REQUIRE(r.kind == StopKind::Watchpoint);
        CHECK(r.watch->value == values[static_cast<size_t>(i)]);
        CHECK(here(s) == hits[static_cast<size_t>(i)]);
    }
}

TEST_CASE("reverse-continue without recording is refused with the reason", "[debugger][reverse]") {
    Session s("kernel.elf");
    s.dbg->add_breakpoint(Space::Linear, s.sym("printk"));
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    const Point p = here(s);
    CHECK_THROWS_WITH(s.dbg->reverse_continue(), Catch::Contains("turn recording on"));
    CHECK(here(s) == p);
    const std::string out = s.fail("reverse-continue");
    CHECK(out.find("record on") != std::string::npos);
}
