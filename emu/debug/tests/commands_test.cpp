// The command language, command by command, on the debugger's test guest and
// the kernel: each command's output says what the struct API says, and every
// bad request is one "error:" line that changes nothing.
#include <catch2/catch.hpp>

#include <sstream>

#include "session.hpp"

using namespace hm;
using namespace hm::dbg;
using namespace hm::dbg::test;
using Catch::Contains;

namespace {
bool has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }
std::string hex8(u64 v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08llx", static_cast<unsigned long long>(v));
    return b;
}
}  // namespace

TEST_CASE("cmd: continue, break, tbreak, pbreak, info break, delete, enable, disable", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    std::string out = s.run("break dbg_call_leaf");
    CHECK(has(out, "breakpoint 1 at linear " + hex8(s.sym("dbg_call_leaf")) + " <dbg_call_leaf>"));
    out = s.run("pb dbg_leaf");  // physical == linear here (identity)
    CHECK(has(out, "breakpoint 2 at physical"));
    out = s.run("tb dbg_port_io");
    CHECK(has(out, "temporary breakpoint 3"));
    out = s.run("info break");
    CHECK(has(out, "1   break"));
    CHECK(has(out, "2   break       yes          0  physical"));
    CHECK(has(out, "3   tbreak"));
    out = s.run("c");
    CHECK(has(out, "breakpoint 1 at " + hex8(s.sym("dbg_call_leaf")) + " <dbg_call_leaf>"));
    out = s.run("continue");
    CHECK(has(out, "breakpoint 2 at " + hex8(s.sym("dbg_leaf"))));
    s.run("disable 3");
    out = s.run("info b");
    CHECK(has(out, "3   tbreak      no"));
    s.run("enable 3");
    out = s.run("cont");
    CHECK(has(out, "stopped at " + hex8(s.sym("dbg_port_io"))));  // the temporary one, now gone
    CHECK_FALSE(has(s.run("info break"), "tbreak"));
    s.run("delete 1 2");
    CHECK(has(s.run("info break"), "no breakpoints"));
    CHECK(has(s.run("c"), "the guest exited with status 0"));
    CHECK(has(s.fail("delete 42"), "error: no breakpoint, watchpoint or event break 42"));
    CHECK(has(s.fail("enable"), "error: enable: missing id"));
}

TEST_CASE("cmd: step, next, until, finish and what they print", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    s.run("until dbg_call_leaf");
    CHECK(s.dbg->registers().pc() == s.sym("dbg_call_leaf"));
    std::string out = s.run("s");
    CHECK(has(out, "stepped to"));
    CHECK(has(out, "=> 0x"));  // the next instruction is shown
    const u64 before = s.dbg->registers().instructions;
    s.run("step 2");
    CHECK(s.dbg->registers().instructions == before + 2);
    // push ebp; mov ebp, esp; push 20: now at the call. next steps over it.
    REQUIRE(s.dbg->disassemble(s.dbg->registers().pc(), 1)[0].is_call);
    out = s.run("n");
    CHECK(has(out, "stepped to"));
    CHECK(s.dbg->registers().gpr[reg::EAX] == 41);
    s.run("until dbg_leaf");  // never reached again: runs to the end
    CHECK(s.dbg->last_stop().kind == StopKind::Exited);
    Session t("guest/dbg_target.elf");
    t.run("b dbg_leaf");
    t.run("c");
    out = t.run("finish");
    CHECK(has(out, "returned to"));
    CHECK(has(out, "dbg_call_leaf+0x"));
    CHECK(has(t.fail("step 0"), "at least 1"));
    CHECK(has(t.fail("step x"), "no symbol 'x'"));
    CHECK(has(t.fail("until"), "missing address"));
}

