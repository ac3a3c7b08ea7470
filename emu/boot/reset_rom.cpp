#include "boot/reset_rom.hpp"

#include <vector>

#include "boot/boot_error.hpp"

namespace hm {

RomPlacement map_reset_rom(Bus& bus, std::span<const u8> image, const std::string& name) {
    if (image.empty()) throw BootError(name + ": the ROM image is empty");
    if (image.size() > kMaxRomBytes) {
        throw BootError(name + ": the ROM image is " + std::to_string(image.size()) + " bytes; at most 1 MiB is supported");
    }
    const u64 padded = (image.size() + 0xFFF) & ~u64{0xFFF};
    std::vector<u8> rom(padded, 0xFF);
    std::copy(image.begin(), image.end(), rom.begin() + static_cast<std::ptrdiff_t>(padded - image.size()));
    RomPlacement p;
    p.high_base = 4 * kGiB - padded;
    p.low_size = padded < kRomLowAliasMax ? padded : kRomLowAliasMax;
    p.low_base = 0x100000 - p.low_size;
    bus.attach_rom(PhysAddr{p.high_base}, rom, "rom");
    bus.attach_rom(PhysAddr{p.low_base}, std::span<const u8>(rom).subspan(padded - p.low_size), "rom-low-alias");
    return p;
}

}  // namespace hm
