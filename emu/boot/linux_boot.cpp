#include "boot/linux_boot.hpp"

#include <algorithm>
#include <cstdio>

#include "boot/boot_error.hpp"

namespace hm {

namespace {
constexpr u16 kBootFlagValue = 0xAA55;
constexpr u32 kHdrS = 0x53726448;  // "HdrS" little-endian
constexpr u32 kHeaderMinEnd = bp::kInitSize + 4;  // a 2.10 header reaches init_size
// The real-mode heap end as QEMU sets it for protocol >= 2.01 (0xFE00 - 0x200):
// unused by the 32-bit entry, but a value the setup code would accept.
constexpr u16 kHeapEnd = 0xFE00 - 0x200;

u16 le16(std::span<const u8> f, size_t off) { return static_cast<u16>(f[off] | f[off + 1] << 8); }
u32 le32(std::span<const u8> f, size_t off) { return static_cast<u32>(le16(f, off)) | static_cast<u32>(le16(f, off + 2)) << 16; }
u64 le64(std::span<const u8> f, size_t off) { return u64{le32(f, off)} | u64{le32(f, off + 4)} << 32; }
u64 align_up(u64 v, u64 a) { return a ? (v + a - 1) / a * a : v; }

std::string protocol_text(u16 v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%02u", v >> 8, v & 0xFF);
    return buf;
}
std::string mib(u64 bytes) { return std::to_string((bytes + kMiB - 1) / kMiB) + " MiB"; }

// End of the usable RAM that continues from 1 MiB without a gap, below 4 GiB.
u64 contiguous_top_from_1m(const std::vector<MemoryMapEntry>& map) {
    u64 end = kLinuxKernelAddr;
    for (bool grew = true; grew;) {
        grew = false;
        for (const MemoryMapEntry& e : map) {
            if (e.type == 1 && e.base <= end && end < e.base + e.length && e.base + e.length <= 4 * kGiB) {
                end = e.base + e.length;
                grew = true;
            }
        }
    }
    return end;
}
}  // namespace

bool has_bzimage_magic(std::span<const u8> f) {
    return f.size() >= bp::kHeader + 4 && le16(f, bp::kBootFlag) == kBootFlagValue && le32(f, bp::kHeader) == kHdrS;
}

BzImageHeader parse_bzimage_header(std::span<const u8> f, const std::string& name) {
    // The magic ends at 0x206; the version word that follows must be in the file too.
    if (f.size() < bp::kVersion + 2) {
        throw BootError(name + ": truncated: " + std::to_string(f.size()) + " bytes, too short for a Linux setup header");
    }
    if (le32(f, bp::kHeader) != kHdrS) throw BootError(name + ": not a Linux bzImage (no \"HdrS\" at 0x202)");
    if (le16(f, bp::kBootFlag) != kBootFlagValue) throw BootError(name + ": not a Linux bzImage (no 0xAA55 boot flag at 0x1fe)");
    BzImageHeader h;
    h.version = le16(f, bp::kVersion);
    if (h.version < kLinuxMinProtocol) {
        throw BootError(name + ": Linux boot protocol " + protocol_text(h.version) + " is too old (hm386 needs 2.10 or later)");
    }
    h.header_end = bp::kJump + 2 + f[bp::kJump + 1];
    if (h.header_end < kHeaderMinEnd) {
        throw BootError(name + ": the setup header ends at " + hex32(h.header_end) + ", before the 2.10 fields it claims");
    }
    if (f.size() < h.header_end) {
        throw BootError(name + ": truncated: " + std::to_string(f.size()) + " bytes, the setup header ends at " + hex32(h.header_end));
    }
    h.loadflags = f[bp::kLoadflags];
    if (!(h.loadflags & bp::kLoadedHigh)) {
        throw BootError(name + ": a zImage (LOADED_HIGH clear); hm386 loads only bzImages");
    }
    h.setup_sects = f[bp::kSetupSects] ? f[bp::kSetupSects] : 4;
    h.code32_start = le32(f, bp::kCode32Start);
    h.initrd_addr_max = le32(f, bp::kInitrdAddrMax);
    h.kernel_alignment = le32(f, bp::kKernelAlignment);
    h.relocatable = f[bp::kRelocatable] != 0;
    h.cmdline_size = le32(f, bp::kCmdlineSize);
    h.pref_address = le64(f, bp::kPrefAddress);
    h.init_size = le32(f, bp::kInitSize);
    // The field is 64 bits wide; past 4 GiB, pref_address + init_size could wrap.
    if (h.pref_address > 0xFFFFFFFFull) {
        throw BootError(name + ": pref_address " + hex32(h.pref_address) + " is above 4 GiB, where a 32-bit kernel cannot run");
    }
    h.pm_offset = u64{h.setup_sects + 1u} * 512;
    h.pm_size = u64{le32(f, bp::kSyssize)} * 16;
    if (h.pm_size == 0) throw BootError(name + ": the setup header gives syssize 0 (no protected-mode kernel)");
    if (h.pm_offset + h.pm_size > f.size()) {
        throw BootError(name + ": truncated: " + std::to_string(f.size()) + " bytes, the header describes " +
                        std::to_string(h.pm_offset + h.pm_size) + " (" + std::to_string(h.setup_sects) +
                        " setup sectors + syssize " + std::to_string(h.pm_size / 16) + " paragraphs)");
    }
    if (h.code32_start < kLinuxKernelAddr || h.code32_start >= kLinuxKernelAddr + h.pm_size) {
        throw BootError(name + ": code32_start " + hex32(h.code32_start) + " is outside the kernel loaded at " +
                        hex32(kLinuxKernelAddr));
    }
    if (h.relocatable && h.kernel_alignment && (h.kernel_alignment & (h.kernel_alignment - 1))) {
        throw BootError(name + ": kernel_alignment " + hex32(h.kernel_alignment) + " is not a power of two");
    }
    return h;
}

LinuxBootLoad load_linux(Bus& bus, const LinuxBootRequest& req) {
    const std::string& name = req.kernel_name;
    std::span<const u8> file(req.kernel);
    LinuxBootLoad out;
    const BzImageHeader h = parse_bzimage_header(file, name);
    out.header = h;
    out.entry = h.code32_start;

    // ---- where everything goes, checked before anything is written ----
    const PhysicalMemory& ram = bus.ram();
    out.e820 = multiboot_memory_map(ram);
    if (out.e820.size() > bp::kE820MaxEntries) throw BootError(name + ": the memory map has more than 128 entries");
    const u64 usable_top = contiguous_top_from_1m(out.e820);
    const u64 kernel_end = kLinuxKernelAddr + h.pm_size;
    // The decompressor runs from, and unpacks to, the kernel's preferred address
    // (a relocatable kernel: the load address aligned up, at least pref_address)
    // and needs init_size bytes there.
    u64 run_base = h.pref_address;
    if (h.relocatable) run_base = std::max<u64>(align_up(kLinuxKernelAddr, h.kernel_alignment), h.pref_address);
    const u64 work_end = std::max(kernel_end, run_base + h.init_size);
    if (work_end > usable_top) {
        throw BootError(name + ": the kernel needs RAM up to " + hex32(work_end - 1) + " (init_size " + mib(h.init_size) +
                        " at " + hex32(run_base) + "), more than this machine has (" + ram.describe() + ")");
    }
    if (req.cmdline.size() > h.cmdline_size) {
        throw BootError(name + ": the command line is " + std::to_string(req.cmdline.size()) +
                        " bytes; this kernel takes at most " + std::to_string(h.cmdline_size));
    }
    if (req.cmdline.size() + 1 > kLinuxKernelAddr - kLinuxCmdlineAddr) {
        throw BootError(name + ": the command line does not fit below 1 MiB");
    }
    if (!req.initrd_name.empty()) {
        const u64 size = req.initrd.size();
        const u64 ceiling = std::min({u64{h.initrd_addr_max} + 1, usable_top, kLinuxInitrdCeiling});
        const u64 floor = align_up(work_end, kPageSize);
        if (size == 0) throw BootError(req.initrd_name + ": the initrd is empty");
        if (size > ceiling || ((ceiling - size) & ~(kPageSize - 1)) < floor) {
            throw BootError(req.initrd_name + ": the initrd (" + std::to_string(size) + " bytes) does not fit between the kernel's end (" +
                            hex32(floor) + ") and " + hex32(ceiling) + " (initrd_addr_max, low memory, RAM: " +
                            ram.describe() + ")");
        }
        out.initrd_addr = static_cast<u32>((ceiling - size) & ~(kPageSize - 1));
        out.initrd_size = static_cast<u32>(size);
    }

    // ---- write ----
    auto put8 = [&](u64 pa, u8 v) { bus.write(PhysAddr{pa}, v, 1); };
    auto put16 = [&](u64 pa, u16 v) { bus.write(PhysAddr{pa}, v, 2); };
    auto put32 = [&](u64 pa, u32 v) { bus.write(PhysAddr{pa}, v, 4); };
    bus.load_bytes(PhysAddr{kLinuxKernelAddr}, file.data() + h.pm_offset, h.pm_size);
    out.ranges.push_back({kLinuxKernelAddr, kernel_end, "Linux protected-mode kernel"});
    if (out.initrd_size) {
        bus.load_bytes(PhysAddr{out.initrd_addr}, req.initrd.data(), req.initrd.size());
        out.ranges.push_back({out.initrd_addr, u64{out.initrd_addr} + out.initrd_size, "initrd " + req.initrd_name});
    }
    bus.load_bytes(PhysAddr{kLinuxCmdlineAddr}, reinterpret_cast<const u8*>(req.cmdline.c_str()), req.cmdline.size() + 1);
    out.ranges.push_back({kLinuxCmdlineAddr, kLinuxCmdlineAddr + req.cmdline.size() + 1, "command line"});

    // boot_params: zeroed, the setup header copied from the image, then ours.
    const u32 zp = kLinuxBootParamsAddr;
    std::vector<u8> zero_page(4096, 0);
    const u32 hdr_end = std::min(h.header_end, bp::kSetupHeaderMaxEnd);
    std::copy(file.begin() + bp::kSetupSects, file.begin() + hdr_end, zero_page.begin() + bp::kSetupSects);
    bus.load_bytes(PhysAddr{zp}, zero_page.data(), zero_page.size());
    put8(zp + bp::kTypeOfLoader, kLinuxLoaderType);
    put8(zp + bp::kLoadflags, static_cast<u8>(h.loadflags | bp::kCanUseHeap));
    put16(zp + bp::kHeapEndPtr, kHeapEnd);
    put32(zp + bp::kCmdLinePtr, kLinuxCmdlineAddr);
    put32(zp + bp::kRamdiskImage, out.initrd_addr);
    put32(zp + bp::kRamdiskSize, out.initrd_size);
    put8(zp + bp::kE820Entries, static_cast<u8>(out.e820.size()));
    for (size_t i = 0; i < out.e820.size(); ++i) {
        const u64 e = zp + bp::kE820Table + 20 * i;
        bus.write(PhysAddr{e}, out.e820[i].base, 8);
        bus.write(PhysAddr{e + 8}, out.e820[i].length, 8);
        put32(e + 16, out.e820[i].type);
    }
    out.ranges.push_back({zp, zp + 4096u, "boot_params (zero page)"});

    // GDT: null, unused, __BOOT_CS (flat 4 GiB code, execute/read), __BOOT_DS
    // (flat 4 GiB data, read/write), both with the accessed bit already set.
    const u64 gdt[4] = {0, 0, 0x00CF9B000000FFFFull, 0x00CF93000000FFFFull};
    for (unsigned i = 0; i < 4; ++i) bus.write(PhysAddr{kLinuxGdtAddr + 8 * i}, gdt[i], 8);
    out.gdt_limit = sizeof gdt - 1;
    out.ranges.push_back({kLinuxGdtAddr, kLinuxGdtAddr + sizeof gdt, "GDT (__BOOT_CS 0x10, __BOOT_DS 0x18)"});
    return out;
}

}  // namespace hm