TEST_CASE("cmd: watch and break-on, with their stop messages", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    const u32 page = s.sym("shared_page");
    std::string out = s.run("watch w phys shared_page+0x10 4");
    CHECK(has(out, "watchpoint 1: w physical " + hex8(page + 0x10) + " len 4"));
    out = s.run("c");
    CHECK(has(out, "watchpoint 1: write of 4 bytes at linear 0x40000010"));
    CHECK(has(out, "0x0 -> 0x11111111"));
    s.run("delete");
    out = s.run("watch r lin 0x40001010");
    CHECK(has(out, "r linear 0x40001010 len 4"));
    CHECK(has(s.run("c"), "read of 4 bytes at linear 0x40001010"));
    s.run("delete");
    out = s.run("break-on pf");
    CHECK(has(out, "event break 3: pf"));
    s.run("break-on exc 6");
    s.run("break-on io 0x80");
    s.run("break-on invlpg");
    s.run("break-on cr3");
    s.run("break-on flush");
    CHECK(has(s.run("c"), "event break 6 (invlpg): TLB flush: INVLPG 0x40000000"));
    CHECK(has(s.run("c"), "event break 7 (cr3): TLB flush: CR3 write"));
    CHECK(has(s.run("c"), "event break 5 (io): out port 0x0080 size 1 value 0x42"));
    out = s.run("c");
    CHECK(has(out, "event break 3 (pf): exception #PF error 0x0000 (not present, read, supervisor) cr2 0x60000000"));
    CHECK(has(s.run("c"), "event break 4 (exc): exception #UD"));
    CHECK(has(s.run("info break"), "break-on    yes          1  io 0x0080"));
    CHECK(has(s.fail("watch x lin 0 4"), "expected r, w or rw"));
    CHECK(has(s.fail("watch w mem 0 4"), "expected lin or phys"));
    CHECK(has(s.fail("break-on nothing"), "unknown event 'nothing'"));
    CHECK(has(s.fail("break-on exc 99"), "0 to 31"));
    Session t("guest/triple.elf");
    t.run("break-on triple");
    CHECK(has(t.run("c"), "event break 1 (triple): triple fault"));
}

TEST_CASE("cmd: regs, sregs, cregs, set, and the changed-register marks", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    s.run("until dbg_alias_writes");
    std::string out = s.run("regs");
    CHECK(has(out, "eip    " + hex8(s.sym("dbg_alias_writes")) + "* <dbg_alias_writes>"));
    CHECK(has(out, "paging two-level"));
    out = s.run("set ebx 0x55");
    CHECK(has(out, "ebx = 0x00000055"));
    CHECK(has(s.run("regs"), "ebx    0x00000055*"));
    s.run("set eax = 7");
    CHECK(s.dbg->registers().gpr[reg::EAX] == 7);
    out = s.run("sregs");
    CHECK(has(out, "cs   0x0008"));
    CHECK(has(out, "code RX, DPL 0, 32-bit"));
    CHECK(has(out, "gdtr base"));
    out = s.run("cregs");
    CHECK(has(out, "cr0  0x80000011"));
    CHECK(has(out, "PE ET PG"));
    CHECK(has(out, "cr4  0x00000010* PSE"));
    CHECK(has(out, "page directory at " + hex8(s.sym("pgdir"))));
    CHECK(has(s.fail("set cs 0x10"), "real mode"));
    CHECK(has(s.fail("set rax 1"), "no register or setting 'rax'"));
    s.run("set syntax att");
    CHECK(has(s.run("disas dbg_leaf 1"), "pushl"));
    s.run("set syntax intel");
    CHECK(has(s.fail("set syntax pdp11"), "intel or att"));
}

