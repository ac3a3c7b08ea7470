// The MSR table and CPUID (emu/cpu/msr.cpp, cpuid.cpp): every MSR the model has
// reads and writes as documented, reserved bits and absent MSRs raise #GP(0),
// and CPUID agrees with what exists (the APIC bit follows IA32_APIC_BASE).
#include <catch2/catch.hpp>
#include <optional>

#include "cpu/msr.hpp"
#include "cpu_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {

struct MsrFixture : CpuFixture {
    MsrFixture() {
        flat32(0x1000, {0xF4});
        install_gdt_idt(0x2000, 0x3000, 0x4000);
        poke(0x4000, {0xF4});
    }
    u64 gp_count() { return cpu.stats().exceptions[13]; }
    // RDMSR; returns the value, or nothing if it raised #GP(0).
    std::optional<u64> rd(u32 index) {
        const u64 before = gp_count();
        r(reg::ECX) = index;
        exec({0x0F, 0x32});
        if (gp_count() != before) {
            CHECK(peek32(r(reg::ESP)) == 0);  // error code 0
            r(reg::ESP) += 16;  // drop the frame: error code, EIP, CS, EFLAGS
            return std::nullopt;
        }
        return (u64{r(reg::EDX)} << 32) | r(reg::EAX);
    }
    // WRMSR; false if it raised #GP(0).
    bool wr(u32 index, u64 v) {
        const u64 before = gp_count();
        r(reg::ECX) = index;
        r(reg::EAX) = static_cast<u32>(v);
        r(reg::EDX) = static_cast<u32>(v >> 32);
        exec({0x0F, 0x30});
        if (gp_count() != before) {
            CHECK(peek32(r(reg::ESP)) == 0);
            r(reg::ESP) += 16;
            return false;
        }
        return true;
    }
    u32 cpuid_edx(u32 leaf) {
        r(reg::EAX) = leaf;
        exec({0x0F, 0xA2});
        return r(reg::EDX);
    }
};

}  // namespace

TEST_CASE("MSRs outside the table raise #GP(0) on read and write", "[cpu][msr]") {
    MsrFixture f;
    // SYSENTER_CS/ESP/EIP (no SEP), PAT (not reported), MTRRs, MCi banks, x2APIC, garbage.
    for (u32 index : {0x174u, 0x175u, 0x176u, 0x277u, 0xFEu, 0x200u, 0x400u, 0x802u, 0x12345678u, 0xC0000081u}) {
        INFO("MSR " << std::hex << index);
        CHECK_FALSE(f.rd(index));
        CHECK_FALSE(f.wr(index, 0));
    }
}

TEST_CASE("IA32_APIC_BASE exists only with a local APIC", "[cpu][msr]") {
    MsrFixture f;
    CHECK_FALSE(f.rd(cpu::msr_index::kApicBase));
    CHECK_FALSE(f.wr(cpu::msr_index::kApicBase, 0xFEE00900));
    CHECK((f.cpuid_edx(1) & (1u << 9)) == 0);
}

TEST_CASE("IA32_APIC_BASE: power-on value, BSP read-only, reserved bits, CPUID.APIC follows EN", "[cpu][msr]") {
    MsrFixture f;
    f.cpu.configure_local_apic(0, true);
    CHECK(f.rd(cpu::msr_index::kApicBase) == 0xFEE00900u);  // base, EN, BSP
    CHECK((f.cpuid_edx(1) & (1u << 9)) != 0);
    // Relocate and disable: BSP stays whatever is written.
    CHECK(f.wr(cpu::msr_index::kApicBase, 0x0000000312345000ull));
    CHECK(f.rd(cpu::msr_index::kApicBase) == 0x0000000312345100ull);
    CHECK((f.cpuid_edx(1) & (1u << 9)) == 0);  // hardware-disabled APIC: CPUID clears the flag
    CHECK(f.st.msr.apic_base == 0x0000000312345100ull);
    for (u64 bad : {0xFEE00901ull, 0xFEE00D00ull /* x2APIC */, 0xFEE00A00ull, 0x10FEE00900ull}) {
        INFO(std::hex << bad);
        CHECK_FALSE(f.wr(cpu::msr_index::kApicBase, bad));
    }
    CHECK(f.st.msr.apic_base == 0x0000000312345100ull);
    // An AP has BSP clear and reports its initial APIC ID in CPUID.1:EBX[31:24].
    MsrFixture ap;
    ap.cpu.configure_local_apic(3, false);
    CHECK(ap.rd(cpu::msr_index::kApicBase) == 0xFEE00800u);
    ap.r(reg::EAX) = 1;
    ap.exec({0x0F, 0xA2});
    CHECK(ap.r(reg::EBX) >> 24 == 3);
}

