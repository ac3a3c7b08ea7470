// The controller without a window, on a real guest (build/guest/ktest.elf): the
// commands a script or a panel issues run on the worker thread, the snapshot
// follows each stop, views follow `walk` and `x`, and bad input ends as an error
// line in the log, never as a crash.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <unistd.h>
#include <thread>

#include "controller.hpp"
#include "controller_fixture.hpp"

using namespace hm;
using namespace hm::gui;
using namespace hm::gui::test;

namespace {

RunPlan ktest_plan(const std::string& tests) {
    return guest_plan("guest/ktest.elf", 64 * kMiB, "force_highmem=32M ktest=" + tests);
}


bool log_has(const CommandLog& log, LogLine::Kind kind, const std::string& text) {
    for (const LogLine& l : log.lines()) {
        if (l.kind == kind && l.text.find(text) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("run to kmap_local_page, step, and walk the address it returned", "[gui][guest]") {
    Session session(ktest_plan("kmap_local.kunmap_leaves_its_mapping_kunmap_local_removes_it"));
    REQUIRE(session.load_symbols("").rfind("symbols:", 0) == 0);
    CommandLog log;
    Controller c(session, log);
    const u32 entry_pc = c.snapshot().regs.pc();
    const u32 target = *session.debugger().symbols().address_of("__kmap_local_page_prot");

    c.issue("b __kmap_local_page_prot");
    c.issue("c");
    settle(c);
    const Snapshot& s = c.snapshot();
    REQUIRE(s.stop.kind == dbg::StopKind::Breakpoint);
    CHECK(s.regs.pc() == target);
    CHECK(s.regs.pc() != entry_pc);
    CHECK(log_has(log, LogLine::Kind::Command, "(hm386) c"));
    // The listing shows EIP, from the function's first instruction.
    REQUIRE_FALSE(s.disasm.empty());
    CHECK(s.disasm.front().linear == target);
    // Registers moved since the first stop, and the snapshot knows it.
    CHECK(s.changed != 0);
    REQUIRE(s.breakpoints.size() == 1);
    CHECK(s.breakpoint_symbols[0].find("__kmap_local_page_prot") == 0);

    // Steps: one instruction each; the baselines move with every stop.
    const u64 insns = s.regs.instructions;
    c.issue("s");
    c.issue("s");
    settle(c);
    CHECK(c.snapshot().regs.instructions == insns + 2);
    CHECK(c.snapshot().prev_regs.instructions == insns + 1);

    // The returned address, walked: the walk view follows the command.
    c.issue("finish");
    settle(c);
    const u32 vaddr = c.snapshot().regs.gpr[reg::EAX];
    c.issue("walk $eax");
    settle(c);
    const dbg::WalkView& w = c.snapshot().walk;
    CHECK(w.linear == vaddr);
    CHECK(w.ok);
    CHECK(w.mapped);
    CHECK_FALSE(w.levels.empty());
    CHECK(c.view().walk_addr == vaddr);
    CHECK(log_has(log, LogLine::Kind::Output, "physical"));

    // The memory view follows x/xp, in the space asked for.
    c.issue("xp /4xw 0x1000");
    settle(c);
    CHECK(c.snapshot().mem.space == dbg::Space::Physical);
    CHECK(c.snapshot().mem.addr == 0x1000);
    CHECK(c.snapshot().mem.bytes.size() == c.view().mem_rows * 16);
}

TEST_CASE("bad input is an error line in the log and the session goes on", "[gui][guest]") {
    Session session(ktest_plan("kmap_local.kunmap_leaves_its_mapping_kunmap_local_removes_it"));
    session.load_symbols("");
    CommandLog log;
    Controller c(session, log);
    const u32 pc = c.snapshot().regs.pc();
    c.issue("no-such-command 1 2");
    c.issue("walk no_such_symbol");
    c.issue("x /4xw 0xdead0000+");
    c.issue("b");
    c.issue("screenshot");  // a GUI command without its file
    c.issue("s");
    settle(c);
    int errors = 0;
    for (const LogLine& l : log.lines()) errors += l.kind == LogLine::Kind::Error;
    CHECK(errors >= 5);
    // The step after the errors still ran.
    CHECK(c.snapshot().regs.pc() != pc);
    CHECK_FALSE(c.quit_requested());
    CHECK(c.exit_status() == 0);
}

TEST_CASE("a failing script line ends the script and asks to quit with status 1", "[gui][guest]") {
    Session session(ktest_plan("kmap_local.kunmap_leaves_its_mapping_kunmap_local_removes_it"));
    session.load_symbols("");
    CommandLog log;
    Controller c(session, log);
    const std::string path = "/tmp/hm386_gui_script_" + std::to_string(::getpid()) + ".txt";
    {
        std::ofstream(path) << "# a comment\ns\nassert $eip == 0\ns\n";
    }
    REQUIRE(c.load_script(path));
    const u64 insns = c.snapshot().regs.instructions;
    settle(c);
    std::remove(path.c_str());
    CHECK(c.quit_requested());
    CHECK(c.exit_status() == 1);
    // Only the first step ran: the script stopped at the assert.
    CHECK(c.snapshot().regs.instructions == insns + 1);
    CHECK(log_has(log, LogLine::Kind::Error, ":3: the script stops"));
}

TEST_CASE("Enter repeats the last step command", "[gui][guest]") {
    Session session(ktest_plan("kmap_local.kunmap_leaves_its_mapping_kunmap_local_removes_it"));
    CommandLog log;
    Controller c(session, log);
    const u64 insns = c.snapshot().regs.instructions;
    c.issue("s 3");
    settle(c);
    c.repeat_step();
    settle(c);
    CHECK(c.snapshot().regs.instructions == insns + 6);
    CHECK(log_has(log, LogLine::Kind::Command, "(hm386) s 3    # Enter repeats the last step"));
}

TEST_CASE("the screenshot command waits for frames and reports the file", "[gui][guest]") {
    Session session(ktest_plan("kmap_local.kunmap_leaves_its_mapping_kunmap_local_removes_it"));
    CommandLog log;
    Controller c(session, log);
    c.issue("screenshot /tmp/never-written.png");
    c.poll();
    // No window here: the frame loop would capture after two more frames.
    CHECK_FALSE(c.idle());
    CHECK_FALSE(c.screenshot_due().has_value());
    CHECK_FALSE(c.screenshot_due().has_value());
    const auto due = c.screenshot_due();
    REQUIRE(due.has_value());
    CHECK(*due == "/tmp/never-written.png");
    c.screenshot_done(*due, "", 640, 400);
    CHECK(c.idle());
    CHECK(log_has(log, LogLine::Kind::Output, "wrote /tmp/never-written.png (640x400)"));
}

TEST_CASE("20,000 nested parentheses are an error line, not a crash of the window (issue 22)", "[gui][guest]") {
    Session session(ktest_plan("kmap_local.kunmap_leaves_its_mapping_kunmap_local_removes_it"));
    session.load_symbols("");
    CommandLog log;
    Controller c(session, log);
    c.issue("p " + std::string(20000, '(') + "1");
    c.issue("p " + std::string(20000, '[') + "1");
    c.issue("p 1+2");
    settle(c);
    int nested = 0;
    bool three = false;
    for (const LogLine& l : log.lines()) {
        nested += l.kind == LogLine::Kind::Error && l.text.find("nested too deeply") != std::string::npos;
        three = three || l.text.find("= 0x3 (3)") != std::string::npos;
    }
    CHECK(nested == 2);
    CHECK(three);  // the session goes on
}
