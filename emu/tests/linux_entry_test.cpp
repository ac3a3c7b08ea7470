// Machine::boot_linux: the CPU state the 32-bit boot protocol promises, checked
// both by reading CpuState and by a tiny bzImage that uses it (reloads CS and
// DS from the loader's GDT and reads boot_params through ESI).
#include <catch2/catch.hpp>

#include "../boot/tests/bzimage_builder.hpp"
#include "machine.hpp"

using namespace hm;
using namespace hm::test;

namespace {
std::unique_ptr<Machine> boot(std::vector<u8> pm, CaptureSink& serial) {
    MachineConfig cfg;
    cfg.ram_bytes = 64 * kMiB;
    cfg.serial_out = &serial;
    cfg.debugcon_out = &serial;
    auto m = std::make_unique<Machine>(cfg);
    BzImageSpec s;
    pm.resize((pm.size() + 15) / 16 * 16, 0x90);
    s.pm = std::move(pm);
    LinuxBootRequest r;
    r.kernel_name = "tiny-bzImage";
    r.kernel = make_bzimage(s);
    r.cmdline = "console=ttyS0";
    m->boot_linux(r);
    return m;
}
}  // namespace

TEST_CASE("Linux entry: flat protected mode with __BOOT_CS/__BOOT_DS, ESI = boot_params", "[machine][linux]") {
    CaptureSink serial;
    auto m = boot({0xF4}, serial);
    const CpuState& s = m->cpu_state();
    CHECK(s.eip == 0x100000);
    CHECK(s.seg[sreg::CS].selector == 0x10);
    for (u8 sr : {sreg::DS, sreg::ES, sreg::SS}) {
        CHECK(s.seg[sr].selector == 0x18);
        CHECK(s.seg[sr].base == 0);
        CHECK(s.seg[sr].limit == 0xFFFFFFFF);
    }
    CHECK(s.seg[sreg::CS].limit == 0xFFFFFFFF);
    CHECK(s.gdtr.base == kLinuxGdtAddr);
    CHECK(s.gdtr.limit == 31);
    CHECK(s.r[reg::ESI] == kLinuxBootParamsAddr);
    CHECK(s.r[reg::EBP] == 0);
    CHECK(s.r[reg::EDI] == 0);
    CHECK(s.r[reg::EBX] == 0);
    CHECK((s.eflags & flag::IF) == 0);
    CHECK(m->mmu().control().cr0 == (cr0::kPE | cr0::kET));
}

TEST_CASE("Linux entry: the guest reloads CS and DS from the loader's GDT and reads boot_params", "[machine][linux]") {
    CaptureSink serial;
    auto m = boot({0xEA, 0x07, 0x00, 0x10, 0x00, 0x10, 0x00,  // ljmp 0x10:0x100007
                   0x66, 0xB8, 0x18, 0x00,                    // mov ax,0x18
                   0x8E, 0xD8,                                // mov ds,ax
                   0x8B, 0x86, 0x28, 0x02, 0x00, 0x00,        // mov eax,[esi+0x228]  cmd_line_ptr
                   0x8A, 0x00,                                // mov al,[eax]         'c'
                   0xE6, 0xE9,                                // out 0xE9,al
                   0x8A, 0x86, 0x10, 0x02, 0x00, 0x00,        // mov al,[esi+0x210]   type_of_loader
                   0xE6, 0xF4},                               // out 0xF4,al
                  serial);
    RunResult r = m->run(RunLimits{1'000'000, 10.0});
    CHECK(r.outcome == RunOutcome::DebugExit);
    CHECK(r.exit_value == 0xFF);
    CHECK(serial.text == "c");
    CHECK(m->cpu_state().seg[sreg::DS].selector == 0x18);
}

TEST_CASE("Linux boot: ACPI tables in the reserved top of low RAM, the RSDP at 0xF0000", "[machine][linux][acpi]") {
    CaptureSink serial;
    auto m = boot({0xF4}, serial);
    Bus& bus = m->bus();
    std::string sig;
    for (u64 i = 0; i < 8; ++i) sig.push_back(static_cast<char>(bus.read(PhysAddr{0xF0000 + i}, 1)));
    CHECK(sig == "RSD PTR ");
    const u64 rsdt = bus.read(PhysAddr{0xF0000 + 16}, 4);
    CHECK(rsdt >= 64 * kMiB - 0x20000);  // inside the e820-reserved top 128 KiB
    CHECK(rsdt < 64 * kMiB);
    CHECK(bus.read(PhysAddr{rsdt}, 4) == 0x54445352);  // "RSDT"
    bus.write(PhysAddr{0xF0000}, 0, 4);                // the BIOS area is ROM
    CHECK(bus.read(PhysAddr{0xF0000}, 1) == 'R');
}

TEST_CASE("An ACPI S5 write to PM1a_CNT powers off: the run ends with PowerOff", "[machine][acpi]") {
    CaptureSink serial;
    auto m = boot({0x66, 0xBA, 0x04, 0x06,        // mov dx,0x604
                   0x66, 0xB8, 0x00, 0x20,        // mov ax,0x2000 (SLP_EN, SLP_TYP 0)
                   0x66, 0xEF,                    // out dx,ax
                   0xB0, 0x01, 0xE6, 0xF4},       // mov al,1; out 0xF4,al (not reached)
                  serial);
    RunResult r = m->run(RunLimits{1'000'000, 10.0});
    CHECK(r.outcome == RunOutcome::PowerOff);
    CHECK(r.message.find("powered off") != std::string::npos);
}
