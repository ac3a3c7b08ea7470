// Run control on any CPU of an -smp N machine (guest-tests/smp/smp_boot.elf:
// the BSP starts the APs with INIT/SIPI; each calls announce(), then ap_main()
// sends the BSP an IPI and halts; the BSP calls announce() once itself).
// Steps count the selected CPU's instructions while every CPU runs in the
// round-robin; breakpoints name the CPU that hit them and can be restricted to
// one; and a stop on any CPU is the same machine state as the same point
// reached by counting instructions, and the run goes on as if never stopped.
#include <catch2/catch.hpp>

#include "session.hpp"

using namespace hm;
using namespace hm::dbg;
using namespace hm::dbg::test;

namespace {
bool has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }

constexpr unsigned kCpus = 2;

// Every CPU's registers and counters, and the machine's digest.
void require_same_machine(Session& a, Session& b) {
    for (unsigned i = 0; i < kCpus; ++i) {
        INFO("cpu " << i);
        const RegisterFile ra = a.dbg->raw_registers(i), rb = b.dbg->raw_registers(i);
        CHECK(ra.eip == rb.eip);
        CHECK(ra.cycles == rb.cycles);
        CHECK(ra.instructions == rb.instructions);
        for (unsigned r = 0; r < 8; ++r) CHECK(ra.gpr[r] == rb.gpr[r]);
    }
    CHECK(a.machine->state_hash() == b.machine->state_hash());
}

// Runs a session to the guest's end and returns what a plain run reports.
struct End {
    u64 hash, cycles0, cycles1;
    std::string serial;
};
// The same for a guest whose exit status is not 0 (platform_suite without its
// fw_cfg CPU count check passing at -smp 2).
End run_to_end_any(Session& s) {
    StopInfo st;
    do st = s.dbg->cont();
    while (st.can_continue() && st.kind != StopKind::CycleLimit);
    REQUIRE(st.kind == StopKind::Exited);
    return {s.machine->state_hash(), s.machine->cpu_state(0).cycles, s.machine->cpu_state(1).cycles, s.serial.text};
}

End run_to_end(Session& s) {
    StopInfo st;
    do st = s.dbg->cont();
    while (st.can_continue() && st.kind != StopKind::CycleLimit);
    REQUIRE(st.kind == StopKind::Exited);
    CHECK(st.exit_status == 0);
    return {s.machine->state_hash(), s.machine->cpu_state(0).cycles, s.machine->cpu_state(1).cycles, s.serial.text};
}
}  // namespace

TEST_CASE("smp: a breakpoint says which CPU hit it, and selects that CPU", "[debugger][run][smp]") {
    Session s("guest-tests/smp/smp_boot.elf", "", 64 * kMiB, 3);
    const u32 ap_main = s.sym("ap_main");
    s.run("break ap_main");
    // Both APs get their SIPI at once; CPU 1 has its turn first in every round.
    std::string out = s.run("continue");
    CHECK(has(out, "cpu 1: breakpoint 1 at 0x00100050 <ap_main>"));
    CHECK(s.dbg->last_stop().cpu == 1);
    CHECK(s.dbg->selected_cpu() == 1);
    CHECK(s.machine->cpu_state(1).eip == ap_main);
    CHECK(has(s.run("regs"), "cpu 1  cs:eip"));
    out = s.run("continue");
    CHECK(has(out, "cpu 2: breakpoint 1 at 0x00100050 <ap_main>"));
    CHECK(s.dbg->selected_cpu() == 2);
    CHECK(s.machine->cpu_state(1).eip != ap_main);  // CPU 1 went on past it
    CHECK(has(s.run("info break"), "break       yes          2"));
    out = s.run("continue");
    CHECK(has(out, "the guest exited with status 0"));
    CHECK(has(s.serial.text, "smp-boot: PASS"));
}

