#include "boot/elf32.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "boot/boot_error.hpp"

namespace hm {

namespace {
constexpr u32 kPtLoad = 1;
constexpr u32 kPfExec = 1;
constexpr u16 kEtExec = 2;
constexpr u16 kEm386 = 3;
constexpr u16 kEmX86_64 = 62;

u16 le16(std::span<const u8> f, size_t off) { return static_cast<u16>(f[off] | f[off + 1] << 8); }
u32 le32(std::span<const u8> f, size_t off) {
    return static_cast<u32>(f[off]) | static_cast<u32>(f[off + 1]) << 8 | static_cast<u32>(f[off + 2]) << 16 |
           static_cast<u32>(f[off + 3]) << 24;
}
}  // namespace

u64 Elf32Executable::high() const {
    u64 h = 0;
    for (const ElfSegment& s : segments) h = std::max<u64>(h, u64{s.paddr} + s.memsz);
    return h;
}

bool has_elf_magic(std::span<const u8> f) {
    return f.size() >= 4 && f[0] == 0x7F && f[1] == 'E' && f[2] == 'L' && f[3] == 'F';
}

Elf32Executable parse_elf32_executable(std::span<const u8> f, const std::string& name) {
    auto fail = [&](const std::string& why) -> BootError { return BootError(name + ": " + why); };
    if (!has_elf_magic(f)) throw fail("not an ELF file");
    if (f.size() < 52) throw fail("truncated ELF header (" + std::to_string(f.size()) + " bytes)");
    if (f[4] == 2) {
        throw fail(le16(f, 18) == kEmX86_64 ? "a 64-bit x86-64 ELF; hm386 boots 32-bit i386 kernels"
                                            : "a 64-bit ELF; hm386 boots 32-bit i386 kernels");
    }
    if (f[4] != 1) throw fail("unknown ELF class " + std::to_string(f[4]));
    if (f[5] != 1) throw fail("not a little-endian ELF");
    if (f[6] != 1) throw fail("unknown ELF version " + std::to_string(f[6]));
    const u16 type = le16(f, 16);
    const u16 machine = le16(f, 18);
    if (machine != kEm386) throw fail("not an i386 ELF (e_machine " + std::to_string(machine) + ")");
    if (type != kEtExec) {
        throw fail(type == 3 ? "a shared object or PIE (ET_DYN), not an executable (ET_EXEC)"
                             : type == 1 ? "a relocatable object (ET_REL), not an executable (ET_EXEC)"
                                         : "not an executable (e_type " + std::to_string(type) + ")");
    }
    Elf32Executable exe;
    exe.entry = le32(f, 24);
    const u32 phoff = le32(f, 28);
    const u16 phentsize = le16(f, 42);
    const u16 phnum = le16(f, 44);
    if (phnum == 0) throw fail("no program headers");
    if (phentsize != 32) throw fail("program header size " + std::to_string(phentsize) + " (expected 32)");
    if (u64{phoff} + u64{phnum} * 32 > f.size()) throw fail("program headers run past the end of the file");
    for (unsigned i = 0; i < phnum; ++i) {
        const size_t ph = phoff + size_t{i} * 32;
        if (le32(f, ph) != kPtLoad) continue;
        ElfSegment s{le32(f, ph + 12), le32(f, ph + 8), le32(f, ph + 4), le32(f, ph + 16), le32(f, ph + 20),
                     le32(f, ph + 24)};
        if (s.memsz == 0) continue;  // QEMU ignores empty segments too
        const std::string seg = "segment " + std::to_string(i);
        if (s.filesz > s.memsz) throw fail(seg + " has file size " + hex32(s.filesz) + " > memory size " + hex32(s.memsz));
        if (u64{s.offset} + s.filesz > f.size()) throw fail(seg + " is truncated: its bytes run past the end of the file");
        if (u64{s.paddr} + s.memsz > (u64{1} << 32)) throw fail(seg + " wraps past 4 GiB");
        exe.segments.push_back(s);
    }
    if (exe.segments.empty()) throw fail("no loadable (PT_LOAD) segments");
    std::sort(exe.segments.begin(), exe.segments.end(),
              [](const ElfSegment& a, const ElfSegment& b) { return a.paddr < b.paddr; });
    for (size_t i = 1; i < exe.segments.size(); ++i) {
        const ElfSegment& a = exe.segments[i - 1];
        const ElfSegment& b = exe.segments[i];
        if (u64{a.paddr} + a.memsz > b.paddr) {
            throw fail("segments at " + hex32(a.paddr) + " and " + hex32(b.paddr) + " overlap");
        }
    }
    // A kernel linked at a virtual address but loaded by physical address: the
    // entry moves with its executable segment (QEMU's load_elf does the same).
    for (const ElfSegment& s : exe.segments) {
        if ((s.flags & kPfExec) && s.vaddr != s.paddr && exe.entry >= s.vaddr && exe.entry - s.vaddr < s.filesz) {
            exe.entry = exe.entry - s.vaddr + s.paddr;
            break;
        }
    }
    bool inside = false;
    for (const ElfSegment& s : exe.segments) inside = inside || (exe.entry >= s.paddr && exe.entry - s.paddr < s.memsz);
    if (!inside) throw fail("entry point " + hex32(exe.entry) + " is outside every loaded segment");
    return exe;
}

}  // namespace hm
