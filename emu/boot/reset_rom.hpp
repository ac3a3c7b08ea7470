// A raw ROM image for firmware-style test programs, placed as a PC maps its BIOS:
// the image ends at 4 GiB (so the reset vector F000:FFF0, physical 0xFFFFFFF0, is
// its 16th byte from the end) and its last 128 KiB (or all of it, if smaller) are
// aliased below 1 MiB ending at 0xFFFFF, where real-mode code at F000:xxxx runs
// once CS is reloaded. Images up to 1 MiB; a size that is not a multiple of 4 KiB
// is padded with 0xFF in front, so the end stays at the top.
#pragma once
#include <span>
#include <string>

#include "mem/bus.hpp"

namespace hm {

constexpr u64 kMaxRomBytes = 1 * kMiB;
constexpr u64 kRomLowAliasMax = 128 * kKiB;

struct RomPlacement {
    u64 high_base;  // where the (padded) image starts below 4 GiB
    u64 low_base;   // where its alias starts below 1 MiB
    u64 low_size;
};

// Throws BootError for an empty or oversized image.
RomPlacement map_reset_rom(Bus& bus, std::span<const u8> image, const std::string& name);

}  // namespace hm
