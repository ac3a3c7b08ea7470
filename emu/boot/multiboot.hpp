// Multiboot v1 loading, done the way QEMU's -kernel does it, so a guest sees the
// same memory image under hm386 and under qemu-system-i386:
//
//   * the header must sit 4-byte aligned in the first 8 KiB with a valid
//     checksum; ELF kernels are loaded by p_paddr (entry translated when it is a
//     virtual address); flag 16 (the a.out kludge) loads a raw image at the
//     header's addresses instead;
//   * right after the kernel (page aligned) come the module list, the command
//     lines (modules' first, then "<kernel path> <append>") and the boot loader
//     name ("hm386"); then each module, page aligned;
//   * the memory map is at 0x9000 and the information block at 0x9500, as QEMU's
//     multiboot option ROM leaves them, with the ranges SeaBIOS reports for the
//     same RAM size (EBDA, BIOS area, its top 128 KiB below the PCI hole and the
//     flash at 4 GiB - 256 KiB reserved; RAM above 4 GiB included); mem_lower is
//     639 and mem_upper the contiguous RAM above 1 MiB, as that ROM computes it.
//
// A kernel or module that would not fit in RAM, or overlap the information area
// or another segment, is a BootError naming the problem.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "mem/bus.hpp"

namespace hm {

constexpr u32 kMultibootHeaderMagic = 0x1BADB002;
constexpr u32 kMultibootBootloaderMagic = 0x2BADB002;
constexpr u32 kMultibootSearchBytes = 8192;
constexpr u32 kMultibootMmapAddr = 0x9000;
constexpr u32 kMultibootInfoAddr = 0x9500;
constexpr u32 kMultibootInfoEnd = 0x9600;

struct MultibootHeader {
    u32 offset;  // in the file
    u32 flags;
    u32 header_addr = 0, load_addr = 0, load_end_addr = 0, bss_end_addr = 0, entry_addr = 0;  // flag 16
    bool aout_kludge() const { return flags & 0x10000; }
};

// The first valid header, nullopt if there is none; BootError if the only
// candidates have a bad checksum (that is almost always a build mistake).
std::optional<MultibootHeader> find_multiboot_header(std::span<const u8> file, const std::string& name);

struct BootModule {
    std::string cmdline;   // the module string as given: "PATH [ARGS]"
    std::vector<u8> data;
};

struct MultibootRequest {
    std::string kernel_name;  // as given on the command line: the first word of the kernel's cmdline
    std::vector<u8> kernel;
    std::string append;
    std::vector<BootModule> modules;
};

struct LoadedRange {
    u64 start, end;
    std::string what;
};

struct MultibootLoad {
    u32 entry = 0;
    u32 eax = kMultibootBootloaderMagic;
    u32 ebx = kMultibootInfoAddr;
    std::vector<LoadedRange> ranges;     // what went where (for --verbose and tests)
    std::vector<std::string> warnings;   // e.g. a video mode request that is ignored
};

// The memory map hm386 reports (type 1 = RAM, 2 = reserved), also used for
// mem_upper.
struct MemoryMapEntry {
    u64 base, length;
    u32 type;
};
std::vector<MemoryMapEntry> multiboot_memory_map(const PhysicalMemory& ram);

// Loads kernel and modules into RAM through the bus and writes the information
// structures. Throws BootError; writes nothing if validation fails.
MultibootLoad load_multiboot(Bus& bus, const MultibootRequest& request);

}  // namespace hm