TEST_CASE("cmd: x, xp, write, print, assert, echo", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    s.run("until dbg_call_leaf");
    std::string out = s.run("x /4xw 0x40000010");
    CHECK(has(out, "0x40000010: 0x22222222 0x00000000 0x00000000 0x00000000"));
    out = s.run("x/2xb 0x40000010");  // gdb's spelling, glued to the command
    CHECK(has(out, "0x40000010: 0x22 0x22"));
    const u32 page = s.sym("shared_page");
    out = s.run("xp /1xg " + hex8(page + 0x10));
    CHECK(has(out, "p " + hex8(page + 0x10) + ": 0x0000000022222222"));
    out = s.run("x /2dh 0x80100000");  // the Multiboot magic 0x1BADB002 as signed halves
    CHECK(has(out, "-20478 7085"));
    s.run("write lin 0x40000020 0x00696821");  // "!hi" and its NUL
    CHECK(has(s.run("x /s 0x40000020"), "0x40000020: \"!hi\""));
    CHECK(has(s.run("x /5c 0x40000020"), "0x40000020: !hi.."));
    out = s.run("x /3i dbg_leaf");
    CHECK(has(out, "<dbg_leaf>:"));
    CHECK(has(out, "push    ebp"));
    s.run("write lin 0x40000014 0xabcd 2");
    CHECK(s.dbg->read_value(Space::Physical, page + 0x14, 2) == 0xABCD);
    s.run("write phys " + hex8(page + 0x18) + " 0x01020304");
    CHECK(has(s.run("x /1xw 0x40001018"), "0x01020304"));
    out = s.run("print dbg_leaf+2*3");
    CHECK(has(out, "= " + [&] { char b[16]; std::snprintf(b, sizeof b, "0x%x", s.sym("dbg_leaf") + 6); return std::string(b); }()));
    CHECK(has(out, "<dbg_leaf+0x6>"));
    CHECK(has(s.run("p [0x40000010]"), "= 0x22222222"));
    CHECK(has(s.run("p (1+2)*-1"), "0xfffffffffffffffd"));
    CHECK(has(s.run("assert [0x40000010] == 0x22222222"), "ok:"));
    CHECK(has(s.run("assert $cr0"), "ok:"));
    CHECK(has(s.fail("assert $eax == 12345"), "assertion failed: $eax == 12345"));
    CHECK(has(s.fail("assert 0"), "assertion failed: 0 is 0"));
    CHECK(has(s.run("echo hello there"), "hello there\n"));
    // Bad requests.
    CHECK(has(s.fail("x /4q 0"), "unknown format letter 'q'"));
    CHECK(has(s.fail("x 0x60000000"), "linear 0x60000000 is not mapped"));
    CHECK(has(s.fail("xp 0xf0000000"), "open bus"));
    CHECK(has(s.fail("x /0x 0"), "count must be 1 to 65536"));
    CHECK(has(s.fail("write lin 0x60000000 1"), "not mapped"));
    CHECK(has(s.fail("write lin 0x1000 0x1ff 1"), "does not fit"));
    CHECK(has(s.fail("print c0100000"), "write hex numbers as 0xc0100000"));
    CHECK(has(s.fail("print 0x"), "needs digits"));
    CHECK(has(s.fail("print 12ab"), "not a decimal number"));
    CHECK(has(s.fail("print (1"), "missing ')'"));
    CHECK(has(s.fail("print $nope"), "no register '$nope'"));
    CHECK(has(s.fail("print 99999999999999999999"), "too large"));
    CHECK(has(s.fail("p [0x60000000]"), "not mapped"));
}

TEST_CASE("cmd: walk, tlb, aliases, info mem / tlb / map with filters", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    s.run("until dbg_call_leaf");
    const u32 page = s.sym("shared_page");
    std::string out = s.run("walk 0x40000010");
    CHECK(has(out, "walk 0x40000010 (read, supervisor), two-level paging"));
    CHECK(has(out, "PDE  [ 256]"));
    CHECK(has(out, "PTE  [   0]"));
    CHECK(has(out, "P RW S A D  -> frame"));
    CHECK(has(out, "=> physical 0x0" + hex8(page + 0x10).substr(2) + " (4 KiB page, srwx)"));
    CHECK(has(out, "DTLB 0x40000000 ->"));
    out = s.run("walk 0x40001010 w user");
    CHECK(has(out, "#PF error 0x0007 (protection, write, user): rights deny the access at the PTE"));
    out = s.run("walk 0x60000000");
    CHECK(has(out, "not present at the PTE"));
    out = s.run("page 0x80123456 x");  // alias of walk
    CHECK(has(out, "PS"));
    CHECK(has(out, "4 MiB page"));
    out = s.run("tlb d");
    CHECK(has(out, "DTLB: "));
    CHECK(has(out, "DTLB 0x40000000 -> 0x0" + hex8(page).substr(2)));
    CHECK_FALSE(has(out, "ITLB"));
    CHECK(has(s.run("tlb i"), "ITLB: "));
    CHECK(has(s.run("tlb --stale"), "0 stale"));
    out = s.run("aliases " + hex8(page));
    CHECK(has(out, "is mapped at 4 linear pages"));
    CHECK(has(out, "0x40001000"));
    out = s.run("info mem");
    CHECK(has(out, "0x00001000-0x00400000 0x003ff000 srwx"));
    CHECK(has(out, "0x40001000-0x40002000 0x00001000 sr-x"));
    CHECK(has(out, "4 ranges"));
    out = s.run("info mem --ro");
    CHECK(has(out, "1 range, 1 leaf"));
    out = s.run("info tlb --range 0x3fe000 0x40001000");
    CHECK(has(out, "0x003fe000 -> "));
    CHECK(has(out, "0x40000000 -> "));
    CHECK(has(out, "3 pages"));
    out = s.run("info tlb --phys " + hex8(page));
    CHECK(has(out, "4 pages"));
    CHECK(has(s.run("info map"), "4 ranges"));
    CHECK(has(s.fail("walk 0x100000000"), "32 bits"));
    CHECK(has(s.fail("walk 0 z"), "unknown option 'z'"));
    CHECK(has(s.fail("tlb q"), "expected i or d"));
    CHECK(has(s.fail("info mem --range 5 4"), "LO < HI"));
    CHECK(has(s.fail("info mem --bogus"), "unexpected '--bogus'"));
    CHECK(has(s.fail("info frobs"), "unknown topic"));
    Session off("guest/dbg_target.elf");
    CHECK(has(off.run("info mem"), "paging is off"));
    CHECK(has(off.run("walk 0x1234"), "paging is off: physical 0x00001234"));
}

