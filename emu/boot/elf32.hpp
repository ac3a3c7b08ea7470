// Validating reader for 32-bit x86 ELF executables, the kind QEMU's -kernel and
// Multiboot loaders accept. Every field that could send a read or a copy out of
// bounds is checked; a bad file becomes a BootError with one line saying what is
// wrong, never a crash (tests truncate and corrupt files at every offset).
#pragma once
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace hm {

struct ElfSegment {
    u32 paddr;   // where the bytes go (Multiboot loads by physical address)
    u32 vaddr;
    u32 offset;  // in the file
    u32 filesz;
    u32 memsz;   // > filesz: the rest is zero-filled (.bss)
    u32 flags;   // PF_X = 1, PF_W = 2, PF_R = 4
};

struct Elf32Executable {
    u32 entry;  // physical: translated as QEMU does when the entry is virtual
    std::vector<ElfSegment> segments;  // PT_LOAD with memsz > 0, sorted by paddr
    u64 low() const { return segments.front().paddr; }
    u64 high() const;  // end of the highest segment
};

bool has_elf_magic(std::span<const u8> file);
// Throws BootError; `name` prefixes messages.
Elf32Executable parse_elf32_executable(std::span<const u8> file, const std::string& name);

}  // namespace hm
