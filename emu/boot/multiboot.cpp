#include "boot/multiboot.hpp"

#include <algorithm>
#include <cstring>

#include "boot/boot_error.hpp"
#include "boot/elf32.hpp"

namespace hm {

namespace {
constexpr u32 kFlagPageAlign = 1u << 0, kFlagMemInfo = 1u << 1, kFlagVideo = 1u << 2;
constexpr u32 kFlagAoutKludge = 1u << 16;
constexpr const char* kBootloaderName = "hm386";
// MBI flags QEMU sets: memory, boot device, cmdline, modules, memory map, loader name.
constexpr u32 kInfoFlags = (1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9);
constexpr u32 kInfoSize = 88;
// What SeaBIOS keeps for itself below the PCI hole (QEMU -m 64M shows
// 0x3fe0000-0x3ffffff reserved), and the flash mapped below 4 GiB.
constexpr u64 kSeabiosTopReserved = 128 * 1024;
constexpr u64 kEbdaBase = 0x9FC00;

u32 le32(std::span<const u8> f, size_t off) {
    return static_cast<u32>(f[off]) | static_cast<u32>(f[off + 1]) << 8 | static_cast<u32>(f[off + 2]) << 16 |
           static_cast<u32>(f[off + 3]) << 24;
}
u64 page_align(u64 v) { return (v + 0xFFF) & ~u64{0xFFF}; }

struct Piece {
    u64 paddr;
    const u8* bytes;
    u64 filesz;
    u64 memsz;
};

bool inside_ram(const PhysicalMemory& ram, u64 start, u64 end) {
    for (const RamRange& r : ram.ranges()) {
        if (start >= r.base && end <= r.base + r.size) return true;
    }
    return false;
}
}  // namespace

std::optional<MultibootHeader> find_multiboot_header(std::span<const u8> f, const std::string& name) {
    const size_t limit = std::min<size_t>(f.size(), kMultibootSearchBytes);
    std::optional<u32> bad_checksum_at;
    for (size_t i = 0; i + 12 <= limit; i += 4) {
        if (le32(f, i) != kMultibootHeaderMagic) continue;
        const u32 flags = le32(f, i + 4);
        if (static_cast<u32>(kMultibootHeaderMagic + flags + le32(f, i + 8)) != 0) {
            if (!bad_checksum_at) bad_checksum_at = static_cast<u32>(i);
            continue;
        }
        MultibootHeader h{static_cast<u32>(i), flags};
        if (flags & kFlagAoutKludge) {
            if (i + 32 > limit) throw BootError(name + ": Multiboot header at " + hex32(i) + " is cut off (the a.out-kludge fields must lie in the first 8 KiB)");
            h.header_addr = le32(f, i + 12);
            h.load_addr = le32(f, i + 16);
            h.load_end_addr = le32(f, i + 20);
            h.bss_end_addr = le32(f, i + 24);
            h.entry_addr = le32(f, i + 28);
        }
        return h;
    }
    if (bad_checksum_at) {
        throw BootError(name + ": the Multiboot header at offset " + hex32(*bad_checksum_at) + " has a bad checksum");
    }
    return std::nullopt;
}

std::vector<MemoryMapEntry> multiboot_memory_map(const PhysicalMemory& ram) {
    std::vector<MemoryMapEntry> map;
    const u64 below = ram.below_4g();
    map.push_back({0, kEbdaBase, 1});
    map.push_back({kEbdaBase, 0xA0000 - kEbdaBase, 2});
    map.push_back({0xF0000, 0x10000, 2});
    if (below > 0x100000) {
        u64 top = below > 0x100000 + kSeabiosTopReserved ? below - kSeabiosTopReserved : 0x100000;
        if (top > 0x100000) map.push_back({0x100000, top - 0x100000, 1});
        map.push_back({top, below - top, 2});
    }
    map.push_back({0xFFFC0000, 0x40000, 2});
    if (ram.above_4g()) map.push_back({4 * kGiB, ram.above_4g(), 1});
    return map;
}

MultibootLoad load_multiboot(Bus& bus, const MultibootRequest& req) {
    const std::string& name = req.kernel_name;
    std::span<const u8> file(req.kernel);
    MultibootLoad out;
    if (file.empty()) throw BootError(name + ": the file is empty");
    std::optional<MultibootHeader> hdr = find_multiboot_header(file, name);
    // An ELF that is not i386 has no header to find either; its class and machine say more.
    if (!hdr && has_elf_magic(file)) (void)parse_elf32_executable(file, name);
    if (!hdr) throw BootError(name + ": no Multiboot header in the first 8 KiB (not a Multiboot v1 kernel)");
    if (hdr->flags & kFlagVideo) {
        out.warnings.push_back(name + ": the kernel asks for a video mode (Multiboot flag 2); hm386, like QEMU, ignores it");
    }
    if (u32 unknown = hdr->flags & 0xFFF8u) {
        out.warnings.push_back(name + ": unknown required Multiboot flags " + hex32(unknown) + " ignored (as QEMU does)");
    }
    (void)kFlagPageAlign;  // modules are always page aligned, as QEMU does
    (void)kFlagMemInfo;    // memory information is always provided

    // ---- the kernel image: pieces to copy and the entry point ----
    std::vector<Piece> pieces;
    u64 low, high;
    if (hdr->aout_kludge()) {
        const MultibootHeader& h = *hdr;
        if (h.header_addr < h.load_addr) throw BootError(name + ": Multiboot header_addr is below load_addr");
        if (h.header_addr - h.load_addr > h.offset) throw BootError(name + ": Multiboot load_addr lies before the start of the file");
        const u64 text_offset = h.offset - (h.header_addr - h.load_addr);
        u64 load_size;
        if (h.load_end_addr) {
            if (h.load_end_addr < h.load_addr) throw BootError(name + ": Multiboot load_end_addr is below load_addr");
            load_size = u64{h.load_end_addr} - h.load_addr;
        } else {
            load_size = file.size() - text_offset;
        }
        if (text_offset + load_size > file.size()) throw BootError(name + ": truncated: the Multiboot header asks to load past the end of the file");
        u64 kernel_size = load_size;
        if (h.bss_end_addr) {
            if (h.bss_end_addr < u64{h.load_addr} + load_size) throw BootError(name + ": Multiboot bss_end_addr is below the end of the loaded image");
            kernel_size = u64{h.bss_end_addr} - h.load_addr;
        }
        if (kernel_size == 0) throw BootError(name + ": the Multiboot header describes an empty image");
        if (u64{h.load_addr} + kernel_size > (u64{1} << 32)) throw BootError(name + ": the image wraps past 4 GiB");
        pieces.push_back({h.load_addr, file.data() + text_offset, load_size, kernel_size});
        low = h.load_addr;
        high = u64{h.load_addr} + kernel_size;
        out.entry = h.entry_addr;
        if (out.entry < low || out.entry >= high) throw BootError(name + ": entry point " + hex32(out.entry) + " is outside the loaded image");
    } else {
        if (!has_elf_magic(file)) {
            throw BootError(name + ": not an ELF file, and its Multiboot header has no load addresses (flag 16)");
        }
        Elf32Executable exe = parse_elf32_executable(file, name);
        for (const ElfSegment& s : exe.segments) pieces.push_back({s.paddr, file.data() + s.offset, s.filesz, s.memsz});
        low = exe.low();
        high = exe.high();
        out.entry = exe.entry;
    }

    // ---- layout after the kernel, exactly as QEMU computes it ----
    const u64 buf_phys = low;
    u64 buf_size = page_align(high - low);
    const u64 offset_mbinfo = buf_size;
    const std::string kernel_cmdline = req.kernel_name + " " + req.append;
    u64 cmdline_len = kernel_cmdline.size() + 1;
    for (const BootModule& m : req.modules) cmdline_len += m.cmdline.size() + 1;
    const u64 nmods = req.modules.size();
    buf_size += cmdline_len + 16 * nmods + std::strlen(kBootloaderName) + 1;
    buf_size = page_align(buf_size);
    const u64 offset_cmdlines = offset_mbinfo + 16 * nmods;
    const u64 offset_bootloader = offset_cmdlines + cmdline_len;
    std::vector<u64> mod_offsets;
    for (const BootModule& m : req.modules) {
        mod_offsets.push_back(buf_size);
        buf_size = page_align(buf_size + m.data.size());
    }
    const u64 info_start = buf_phys + page_align(high - low);
    const u64 info_end = buf_phys + buf_size;

    // ---- validation before anything is written ----
    const PhysicalMemory& ram = bus.ram();
    for (const Piece& p : pieces) {
        if (!inside_ram(ram, p.paddr, p.paddr + p.memsz)) {
            throw BootError(name + ": segment " + hex32(p.paddr) + "-" + hex32(p.paddr + p.memsz - 1) +
                            " is not in RAM (" + ram.describe() + ")");
        }
    }
    if (info_end > (u64{1} << 32) || !inside_ram(ram, info_start, info_end)) {
        throw BootError(name + ": the modules and boot information (" + hex32(info_start) + "-" + hex32(info_end - 1) +
                        ") do not fit in RAM after the kernel (" + ram.describe() + ")");
    }
    // The memory map and information block go at 0x9000, where QEMU puts them,
    // unless the image (or what follows it) is there: a kernel linked low, say
    // at 0x8000. Then they take the first free page of conventional memory.
    auto occupied = [&](u64 start, u64 end) {
        for (const Piece& p : pieces) {
            if (start < p.paddr + p.memsz && p.paddr < end) return true;
        }
        return start < info_end && info_start < end;
    };
    constexpr u64 kBlockSize = kMultibootInfoEnd - kMultibootMmapAddr;
    u64 mmap_addr = kMultibootMmapAddr;
    if (occupied(mmap_addr, mmap_addr + kBlockSize)) {
        mmap_addr = 0;
        for (u64 a = 0x1000; a + kBlockSize <= kEbdaBase; a += 0x1000) {
            if (!occupied(a, a + kBlockSize)) {
                mmap_addr = a;
                break;
            }
        }
        if (!mmap_addr) {
            throw BootError(name + ": the kernel and its modules leave no room below " + hex32(kEbdaBase) +
                            " for the Multiboot information (" + std::to_string(kBlockSize) + " bytes)");
        }
    }
    const u64 info_addr = mmap_addr + (kMultibootInfoAddr - kMultibootMmapAddr);

    // ---- write ----
    std::vector<u8> zeros(64 * 1024, 0);
    auto fill_zero = [&](u64 pa, u64 len) {
        while (len) {
            u64 n = std::min<u64>(len, zeros.size());
            bus.load_bytes(PhysAddr{pa}, zeros.data(), n);
            pa += n;
            len -= n;
        }
    };
    auto put32 = [&](u64 pa, u32 v) { bus.write(PhysAddr{pa}, v, 4); };
    auto put_string = [&](u64 pa, const std::string& s) {
        bus.load_bytes(PhysAddr{pa}, reinterpret_cast<const u8*>(s.c_str()), s.size() + 1);
    };
    for (const Piece& p : pieces) {
        bus.load_bytes(PhysAddr{p.paddr}, p.bytes, p.filesz);
        fill_zero(p.paddr + p.filesz, p.memsz - p.filesz);
        out.ranges.push_back({p.paddr, p.paddr + p.memsz, "kernel"});
    }
    fill_zero(info_start, buf_phys + offset_cmdlines + cmdline_len - info_start);
    u64 cmd_cursor = buf_phys + offset_cmdlines;
    for (size_t i = 0; i < req.modules.size(); ++i) {
        const BootModule& m = req.modules[i];
        const u64 start = buf_phys + mod_offsets[i];
        bus.load_bytes(PhysAddr{start}, m.data.data(), m.data.size());
        put_string(cmd_cursor, m.cmdline);
        const u64 entry = buf_phys + offset_mbinfo + 16 * i;
        put32(entry + 0, static_cast<u32>(start));
        put32(entry + 4, static_cast<u32>(start + m.data.size()));
        put32(entry + 8, static_cast<u32>(cmd_cursor));
        put32(entry + 12, 0);
        cmd_cursor += m.cmdline.size() + 1;
        out.ranges.push_back({start, start + m.data.size(), "module " + m.cmdline});
    }
    const u64 kernel_cmdline_addr = cmd_cursor;
    put_string(kernel_cmdline_addr, kernel_cmdline);
    put_string(buf_phys + offset_bootloader, kBootloaderName);
    out.ranges.push_back({info_start, buf_phys + offset_bootloader + std::strlen(kBootloaderName) + 1,
                          "module list and command lines"});

    // Memory map and information block in low memory.
    std::vector<MemoryMapEntry> map = multiboot_memory_map(ram);
    u64 pa = mmap_addr;
    for (const MemoryMapEntry& e : map) {
        put32(pa, 20);
        bus.write(PhysAddr{pa + 4}, e.base, 8);
        bus.write(PhysAddr{pa + 12}, e.length, 8);
        put32(pa + 20, e.type);
        pa += 24;
    }
    // mem_upper: RAM contiguous from 1 MiB, found as the option ROM does.
    u64 upper_end = 0x100000;
    for (bool grew = true; grew;) {
        grew = false;
        for (const MemoryMapEntry& e : map) {
            if (e.type == 1 && e.base <= upper_end && upper_end < e.base + e.length && e.base + e.length < 4 * kGiB) {
                upper_end = e.base + e.length;
                grew = true;
            }
        }
    }
    std::vector<u8> info(kInfoSize, 0);
    bus.load_bytes(PhysAddr{info_addr}, info.data(), info.size());
    put32(info_addr + 0, kInfoFlags);
    put32(info_addr + 4, static_cast<u32>(kEbdaBase / 1024));
    put32(info_addr + 8, static_cast<u32>((upper_end - 0x100000) / 1024));
    put32(info_addr + 12, 0x8000FFFF);
    put32(info_addr + 16, static_cast<u32>(kernel_cmdline_addr));
    put32(info_addr + 20, static_cast<u32>(nmods));
    put32(info_addr + 24, static_cast<u32>(buf_phys + offset_mbinfo));
    put32(info_addr + 44, static_cast<u32>(map.size() * 24));
    put32(info_addr + 48, static_cast<u32>(mmap_addr));
    put32(info_addr + 64, static_cast<u32>(buf_phys + offset_bootloader));
    out.ebx = static_cast<u32>(info_addr);
    out.ranges.push_back({mmap_addr, info_addr + kInfoSize, "memory map and information block"});
    return out;
}

}  // namespace hm