TEST_CASE("Machine-check MSRs: MCG_CAP is read-only zero, MCG_STATUS has three bits", "[cpu][msr]") {
    MsrFixture f;
    CHECK((f.cpuid_edx(1) & (1u << 14)) != 0);  // MCA: these MSRs exist
    CHECK(f.rd(cpu::msr_index::kMcgCap) == 0u);
    CHECK_FALSE(f.wr(cpu::msr_index::kMcgCap, 0));
    CHECK(f.rd(cpu::msr_index::kMcgStatus) == 0u);
    CHECK(f.wr(cpu::msr_index::kMcgStatus, 5));
    CHECK(f.rd(cpu::msr_index::kMcgStatus) == 5u);
    CHECK_FALSE(f.wr(cpu::msr_index::kMcgStatus, 8));
    CHECK(f.rd(cpu::msr_index::kMcgStatus) == 5u);
}

TEST_CASE("IA32_MISC_ENABLE: fast strings writable, BTS/PEBS-unavailable read-only, rest reserved", "[cpu][msr]") {
    MsrFixture f;
    CHECK(f.rd(cpu::msr_index::kMiscEnable) == 0x1801u);
    CHECK(f.wr(cpu::msr_index::kMiscEnable, 0));
    CHECK(f.rd(cpu::msr_index::kMiscEnable) == 0x1800u);  // the read-only bits ignore the write
    CHECK_FALSE(f.wr(cpu::msr_index::kMiscEnable, 1u << 3));
    CHECK_FALSE(f.wr(cpu::msr_index::kMiscEnable, 1ull << 34));
    CHECK(f.rd(cpu::msr_index::kMiscEnable) == 0x1800u);
}

TEST_CASE("Every row of the MSR table answers a read", "[cpu][msr]") {
    MsrFixture f;
    f.cpu.configure_local_apic(0, true);
    for (const cpu::MsrInfo& m : cpu::msr_table()) {
        INFO(m.name);
        CHECK(f.rd(m.index).has_value());
    }
    CHECK(cpu::msr_table().size() == 6);
}

namespace {
struct CpuidRegs {
    u32 eax, ebx, ecx, edx;
};
CpuidRegs run_cpuid(MsrFixture& f, u32 leaf) {
    f.r(reg::EAX) = leaf;
    f.r(reg::ECX) = 0;
    f.exec({0x0F, 0xA2});
    return {f.r(reg::EAX), f.r(reg::EBX), f.r(reg::ECX), f.r(reg::EDX)};
}
}  // namespace

TEST_CASE("CPUID leaves 0x15 and 0x16 report the configured core clock, and without one the highest leaf is 1",
          "[cpu][cpuid]") {
    MsrFixture f;
    CHECK(run_cpuid(f, 0).eax == 1);
    CHECK(run_cpuid(f, 0x15).eax == run_cpuid(f, 1).eax);  // above the highest leaf: leaf 1's data

    for (u64 mhz : {100ull, 33ull, 4000ull}) {
        INFO(mhz << " MHz");
        f.cpu.configure_core_clock(mhz * 1000000);
        CHECK(run_cpuid(f, 0).eax == 0x16);
        const CpuidRegs tsc = run_cpuid(f, 0x15);
        // TSC = crystal x EBX / EAX: the crystal is the CPU clock itself.
        CHECK(tsc.eax == 1);
        CHECK(tsc.ebx == 1);
        CHECK(u64{tsc.ecx} * tsc.ebx / tsc.eax == mhz * 1000000);
        const CpuidRegs freq = run_cpuid(f, 0x16);
        CHECK(freq.eax == mhz);  // base
        CHECK(freq.ebx == mhz);  // maximum
        CHECK(freq.ecx == mhz);  // bus (reference): the local APIC timer counts CPU cycles
        for (u32 leaf = 2; leaf < 0x15; ++leaf) {
            INFO("leaf " << leaf);
            const CpuidRegs r = run_cpuid(f, leaf);
            CHECK((r.eax | r.ebx | r.ecx | r.edx) == 0);  // reserved: no caches, features or topology
        }
        const CpuidRegs above = run_cpuid(f, 0x20);
        CHECK(above.eax == freq.eax);  // the highest basic leaf's data
    }

    SECTION("a clock that is not whole MHz leaves leaf 0x16 empty, leaf 0x15 still exact") {
        f.cpu.configure_core_clock(33333333);
        CHECK(run_cpuid(f, 0x15).ecx == 33333333u);
        const CpuidRegs freq = run_cpuid(f, 0x16);
        CHECK((freq.eax | freq.ebx | freq.ecx | freq.edx) == 0);
    }
    SECTION("a 486 or a Pentium has no clock leaves: its highest basic leaf stays 1") {
        for (CpuModel m : {CpuModel::I486, CpuModel::Pentium}) {
            f.cpu.set_model(m);
            f.cpu.configure_core_clock(100000000);
            CHECK(run_cpuid(f, 0).eax == 1);
            CHECK(run_cpuid(f, 0x15).eax == run_cpuid(f, 1).eax);
            CHECK(run_cpuid(f, 0x80000000u).eax == run_cpuid(f, 1).eax);  // no extended leaves either
        }
    }
    SECTION("a clock above 32 bits of Hz leaves the crystal unenumerated") {
        f.cpu.configure_core_clock(5000000000ull);
        CHECK(run_cpuid(f, 0x15).ecx == 0);
        CHECK(run_cpuid(f, 0x16).eax == 5000);
    }
}