TEST_CASE("cmd: bt follows frame pointers, also at a function's first instruction", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    s.run("b dbg_leaf");
    s.run("c");
    std::string out = s.run("bt");
    CHECK(has(out, "#0 " + hex8(s.sym("dbg_leaf")) + " <dbg_leaf>"));
    CHECK(has(out, "#1 0x"));
    CHECK(has(out, "<dbg_call_leaf+0x"));
    CHECK(has(out, "<guest_main+0x"));
    s.run("step 2");  // after push ebp; mov ebp, esp
    const auto frames = s.dbg->backtrace();
    REQUIRE(frames.size() >= 3);
    CHECK(frames[1].symbol.rfind("dbg_call_leaf+0x", 0) == 0);
    CHECK(frames[2].symbol.rfind("guest_main+0x", 0) == 0);
    CHECK(has(s.run("where 1"), "#0"));
    CHECK_FALSE(has(s.run("bt 1"), "#1"));
    CHECK(has(s.fail("bt 0"), "1 to 4096"));
    Session k("kernel.elf");
    k.run("b machine_power_off");
    k.run("c");
    out = k.run("bt");
    CHECK(has(out, "<kernel_init+0x"));  // the init thread's body
    CHECK(has(out, "<kthread_entry+0x"));
}

TEST_CASE("cmd: disas, sym, info sym, sym-file", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    std::string out = s.run("disas");
    CHECK(has(out, "=> 0x"));
    CHECK(std::count(out.begin(), out.end(), '\n') >= 10);
    out = s.run("disas dbg_leaf 3 --att");
    CHECK(has(out, "<dbg_leaf>:"));
    CHECK(has(out, "movl    %esp, %ebp"));
    out = s.run("sym dbg_leaf");
    CHECK(has(out, hex8(s.sym("dbg_leaf")) + " function"));
    out = s.run("sym shared_page");
    CHECK(has(out, "(anonymous namespace)::shared_page"));
    CHECK(has(out, "[_ZN12_GLOBAL__N_111shared_pageE]"));
    CHECK(has(s.run("info sym dbg_leaf+3"), "is dbg_leaf+0x3"));
    CHECK(has(s.run("info sym 0x10"), "no symbol matches"));
    CHECK(has(s.fail("sym nothing_like_it"), "no symbol 'nothing_like_it'"));
    CHECK(has(s.fail("sym-file /no/such/file"), "cannot read symbol file"));
    out = s.run("sym-file " + build_path("kernel.elf"));
    CHECK(has(out, "loaded"));
    CHECK(has(s.run("sym kmap_high"), "kmap_high(page*)"));
    CHECK(has(s.fail("disas 0 0"), "count must be 1 to 10000"));
}

TEST_CASE("cmd: pkmap, kmap-local, zones on the kernel", "[debugger][cmd]") {
    Session s("guest/ktest.elf", "force_highmem=32M ktest=pkmap.slot_states_0_1_n", 64 * kMiB);
    s.run("b kunmap_high");
    s.run("c");
    std::string out = s.run("pkmap");
    CHECK(has(out, "pkmap window: LAST_PKMAP 1024 slots at 0xff800000"));
    CHECK(has(out, "1 in use"));
    CHECK(has(out, "2 users"));
    const PkmapView v = s.dbg->pkmap();
    unsigned listed = 0;
    for (const PkmapSlot& sl : v.slots) listed += sl.count != 0 || sl.pte_present;
    CHECK(std::count(out.begin(), out.end(), '\n') == 2 + static_cast<long>(listed));
    out = s.run("pkmap --all");
    CHECK(std::count(out.begin(), out.end(), '\n') == 2 + 1024);
    out = s.run("kmap-local");
    CHECK(has(out, "pid 0 swapper/0"));
    CHECK(has(out, "(current)"));
    out = s.run("tasks");  // alias
    CHECK(has(out, "kmap_local slot"));
    out = s.run("zones");
    CHECK(has(out, "HighMem"));
    CHECK(has(out, "      8192      8192"));  // spanned and present pages of 32 MiB
    Session t("guest/dbg_target.elf");
    CHECK(has(t.fail("pkmap"), "no symbol 'paging'"));
}

