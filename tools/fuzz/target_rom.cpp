// Fuzz target: the reset-vector ROM loader (emu/boot/reset_rom.cpp). Any image is
// either mapped as promised (ending at 4 GiB, its last 128 KiB or less aliased
// below 1 MiB, every byte readable at both places) or one BootError. Running
// ROM-style code from the reset vector is the `cpu` target's real mode; building
// a CPU per input here would cost a hundred times the loader.
#include <cstddef>
#include <cstdint>
#include <span>

#include "boot/boot_error.hpp"
#include "boot/reset_rom.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static hm::PhysicalMemory ram(2 * hm::kMiB);
    hm::Bus bus(ram);
    hm::RomPlacement p;
    try {
        p = hm::map_reset_rom(bus, std::span<const uint8_t>(data, size), "fuzz.rom");
    } catch (const hm::BootError&) {
        if (size != 0 && size <= hm::kMaxRomBytes) __builtin_trap();  // only empty or oversized images are refused
        return 0;
    }
    if (p.high_base % 4096 || p.low_base + p.low_size != 0x100000 || p.low_size > hm::kRomLowAliasMax) __builtin_trap();
    for (size_t i = 0; i < size; ++i) {
        const hm::u64 at = 0x100000000ull - size + i;
        if (bus.read(hm::PhysAddr{at}, 1) != data[i]) __builtin_trap();
        const hm::u64 from_top = size - i;
        if (from_top <= p.low_size && bus.read(hm::PhysAddr{0x100000 - from_top}, 1) != data[i]) __builtin_trap();
    }
    // Whatever is below the image in its padded pages reads as 0xFF.
    if (p.high_base < 0x100000000ull - size && bus.read(hm::PhysAddr{p.high_base}, 1) != 0xFF) __builtin_trap();
    return 0;
}
