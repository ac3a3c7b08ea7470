// Synthetic bzImages for loader tests: a setup header with the fields the
// 32-bit boot protocol reads (offsets from the kernel's bootparam.h, as the
// loader uses them), one setup sector, and a protected-mode part of the given bytes.
#pragma once
#include <vector>

#include "boot/linux_boot.hpp"

namespace hm::test {

struct BzImageSpec {
    u8 setup_sects = 1;
    u16 version = 0x020F;
    u8 loadflags = bp::kLoadedHigh;
    u32 code32_start = kLinuxKernelAddr;
    u32 initrd_addr_max = 0x7FFFFFFF;
    u32 kernel_alignment = 0x1000000;
    u8 relocatable = 1;
    u32 cmdline_size = 2047;
    u64 pref_address = 0x1000000;
    u32 init_size = 0x200000;
    u8 header_len_byte = 0x6A;  // the header ends at 0x202 + this (0x26C, as 6.1's)
    std::vector<u8> pm = std::vector<u8>(4096, 0x90);  // a multiple of 16
};

inline std::vector<u8> make_bzimage(const BzImageSpec& s) {
    const size_t pm_offset = (size_t{s.setup_sects ? s.setup_sects : 4u} + 1) * 512;
    std::vector<u8> f(pm_offset, 0);
    auto p8 = [&](size_t o, u8 v) { f[o] = v; };
    auto p16 = [&](size_t o, u16 v) { p8(o, static_cast<u8>(v)), p8(o + 1, static_cast<u8>(v >> 8)); };
    auto p32 = [&](size_t o, u32 v) { p16(o, static_cast<u16>(v)), p16(o + 2, static_cast<u16>(v >> 16)); };
    p8(bp::kSetupSects, s.setup_sects);
    p32(bp::kSyssize, static_cast<u32>(s.pm.size() / 16));
    p16(bp::kBootFlag, 0xAA55);
    p8(bp::kJump, 0xEB);
    p8(bp::kJump + 1, s.header_len_byte);
    p32(bp::kHeader, 0x53726448);
    p16(bp::kVersion, s.version);
    p8(bp::kLoadflags, s.loadflags);
    p32(bp::kCode32Start, s.code32_start);
    p32(bp::kInitrdAddrMax, s.initrd_addr_max);
    p32(bp::kKernelAlignment, s.kernel_alignment);
    p8(bp::kRelocatable, s.relocatable);
    p32(bp::kCmdlineSize, s.cmdline_size);
    p32(bp::kPrefAddress, static_cast<u32>(s.pref_address));
    p32(bp::kPrefAddress + 4, static_cast<u32>(s.pref_address >> 32));
    p32(bp::kInitSize, s.init_size);
    f.insert(f.end(), s.pm.begin(), s.pm.end());
    return f;
}

}  // namespace hm::test
