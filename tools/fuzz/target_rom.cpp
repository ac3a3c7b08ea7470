// Fuzz target: the reset-vector ROM loader (emu/boot/reset_rom.cpp), and then
// the ROM itself run from the reset vector for a few thousand cycles: a ROM image
// is guest code from its first instruction (real mode at F000:FFF0).
#include <cstddef>
#include <cstdint>
#include <span>

#include "boot/boot_error.hpp"
#include "boot/reset_rom.hpp"
#include "cpu/cpu.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static hm::PhysicalMemory ram(2 * hm::kMiB);
    hm::Bus bus(ram);
    hm::RomPlacement p;
    try {
        p = hm::map_reset_rom(bus, std::span<const uint8_t>(data, size), "fuzz.rom");
    } catch (const hm::BootError&) {
        return 0;
    }
    // The placement the loader promises: the image ends at 4 GiB, the alias at 1 MiB.
    if (p.high_base % 4096 || p.low_base + p.low_size != 0x100000) __builtin_trap();
    if (bus.read(0xFFFFFFFF, 1) != data[size - 1]) __builtin_trap();
    hm::CpuState st;
    hm::Mmu mmu(bus, st.cr, st.cycles);
    hm::Cpu cpu(st, mmu, bus);
    cpu.reset();
    (void)cpu.run(20'000);
    return 0;
}