TEST_CASE("smp: break ADDR cpu K stops only CPU K there", "[debugger][run][smp]") {
    Session s("guest-tests/smp/smp_boot.elf", "", 64 * kMiB, 3);
    std::string out = s.run("break ap_main cpu 2");
    CHECK(has(out, "breakpoint 1 at linear 0x00100050 <ap_main> on cpu 2"));
    CHECK(has(s.run("info break"), "<ap_main> on cpu 2"));
    out = s.run("continue");  // CPU 1 passes ap_main first
    CHECK(has(out, "cpu 2: breakpoint 1 at"));
    CHECK(s.dbg->breakpoints().at(0).hits == 1);
    CHECK(s.machine->cpu_state(1).eip != s.sym("ap_main"));
    CHECK(s.machine->cpu_state(1).instructions > 0);
    CHECK(has(s.fail("break ap_main cpu 3"), "the machine has 3 CPUs (0 to 2)"));
    CHECK(has(s.fail("break ap_main cpu x"), "expected a CPU number"));
    CHECK(has(s.fail("break ap_main cpu"), "missing CPU number"));
    CHECK(has(s.fail("break ap_main thread 1"), "unexpected 'thread'"));
    // A breakpoint on a CPU that never gets there: the guest runs to its end.
    s.run("delete");
    s.run("break ap_main cpu 0");
    CHECK(has(s.run("continue"), "the guest exited with status 0"));
}

TEST_CASE("smp: step N on the selected CPU counts that CPU's instructions while all run", "[debugger][run][smp]") {
    Session s("guest-tests/smp/smp_boot.elf", "", 64 * kMiB, kCpus);
    s.run("cpu 1");
    // CPU 1 waits for its SIPI: its first step is the first instruction of the
    // trampoline, after the BSP ran its start-up code.
    std::string out = s.run("step");
    CHECK(has(out, "cpu 1: stepped to"));
    CHECK(s.machine->cpu_state(1).instructions == 1);
    CHECK(s.machine->cpu_state(0).instructions > 1000);
    CHECK(s.dbg->selected_cpu() == 1);
    out = s.run("step 5");
    CHECK(s.machine->cpu_state(1).instructions == 6);
    CHECK(s.dbg->last_stop().instructions == 5);
    CHECK(s.dbg->last_stop().cpu == 1);
    // until acts on the selected CPU.
    out = s.run("until ap_main");
    CHECK(has(out, "cpu 1: stopped at 0x00100050 <ap_main>"));
    out = s.run("next");
    CHECK(has(out, "cpu 1: stepped to 0x00100051 <ap_main+0x1>"));
    // finish on CPU 0: from bm::putc back to its caller.
    s.run("cpu 0");
    out = s.run("until _ZN2bm4putcEc");
    CHECK(has(out, "cpu 0: stopped at"));
    out = s.run("finish");
    CHECK(has(out, "cpu 0: returned to"));
    CHECK(s.dbg->selected_cpu() == 0);
}

TEST_CASE("smp: a stop on any CPU is the same state as a stop by that CPU's instruction count, and the run goes on "
          "as a plain run",
          "[debugger][run][smp]") {
    // Plain: no stop at all.
    Session plain("guest-tests/smp/smp_boot.elf", "", 64 * kMiB, kCpus);
    const End ref = run_to_end(plain);

    struct Case {
        const char* where;
        u32 offset;
        unsigned cpu;
    };
    // ap_main+0x36 is the AP's write of the IPI to the BSP; smp_ipi the BSP's handler.
    for (const Case c : {Case{"ap_main", 0, 1}, Case{"ap_main", 0x36, 1}, Case{"smp_ipi", 0, 0},
                         Case{"ipi_common", 0, 0}}) {
        INFO(c.where << "+" << c.offset << " on cpu " << c.cpu);
        Session a("guest-tests/smp/smp_boot.elf", "", 64 * kMiB, kCpus);
        a.dbg->add_breakpoint(Space::Linear, a.sym(c.where) + c.offset, false, static_cast<int>(c.cpu));
        REQUIRE(a.dbg->cont().kind == StopKind::Breakpoint);
        REQUIRE(a.dbg->last_stop().cpu == c.cpu);
        const u64 n = a.machine->cpu_state(c.cpu).instructions;

        Session b("guest-tests/smp/smp_boot.elf", "", 64 * kMiB, kCpus);
        b.dbg->select_cpu(c.cpu);
        while (b.machine->cpu_state(c.cpu).instructions < n) {
            REQUIRE(b.dbg->step(n - b.machine->cpu_state(c.cpu).instructions).kind == StopKind::Step);
        }
        REQUIRE(b.machine->cpu_state(c.cpu).instructions == n);
        require_same_machine(a, b);

        // Both go on to the end as the plain run did: stopping changed no schedule.
        a.dbg->remove_all();
        const End ea = run_to_end(a), eb = run_to_end(b);
        CHECK(ea.hash == ref.hash);
        CHECK(eb.hash == ref.hash);
        CHECK(ea.cycles0 == ref.cycles0);
        CHECK(ea.cycles1 == ref.cycles1);
        CHECK(ea.serial == ref.serial);
        CHECK(eb.serial == ref.serial);
    }
}

