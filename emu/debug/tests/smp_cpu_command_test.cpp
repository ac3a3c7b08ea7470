// `cpu [N]` with -smp N: the CPU list, and regs, set, tlb and walk on the
// selected CPU only (guest-tests/smp/smp_boot.elf, four CPUs).
#include <catch2/catch.hpp>

#include "session.hpp"

using namespace hm;
using namespace hm::dbg;
using namespace hm::dbg::test;

namespace {
bool has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }
}  // namespace

TEST_CASE("cmd: cpu lists the CPUs and selects the one regs, set, tlb and walk show", "[debugger][cmd][smp]") {
    Session s("guest-tests/smp/smp_boot.elf", "", 64 * kMiB, 4);
    std::string out = s.run("cpu");
    CHECK(has(out, "* cpu 0  apic 0  running"));
    CHECK(has(out, "  cpu 3  apic 3  waiting for SIPI"));
    // Run the start-up to its end: every AP comes up and halts.
    out = s.run("continue");
    CHECK(has(s.serial.text, "smp-boot: PASS"));
    out = s.run("cpu");
    for (const char* line : {"  cpu 1  apic 1  halted", "  cpu 2  apic 2  halted", "  cpu 3  apic 3  halted"}) {
        CHECK(has(out, line));
    }
    const u32 bsp_eax = s.machine->cpu_state(0).r[reg::EAX];
    out = s.run("cpu 2");
    CHECK(has(out, "* cpu 2"));
    CHECK(s.dbg->selected_cpu() == 2);
    out = s.run("regs");
    CHECK(has(out, "cpu 2  cs:eip 0x0008:"));
    CHECK(has(out, "halted"));
    CHECK(has(out, "instructions " + std::to_string(s.machine->cpu_state(2).instructions)));
    // Edits reach the selected CPU only.
    s.run("set eax 0x1234abcd");
    CHECK(s.machine->cpu_state(2).r[reg::EAX] == 0x1234abcdu);
    CHECK(s.machine->cpu_state(0).r[reg::EAX] == bsp_eax);
    CHECK(s.machine->cpu_state(1).r[reg::EAX] != 0x1234abcdu);
    // Paging is off on the AP: an empty TLB and a walk that is the identity.
    out = s.run("tlb");
    CHECK(has(out, "ITLB: 0 entries, 0 stale; lookups 0"));
    CHECK(has(out, "DTLB: 0 entries, 0 stale; lookups 0"));
    out = s.run("walk 0x100000");
    CHECK(has(out, "0x00100000"));
    CHECK(has(s.fail("cpu 4"), "the machine has 4 CPUs (0 to 3)"));
    CHECK(has(s.fail("cpu x"), "expected a CPU number"));
    CHECK(s.dbg->selected_cpu() == 2);  // a bad request changes nothing
    s.run("cpu 0");
    CHECK(s.dbg->selected_cpu() == 0);
}

TEST_CASE("cmd: cpu on one CPU lists it and refuses any other", "[debugger][cmd][smp]") {
    Session s("guest/dbg_target.elf");
    CHECK(has(s.run("cpu"), "* cpu 0  apic 0  running"));
    s.run("cpu 0");
    CHECK(has(s.fail("cpu 1"), "the machine has 1 CPU (0 to 0)"));
    CHECK_FALSE(has(s.run("regs"), "cpu 0"));  // one CPU: regs prints as before
}
