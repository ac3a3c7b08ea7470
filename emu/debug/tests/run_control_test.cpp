// Run control on real guests: breakpoints (linear and physical), steps, next,
// until, finish, interrupt, budgets, and the end of a guest.
#include <catch2/catch.hpp>

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
    // Nothing of start_kernel ran yet: the banner is printed by it.
    CHECK(s.serial.text.find("highmem386 kernel") == std::string::npos);
    const u64 insns = s.dbg->registers().instructions;
    st = s.dbg->step();
    CHECK(st.kind == StopKind::Step);
    CHECK(s.dbg->registers().instructions == insns + 1);
    CHECK(s.dbg->registers().pc() != target);
}