TEST_CASE("smp: stepping one CPU many times in small steps ends as a plain run", "[debugger][run][smp]") {
    // Every step stops inside a round; each resume must finish that round as it
    // would have gone on.
    Session plain("guest-tests/smp/smp_boot.elf", "", 64 * kMiB, kCpus);
    const End ref = run_to_end(plain);
    Session s("guest-tests/smp/smp_boot.elf", "", 64 * kMiB, kCpus);
    s.dbg->select_cpu(1);
    // The AP runs a few dozen instructions, then halts for good (cli; hlt).
    while (!s.machine->cpu_state(1).halted) REQUIRE(s.dbg->step(1).kind == StopKind::Step);
    CHECK(s.machine->cpu_state(1).instructions > 20);
    s.dbg->select_cpu(0);
    for (int i = 0; i < 300; ++i) {
        const StopInfo st = s.dbg->step(13);
        if (st.kind == StopKind::Exited) break;
        REQUIRE(st.kind == StopKind::Step);
    }
    const End e = run_to_end(s);
    CHECK(e.hash == ref.hash);
    CHECK(e.cycles0 == ref.cycles0);
    CHECK(e.cycles1 == ref.cycles1);
    CHECK(e.serial == ref.serial);
}

TEST_CASE("smp: a cycle budget pauses between rounds and changes no schedule", "[debugger][run][smp]") {
    Session plain("guest-tests/smp/smp_boot.elf", "", 64 * kMiB, kCpus);
    const End ref = run_to_end(plain);
    Session s("guest-tests/smp/smp_boot.elf", "", 64 * kMiB, kCpus);
    StopInfo st;
    unsigned pauses = 0;
    // 777 cycles: not a multiple of the quantum, so every pause falls inside one.
    while ((st = s.dbg->cont(777)).kind == StopKind::Budget) ++pauses;
    REQUIRE(st.kind == StopKind::Exited);
    CHECK(pauses > 100);
    CHECK(s.machine->state_hash() == ref.hash);
    CHECK(s.machine->cpu_state(0).cycles == ref.cycles0);
    CHECK(s.machine->cpu_state(1).cycles == ref.cycles1);
}

TEST_CASE("smp: a watchpoint names the CPU whose access hit it", "[debugger][run][smp]") {
    Session s("guest-tests/smp/smp_boot.elf", "", 64 * kMiB, kCpus);
    s.run("watch w lin _ZN12_GLOBAL__N_111g_announcedE 4");
    std::string out = s.run("continue");
    CHECK(has(out, "cpu 0: watchpoint 1: write of 4 bytes"));
    out = s.run("continue");
    CHECK(has(out, "cpu 1: watchpoint 1: write of 4 bytes"));
    CHECK(s.dbg->selected_cpu() == 1);
    CHECK(s.dbg->read_value(Space::Linear, s.sym("_ZN12_GLOBAL__N_111g_announcedE"), 4) == 2);
}