TEST_CASE("cmd: stats, log, display, undisplay, help, quit, unknown commands", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    s.run("until dbg_ud");
    std::string out = s.run("stats");
    CHECK(has(out, "DTLB: lookups"));
    CHECK(has(out, "exceptions: #PF 1"));
    CHECK(has(out, "page faults 1"));
    out = s.run("log");
    CHECK(has(out, "exception #PF error 0x0000"));
    CHECK(has(out, "TLB flush: INVLPG 0x40000000"));
    out = s.run("log 1");
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    s.run("set log walk,io");
    s.run("log clear");
    CHECK(has(s.run("log"), "the event log is empty"));
    s.run("s");
    CHECK(has(s.fail("set log cookies"), "unknown kind 'cookies'"));
    CHECK(has(s.run("display regs"), "display 1: regs"));
    s.run("display x /1xw $esp");
    out = s.run("s");
    CHECK(has(out, "[display 1] regs"));
    CHECK(has(out, "[display 2] x /1xw $esp"));
    CHECK(has(s.run("info display"), "2: x /1xw $esp"));
    s.run("undisplay 1");
    out = s.run("s");
    CHECK_FALSE(has(out, "[display 1] regs"));
    CHECK(has(out, "[display 1] x /1xw $esp"));
    s.run("undisplay");
    CHECK(has(s.run("display"), "no displays"));
    CHECK(has(s.fail("display frobnicate"), "unknown command 'frobnicate'"));
    out = s.run("help");
    CHECK(has(out, "break-on pf|exc [N]|cr3|invlpg|flush|triple|io [PORT]"));
    CHECK(has(s.run("help walk"), "aliases: page"));
    CHECK(has(s.fail("help nothing"), "no command 'nothing'"));
    CHECK(has(s.fail("frobnicate"), "error: unknown command 'frobnicate' (try: help)"));
    CHECK(has(s.fail("regs extra"), "unexpected 'extra'"));
    CHECK(s.cli->execute("   # only a comment").output.empty());
    auto q = s.cli->execute("quit");
    CHECK(q.ok);
    CHECK(q.quit);
}

TEST_CASE("Scripts run line by line, echo each command, and stop at the first failure", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    std::istringstream script(
        "# a comment line\n"
        "b dbg_leaf\n"
        "\n"
        "c\n"
        "assert $eip == dbg_leaf\n"
        "assert [$esp+4] == 20   # the argument\n"
        "assert $eax == 1\n"
        "echo never printed\n");
    std::ostringstream out;
    CHECK_FALSE(s.cli->run_script(script, out, "test.hm386"));
    const std::string text = out.str();
    CHECK(has(text, "(hm386) b dbg_leaf\nbreakpoint 1"));
    CHECK(has(text, "ok: [$esp+4] == 20"));
    CHECK(has(text, "error: assertion failed: $eax == 1"));
    CHECK(has(text, "test.hm386:7: the script stops here"));
    CHECK_FALSE(has(text, "never printed"));
    std::istringstream good("b dbg_leaf\nc\nquit\necho after quit\n");
    std::ostringstream out2;
    Session t("guest/dbg_target.elf");
    CHECK(t.cli->run_script(good, out2, "good"));
    CHECK_FALSE(has(out2.str(), "after quit"));
}

TEST_CASE("Garbage never crashes the interpreter", "[debugger][cmd]") {
    Session s("guest/dbg_target.elf");
    const char* lines[] = {"x /", "x /999999999999x 0", "xp", "walk", "walk [", "print ]", "print [[", "print $",
                           "b", "b 0xffffffffff", "pb 0x1000000000", "watch", "watch rw", "watch rw lin",
                           "watch rw lin 0 0", "watch w phys 0xfffffffff 0x10", "set", "set eax", "write",
                           "write lin", "write lin 0", "write lin 0 1 3", "info", "info sym", "aliases",
                           "aliases 0x1000000000", "disas 0x100000000", "until 0x100000000", "log x", "undisplay 9",
                           "print 1+", "print --", "print 0x10000000000000000", "x /s 0x60000000",
                           "set log-size 0", "set track-tables maybe"};
    for (const char* l : lines) {
        INFO(l);
        auto r = s.cli->execute(l);
        CHECK_FALSE(r.ok);
        CHECK(r.output.rfind("error: ", 0) == 0);
        CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
    }
    // The guest is untouched and still runs to its end.
    CHECK(has(s.run("c"), "exited with status 0"));
}
