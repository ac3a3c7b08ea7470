// The Linux/x86 32-bit boot protocol (the kernel's Documentation/x86/boot.rst,
// "32-bit boot protocol"; field offsets from arch/x86/include/uapi/asm/bootparam.h),
// done without a BIOS:
//
//   * the file is a bzImage: boot_flag 0xAA55 at 0x1FE, "HdrS" at 0x202, setup
//     header version >= 2.10, LOADED_HIGH set; the protected-mode kernel starts
//     at (setup_sects or 4, plus 1) * 512 and is syssize * 16 bytes long;
//   * it is copied to 0x100000 and entered at code32_start; RAM below 4 GiB must
//     reach the address it decompresses to (pref_address, below 4 GiB) plus
//     init_size;
//   * boot_params (the "zero page") at 0x10000: the kernel's setup header copied
//     in, type_of_loader 0xFF, CAN_USE_HEAP with heap_end_ptr, cmd_line_ptr, the
//     initrd, and an e820 map that is the one SeaBIOS gives QEMU for the same RAM
//     (multiboot_memory_map), so Linux finds the same HighTotal under both;
//   * the command line at 0x20000, at most cmdline_size bytes;
//   * the initrd page aligned as high as it fits below initrd_addr_max, the top
//     of usable RAM below 4 GiB and kLinuxInitrdCeiling (inside 32-bit Linux's
//     low memory, so the kernel need not move it), above the kernel's
//     decompression area;
//   * CPU: flat 32-bit protected mode with a GDT at 0x11000 holding __BOOT_CS
//     (0x10, execute/read) and __BOOT_DS (0x18, read/write), CS = 0x10, DS = ES
//     = SS = 0x18, paging and interrupts off, ESI = boot_params, EBP = EDI = EBX
//     = 0 (the protocol's requirements).
//
// A file that is not a bzImage, too old, truncated, or does not fit is a
// BootError naming the problem; nothing is written before validation passes.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "boot/multiboot.hpp"
#include "core/types.hpp"
#include "mem/bus.hpp"

namespace hm {

constexpr u32 kLinuxBootParamsAddr = 0x10000;
constexpr u32 kLinuxGdtAddr = 0x11000;
constexpr u32 kLinuxCmdlineAddr = 0x20000;
constexpr u32 kLinuxKernelAddr = 0x100000;
constexpr u16 kLinuxBootCs = 0x10;
constexpr u16 kLinuxBootDs = 0x18;
// Debian 12's 686-pae kernel reports "879MB LOWMEM" under QEMU at 3 GiB; 768 MiB
// stays inside it with room for a larger vmalloc= or a different kernel.
constexpr u64 kLinuxInitrdCeiling = 0x30000000;
constexpr u16 kLinuxMinProtocol = 0x020A;  // 2.10: kernel_alignment, pref_address, init_size
constexpr u8 kLinuxLoaderType = 0xFF;      // "undefined" boot loader (boot.rst)

// Offsets in the file and in boot_params (the setup header sits at 0x1F1 in both).
namespace bp {
constexpr u32 kE820Entries = 0x1E8, kSetupSects = 0x1F1, kSyssize = 0x1F4, kBootFlag = 0x1FE, kJump = 0x200,
              kHeader = 0x202, kVersion = 0x206, kTypeOfLoader = 0x210, kLoadflags = 0x211, kCode32Start = 0x214,
              kRamdiskImage = 0x218, kRamdiskSize = 0x21C, kHeapEndPtr = 0x224, kCmdLinePtr = 0x228,
              kInitrdAddrMax = 0x22C, kKernelAlignment = 0x230, kRelocatable = 0x234, kCmdlineSize = 0x238,
              kPrefAddress = 0x258, kInitSize = 0x260, kE820Table = 0x2D0;
constexpr u32 kSetupHeaderMaxEnd = 0x280;  // where boot_params' own fields resume
constexpr u8 kLoadedHigh = 0x01, kCanUseHeap = 0x80;
constexpr u32 kE820MaxEntries = 128;
}  // namespace bp

// True if the bytes start like a bzImage (boot_flag and "HdrS"); says nothing
// about whether it is valid.
bool has_bzimage_magic(std::span<const u8> file);

struct BzImageHeader {
    u8 setup_sects = 0;  // as used: 0 in the file means 4
    u16 version = 0;
    u8 loadflags = 0;
    u32 code32_start = 0;
    u32 initrd_addr_max = 0;
    u32 kernel_alignment = 0;
    bool relocatable = false;
    u32 cmdline_size = 0;
    u64 pref_address = 0;
    u32 init_size = 0;
    u32 header_end = 0;  // 0x202 + the byte at 0x201
    u64 pm_offset = 0, pm_size = 0;  // the protected-mode kernel in the file
};

// Throws BootError ("vmlinuz: boot protocol 2.04 is too old ...").
BzImageHeader parse_bzimage_header(std::span<const u8> file, const std::string& name);

struct LinuxBootRequest {
    std::string kernel_name;
    std::vector<u8> kernel;
    std::string cmdline;
    std::string initrd_name;  // empty: no initrd
    std::vector<u8> initrd;
};

struct LinuxBootLoad {
    u32 entry = 0;
    u32 boot_params = kLinuxBootParamsAddr;
    u32 gdt_base = kLinuxGdtAddr;
    u16 gdt_limit = 0;
    u32 initrd_addr = 0, initrd_size = 0;
    BzImageHeader header;
    std::vector<MemoryMapEntry> e820;
    std::vector<LoadedRange> ranges;  // what went where (for --verbose and tests)
};

// Validates, then writes the kernel, initrd, command line, GDT and boot_params
// through the bus. The caller puts the CPU in the entry state (Machine::boot_linux).
LinuxBootLoad load_linux(Bus& bus, const LinuxBootRequest& request);

}  // namespace hm