TEST_CASE("smp: 300 step stops through a kernel run reach the state of a run that never stopped", "[debugger][run][smp]") {
    // The kernel runs on CPU 0 (CPU 1 waits for a SIPI the whole time) with its
    // timers: every stop falls inside a round, which the next run finishes.
    constexpr u64 kTotal = 30'000'000;
    Session a("guest/ktest.elf", "", 64 * kMiB, kCpus);
    Session b("guest/ktest.elf", "", 64 * kMiB, kCpus);
    // Steps count REP iterations (as TF does): step until the count is reached.
    while (a.machine->cpu_state(0).instructions < kTotal) {
        REQUIRE(a.dbg->step(kTotal - a.machine->cpu_state(0).instructions).kind == StopKind::Step);
    }
    while (b.machine->cpu_state(0).instructions < kTotal) {
        const u64 left = kTotal - b.machine->cpu_state(0).instructions;
        REQUIRE(b.dbg->step(std::min<u64>(left, 99'991)).kind == StopKind::Step);
    }
    require_same_machine(a, b);
    CHECK(a.serial.text == b.serial.text);
    CHECK(a.machine->stats().device_events == b.machine->stats().device_events);

    // And both are where a run that never stopped is at that instruction (the
    // state-hash report stops CPU 0 there inside its turn and goes on).
    Session plain("guest/ktest.elf", "", 64 * kMiB, kCpus);
    u64 plain_hash = 0, plain_cycles = 0;
    plain.machine->set_state_hash_every(kTotal, [&](u64 insns, u64 cycles, u64 hash) {
        if (insns == kTotal) plain_hash = hash, plain_cycles = cycles;
    });
    plain.dbg->set_cycle_limit(b.machine->cpu_state(0).cycles + 1'000'000);
    plain.dbg->cont();
    REQUIRE(plain_cycles != 0);
    CHECK(b.machine->cpu_state(0).cycles == plain_cycles);
    CHECK(b.machine->state_hash() == plain_hash);
}

TEST_CASE("smp: breakpoint stops all through a kernel run change nothing in it", "[debugger][run][smp]") {
    // Every timer interrupt and every schedule() stops the machine inside a
    // round; the kernel re-arms its timers meanwhile. At the end the machine
    // is where a run that never stopped ends.
    Session plain("guest/ktest.elf", "", 64 * kMiB, kCpus);
    const End ref = run_to_end(plain);
    Session s("guest/ktest.elf", "", 64 * kMiB, kCpus);
    s.dbg->add_breakpoint(Space::Linear, s.sym("_Z24smp_apic_timer_interruptP7pt_regs"));
    s.dbg->add_breakpoint(Space::Linear, s.sym("_Z16setup_apic_timerv"));
    s.dbg->add_breakpoint(Space::Linear, s.sym("_Z8schedulev"));
    unsigned stops = 0;
    StopInfo st;
    while ((st = s.dbg->cont()).kind == StopKind::Breakpoint) ++stops;
    REQUIRE(st.kind == StopKind::Exited);
    CHECK(stops > 10);
    CHECK(s.machine->state_hash() == ref.hash);
    CHECK(s.machine->cpu_state(0).cycles == ref.cycles0);
    CHECK(s.machine->cpu_state(1).cycles == ref.cycles1);
    CHECK(s.serial.text == ref.serial);
}

TEST_CASE("smp: a timer armed inside a round a stop interrupted fires as if nothing had stopped", "[debugger][run][smp]") {
    // platform_suite arms the local APIC timer (periodic, 100,000 cycles) in the
    // middle of a round of 1,000,000 cycles. A run that started a new round
    // after a stop there would end it at the timer's deadline, earlier than the
    // round the stop interrupted, and the timer would fire at another point of
    // CPU 1's time. Stepping CPU 0 one instruction at a time through the whole
    // suite must end exactly as a plain run.
    static constexpr u64 kQuantum = 1'000'000;
    auto session = [] {
        return std::make_unique<Session>("guest-tests/platform/platform_suite.elf", "strict-msr=1", 64 * kMiB, kCpus,
                                         kQuantum, true);
    };
    auto plain = session();
    const End ref = run_to_end_any(*plain);
    auto s = session();
    u64 steps = 0;
    StopInfo st;
    while ((st = s->dbg->step(1)).kind == StopKind::Step) ++steps;
    REQUIRE(st.kind == StopKind::Exited);
    CHECK(steps > 40'000);
    CHECK(s->machine->state_hash() == ref.hash);
    CHECK(s->machine->cpu_state(0).cycles == ref.cycles0);
    CHECK(s->machine->cpu_state(1).cycles == ref.cycles1);
    CHECK(s->serial.text == ref.serial);
}
