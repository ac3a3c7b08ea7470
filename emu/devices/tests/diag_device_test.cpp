#include <catch2/catch.hpp>

#include <map>

#include "device_fixture.hpp"
#include "devices/diag_device.hpp"

using namespace hm;
using hm::test::DeviceFixture;

namespace {
// A backend whose answers the test controls, to check the protocol itself.
struct ScriptedBackend : DiagBackend {
    u64 cyc = 0x1'2345'6789ull;
    u64 insns = 77;
    std::map<unsigned, u64> stats;  // (tlb << 8 | counter) -> value
    u32 probe_answer = 0;
    u32 last_probe = 0;
    unsigned resets = 0;
    std::optional<u64> stale;
    u64 pf = 3;
    u64 cpu_cyc = 0xAB'0000'0010ull;  // the reading CPU's own counter
    u64 cycles() const override { return cyc; }
    u64 reading_cpu_cycles() const override { return cpu_cyc; }
    u64 instructions() const override { return insns; }
    std::optional<u64> tlb_stat(unsigned tlb, unsigned counter) const override {
        auto it = stats.find(tlb << 8 | counter);
        if (it == stats.end()) return std::nullopt;
        return it->second;
    }
    u32 probe_tlb(u32 lin) const override {
        const_cast<ScriptedBackend*>(this)->last_probe = lin;
        return probe_answer;
    }
    void reset_tlb_stats() override { ++resets; }
    std::optional<u64> stale_reports() const override { return stale; }
    u64 page_faults() const override { return pf; }
};

struct DiagFixture : DeviceFixture {
    ScriptedBackend be;
    DiagDevice dev{be};
    DiagFixture() { bus.attach_io(DiagDevice::kBase, DiagDevice::kPorts, dev, "diag"); }
    u64 command(u32 cmd, u64 arg = 0) {
        out32(HM386_DIAG_PORT_ARG_LO, static_cast<u32>(arg));
        out32(HM386_DIAG_PORT_ARG_HI, static_cast<u32>(arg >> 32));
        out32(HM386_DIAG_PORT_COMMAND, cmd);
        return in32(HM386_DIAG_PORT_ARG_LO) | u64{in32(HM386_DIAG_PORT_ARG_HI)} << 32;
    }
};
}  // namespace

TEST_CASE("Signature and version", "[diag]") {
    DiagFixture f;
    CHECK(f.in32(HM386_DIAG_PORT_SIGNATURE) == HM386_DIAG_SIGNATURE);
    CHECK(f.in8(HM386_DIAG_PORT_SIGNATURE) == 'H');
    CHECK(f.in8(HM386_DIAG_PORT_SIGNATURE + 3) == '6');
    CHECK(f.command(HM386_DIAG_CMD_VERSION) == HM386_DIAG_VERSION);
}

TEST_CASE("64-bit counters come back split over the two result ports", "[diag]") {
    DiagFixture f;
    CHECK(f.command(HM386_DIAG_CMD_CYCLES) == 0x1'2345'6789ull);
    CHECK(f.command(HM386_DIAG_CMD_INSTRUCTIONS) == 77);
    CHECK(f.command(HM386_DIAG_CMD_PAGE_FAULTS) == 3);
}

TEST_CASE("TLB statistics by id, probes, resets", "[diag]") {
    DiagFixture f;
    f.be.stats[1 << 8 | HM386_DIAG_STAT_MISSES] = 12;
    f.be.stats[0 << 8 | HM386_DIAG_STAT_HITS] = 99;
    CHECK(f.command(HM386_DIAG_CMD_TLB_STAT, HM386_DIAG_TLB_DTLB | HM386_DIAG_STAT_MISSES) == 12);
    CHECK(f.command(HM386_DIAG_CMD_TLB_STAT, HM386_DIAG_TLB_ITLB | HM386_DIAG_STAT_HITS) == 99);
    CHECK(f.dev.stats().errors == 0);
    CHECK(f.command(HM386_DIAG_CMD_TLB_STAT, 0x200) == ~u64{0});  // no third TLB
    CHECK(f.command(HM386_DIAG_CMD_TLB_STAT, u64{1} << 40) == ~u64{0});
    CHECK(f.dev.stats().errors == 2);
    f.be.probe_answer = HM386_DIAG_PROBE_DTLB | HM386_DIAG_PROBE_GLOBAL;
    CHECK(f.command(HM386_DIAG_CMD_TLB_PROBE, 0xC0001234) == (HM386_DIAG_PROBE_DTLB | HM386_DIAG_PROBE_GLOBAL));
    CHECK(f.be.last_probe == 0xC0001234);
    f.command(HM386_DIAG_CMD_TLB_RESET_STATS);
    CHECK(f.be.resets == 1);
}

TEST_CASE("Stale reports read all ones while the checker is off", "[diag]") {
    DiagFixture f;
    CHECK(f.command(HM386_DIAG_CMD_STALE_REPORTS) == ~u64{0});
    f.be.stale = 4;
    CHECK(f.command(HM386_DIAG_CMD_STALE_REPORTS) == 4);
}

TEST_CASE("Unknown commands leave all ones and count an error", "[diag]") {
    DiagFixture f;
    CHECK(f.command(0x99) == ~u64{0});
    CHECK(f.dev.stats().errors == 1);
    CHECK(f.command(HM386_DIAG_CMD_VERSION) == HM386_DIAG_VERSION);  // and the device keeps working
}

TEST_CASE("The CPU_CYCLES ports read the reading CPU's counter at each read, with no command", "[diag]") {
    DiagFixture f;
    f.command(HM386_DIAG_CMD_INSTRUCTIONS);  // RESULT = 77
    const u64 commands = f.dev.stats().commands;
    CHECK(f.in32(HM386_DIAG_PORT_CPU_CYCLES_LO) == 0x10);
    CHECK(f.in32(HM386_DIAG_PORT_CPU_CYCLES_HI) == 0xAB);
    // Nothing is latched: each read samples the counter as it is then.
    f.be.cpu_cyc = 0xAC'FFFF'FFF0ull;
    CHECK(f.in32(HM386_DIAG_PORT_CPU_CYCLES_HI) == 0xAC);
    CHECK(f.in32(HM386_DIAG_PORT_CPU_CYCLES_LO) == 0xFFFFFFF0u);
    CHECK(f.in8(HM386_DIAG_PORT_CPU_CYCLES_LO + 1) == 0xFF);
    CHECK(f.in8(HM386_DIAG_PORT_CPU_CYCLES_HI) == 0xAC);
    // Not a command: RESULT, the command count and the error count stay.
    CHECK(f.dev.stats().commands == commands);
    CHECK(f.dev.stats().errors == 0);
    CHECK(f.in32(HM386_DIAG_PORT_ARG_LO) == 77);
    // CMD_CYCLES stays CPU 0's counter (the backend's cycles()), a different one.
    CHECK(f.command(HM386_DIAG_CMD_CYCLES) == 0x1'2345'6789ull);
    // Writes to them are ignored.
    f.out32(HM386_DIAG_PORT_CPU_CYCLES_LO, 5);
    CHECK(f.in32(HM386_DIAG_PORT_CPU_CYCLES_LO) == 0xFFFFFFF0u);
}
