// What a new user met first (issue 22): deep nesting that crashed the parser,
// counts and commands that ran the guest to its end by surprise, messages that
// read wrong. Each case here failed before its fix.
#include <catch2/catch.hpp>

#include <string>

#include "debug/debug_format.hpp"
#include "session.hpp"

using namespace hm;
using namespace hm::dbg;
using namespace hm::dbg::test;

namespace {
bool has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }
}  // namespace

TEST_CASE("Deeply nested expressions are refused, not a stack overflow", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    for (const char open : {'(', '[', '-'}) {
        INFO("nesting with " << open);
        const std::string deep = "p " + std::string(20000, open) + "1";
        const auto r = s.cli->execute(deep);
        CHECK_FALSE(r.ok);
        CHECK(has(r.output, "nested too deeply"));
        // One short line, not the 20,000-character expression echoed back.
        CHECK(r.output.size() < 200);
    }
    // Reasonable nesting still works.
    CHECK(has(s.run("p ((((((((((((((((1+2))))))))))))))))+[[0x100000]-[0x100000]+0x100000]-[0x100000]+2"), "= 0x5 (5)"));
    // The guest is untouched.
    CHECK(has(s.run("c"), "exited with status 0"));
}

TEST_CASE("step refuses a negative count instead of running to the end", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    CHECK(has(s.fail("step -1"), "step: the count must be"));
    CHECK(has(s.fail("step 0"), "step: the count must be"));
    CHECK(s.dbg->registers().instructions == 0);
    s.run("step 3");
    CHECK(s.dbg->registers().instructions == 3);
}

TEST_CASE("finish with no caller is refused and the machine can go on", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    CHECK(has(s.fail("finish"), "finish: no caller"));
    CHECK(s.dbg->registers().instructions == 0);
    // Still runnable: the guest reaches its end normally.
    s.run("b dbg_leaf");
    CHECK(has(s.run("c"), "breakpoint 1"));
    CHECK(has(s.run("finish"), "returned to"));
    CHECK(has(s.run("c"), "exited with status 0"));
}

TEST_CASE("walk and regs before paging say 'paging off', once", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    const std::string walk = s.run("walk 0x1234");
    CHECK_FALSE(has(walk, "no paging paging"));
    CHECK(has(walk, "walk 0x00001234 (read, supervisor), paging off"));
    const std::string regs = s.run("regs");
    CHECK_FALSE(has(regs, "paging no paging"));
    CHECK(has(regs, "paging off"));
}

TEST_CASE("zones without a kernel is one error line, no table header", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    const std::string out = s.fail("zones");
    CHECK_FALSE(has(out, "start_pfn"));
    CHECK(out.rfind("error: ", 0) == 0);
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);
}

TEST_CASE("sregs names a 32-bit busy TSS as 32-bit", "[debugger][cmd]") {
    Session s("guest/ktest.elf", "force_highmem=32M ktest=pkmap.slot_states_0_1_n", 64 * kMiB);
    s.run("b kunmap_high");
    s.run("c");
    const std::string out = s.run("sregs");
    INFO(out);
    CHECK(has(out, "32-bit TSS (busy), DPL 0"));
    CHECK_FALSE(has(out, "system type 11, DPL 0, 16-bit"));
}

TEST_CASE("Counts of one are singular", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    s.run("until dbg_call_leaf");
    CHECK(has(s.run("info mem --ro"), "1 range,"));
    s.run("break-on invlpg");
    Session t("guest/dbg_target.elf");
    t.run("break-on invlpg");
    const std::string out = t.run("c");
    CHECK(has(out, "1 entry dropped"));
    CHECK_FALSE(has(out, "1 entries"));
}

TEST_CASE("help lists info map", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    CHECK(has(s.run("help"), "info mem|map|tlb"));
    CHECK(has(s.run("help info"), "info map"));
}

TEST_CASE("A not-present PTE is a leaf that points nowhere, not '-> table 0x0'", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    s.run("until dbg_call_leaf");
    const WalkView w = s.dbg->walk(0x60000000, Access::Read, Priv::Supervisor);
    REQUIRE(w.levels.size() == 2);
    const WalkLevel& pte = w.levels[1];
    CHECK(std::string(pte.name) == "PTE");
    CHECK_FALSE(pte.bits.present);
    CHECK(pte.leaf);  // a PTE's role does not depend on its P bit
    CHECK(walk_target_text(pte).find("not present") != std::string::npos);
    CHECK(walk_target_text(pte).find("table") == std::string::npos);
    CHECK(walk_target_text(w.levels[0]).rfind("-> table 0x", 0) == 0);
    const std::string out = s.run("walk 0x60000000");
    CHECK_FALSE(has(out, "-> table 0x000000000"));
}

TEST_CASE("walk and the table scan (info tlb) read a table outside RAM alike", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");  // 64 MiB of RAM
    s.run("until dbg_call_leaf");
    s.run("set cr4 0");           // no large pages: an all-ones PDE points to a table
    s.run("set cr3 0x7fff000");   // the page directory in open bus, above RAM
    const WalkView w = s.dbg->walk(0x1000, Access::Read, Priv::Supervisor);
    REQUIRE_FALSE(w.levels.empty());
    INFO("PDE value " << std::hex << w.levels[0].value);
    const std::string out = s.run("info tlb --range 0x1000 0x2000");
    INFO(out);
    // Both readers are the same function: what walk says is what the scan lists.
    CHECK(has(out, "0x00001000 -> ") == w.ok);
    CHECK(w.levels[0].value == 0xffffffffu);  // open bus reads all ones, as the CPU's walk would
}
