// Builds small i386 ELF executables in memory for loader tests.
#pragma once
#include <cstring>
#include <vector>

#include "core/types.hpp"

namespace hm::test {

struct SegSpec {
    u32 paddr;
    u32 vaddr;
    std::vector<u8> data;
    u32 memsz;
    u32 flags = 5;  // R+X
};

inline void put16(std::vector<u8>& b, size_t off, u16 v) {
    b[off] = static_cast<u8>(v);
    b[off + 1] = static_cast<u8>(v >> 8);
}
inline void put32(std::vector<u8>& b, size_t off, u32 v) {
    for (int i = 0; i < 4; ++i) b[off + static_cast<size_t>(i)] = static_cast<u8>(v >> (8 * i));
}

inline std::vector<u8> multiboot_header(u32 flags = 0x3) {
    std::vector<u8> h(12);
    put32(h, 0, 0x1BADB002);
    put32(h, 4, flags);
    put32(h, 8, static_cast<u32>(-(0x1BADB002u + flags)));
    return h;
}

inline std::vector<u8> build_elf(u32 entry, const std::vector<SegSpec>& segs) {
    const size_t phoff = 52;
    size_t off = (phoff + 32 * segs.size() + 15) & ~size_t{15};
    std::vector<size_t> offsets;
    for (const SegSpec& s : segs) {
        offsets.push_back(off);
        off += (s.data.size() + 15) & ~size_t{15};
    }
    std::vector<u8> f(off, 0);
    const u8 ident[] = {0x7F, 'E', 'L', 'F', 1, 1, 1, 0};
    std::memcpy(f.data(), ident, sizeof ident);
    put16(f, 16, 2);   // ET_EXEC
    put16(f, 18, 3);   // EM_386
    put32(f, 20, 1);
    put32(f, 24, entry);
    put32(f, 28, static_cast<u32>(phoff));
    put16(f, 40, 52);
    put16(f, 42, 32);
    put16(f, 44, static_cast<u16>(segs.size()));
    for (size_t i = 0; i < segs.size(); ++i) {
        size_t ph = phoff + 32 * i;
        put32(f, ph + 0, 1);  // PT_LOAD
        put32(f, ph + 4, static_cast<u32>(offsets[i]));
        put32(f, ph + 8, segs[i].vaddr);
        put32(f, ph + 12, segs[i].paddr);
        put32(f, ph + 16, static_cast<u32>(segs[i].data.size()));
        put32(f, ph + 20, segs[i].memsz);
        put32(f, ph + 24, segs[i].flags);
        put32(f, ph + 28, 0x1000);
        std::memcpy(f.data() + offsets[i], segs[i].data.data(), segs[i].data.size());
    }
    return f;
}

// A Multiboot kernel: a text segment at 1 MiB starting with the header, and a
// data segment with a .bss tail.
inline std::vector<u8> simple_kernel(u32 text_memsz = 0x2000, u32 data_paddr = 0x103000, u32 bss = 0x2000) {
    std::vector<u8> text = multiboot_header();
    text.resize(0x40, 0x90);
    std::vector<u8> data(0x20, 0xAB);
    return build_elf(0x100010, {{0x100000, 0x100000, text, text_memsz, 5},
                                {data_paddr, data_paddr, data, static_cast<u32>(data.size()) + bss, 6}});
}

}  // namespace hm::test
