// The GUI's step-back controls without a window (docs/gui.md, "Stepping back"):
// the Record checkbox, Back and Back to break issue `record on`, `rsi` and `rc`
// through the controller; each lands on the state seen going forward and the
// snapshot follows. And a savevm from the GUI carries the image's identity, so
// `hm386 run --resume` and other sessions of the same image accept it.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <thread>
#include <unistd.h>

#include "controller.hpp"
#include "controller_fixture.hpp"
#include "snapshot/snapshot_file.hpp"
#include "snapshot_options.hpp"

using namespace hm;
using namespace hm::gui;
using namespace hm::gui::test;

namespace {

RunPlan kmap_plan() {
    return guest_plan("guest/ktest.elf", 64 * kMiB,
                      "force_highmem=32M ktest=kmap_local.kunmap_leaves_its_mapping_kunmap_local_removes_it");
}


struct Seen {
    u64 cycles, instructions;
    u32 pc;
};
Seen seen(const Controller& c) { return {c.snapshot().regs.cycles, c.snapshot().regs.instructions, c.snapshot().regs.pc()}; }
void same(const Seen& a, const Seen& b) {
    CHECK(a.cycles == b.cycles);
    CHECK(a.instructions == b.instructions);
    CHECK(a.pc == b.pc);
}

}  // namespace

TEST_CASE("Record then Back and Back to break step the GUI's machine back through what it ran", "[gui][guest]") {
    Session session(kmap_plan());
    REQUIRE(session.load_symbols("").rfind("symbols:", 0) == 0);
    CommandLog log;
    Controller c(session, log);
    CHECK_FALSE(c.snapshot().recording);  // the buttons start disabled
    const Seen start = seen(c);

    c.issue("record on", "Record checkbox");
    c.issue("b __kmap_local_page_prot");
    c.issue("c");
    settle(c);
    REQUIRE(c.snapshot().recording);
    REQUIRE(c.snapshot().stop.kind == dbg::StopKind::Breakpoint);
    const Seen hit1 = seen(c);
    c.issue("c");
    settle(c);
    REQUIRE(c.snapshot().stop.kind == dbg::StopKind::Breakpoint);
    const Seen hit2 = seen(c);
    c.issue("s");
    settle(c);
    const Seen step1 = seen(c);
    c.issue("s");
    settle(c);
    REQUIRE(seen(c).instructions == step1.instructions + 1);

    c.issue("rsi", "Step back button");
    settle(c);
    same(seen(c), step1);
    CHECK(c.snapshot().prev_regs.instructions == step1.instructions + 1);  // the views compare with the stop before
    // Counters start again from here rather than going negative.
    CHECK(c.snapshot().prev_stats.cycles == c.snapshot().stats.cycles);
    CHECK(c.snapshot().prev_stats.mmu.dtlb.lookups == c.snapshot().stats.mmu.dtlb.lookups);
    CHECK(c.last_step() == "rsi");  // Enter steps back again
    c.repeat_step();
    settle(c);
    same(seen(c), hit2);

    c.issue("rc", "Reverse continue button");
    settle(c);
    same(seen(c), hit1);
    CHECK(c.snapshot().stop.kind == dbg::StopKind::Breakpoint);
    c.issue("rc", "Reverse continue button");
    settle(c);
    same(seen(c), start);
    CHECK(c.snapshot().stop.message.find("where recording began") != std::string::npos);

    c.issue("record off", "Record checkbox");
    settle(c);
    CHECK_FALSE(c.snapshot().recording);
}

TEST_CASE("a savevm from the GUI carries the image's identity", "[gui][guest]") {
    const RunPlan plan = kmap_plan();
    Session session(plan);
    CommandLog log;
    Controller c(session, log);
    char path[] = "/tmp/hm386-gui-savevm-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    c.issue("s 100");
    c.issue(std::string("savevm ") + path);
    settle(c);
    const std::vector<u8> file = snap::read_file_bytes(path);
    std::remove(path);
    const SnapshotHeader h = read_snapshot_header(file);
    CHECK(h.identity.image_hash != 0);
    CHECK(h.identity.image_hash == image_identity(plan));
    CHECK(h.identity.boot == boot_description(plan));
}
