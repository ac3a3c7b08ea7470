// A protected-mode world for privilege and task tests:
//
//   GDT 0x2000                          IDT 0x3000: every vector -> 0x08:0x4000
//   0x08 code  DPL0 flat                 (interrupt gates, DPL 3), handler: HLT
//   0x10 data  DPL0 flat
//   0x18 code  DPL3 flat  (0x1B)        TSS A 0x7000 (ESP0 0x80000, SS0 0x10)
//   0x20 data  DPL3 flat  (0x23)        TSS B 0x7200
//   0x28 TSS A (32-bit, available)      ring-3 code 0x5000, ring-3 stack 0x60000
//   0x30 TSS B
//   0x38 call gate DPL3 -> 0x08:0x4800, 2 dword parameters
//   0x40 conforming code DPL0
//   0x48 data DPL3, not present
//   0x50 read-only data DPL3
//   0x58 expand-down data DPL3, limit 0x0FFF (valid offsets 0x1000-0xFFFFFFFF)
//   0x60 execute-only code DPL3
//   0x68 task gate DPL3 -> TSS B
//   0x70 data DPL3, limit 0xFFF (byte granular)
#pragma once
#include "cpu_fixture.hpp"

namespace hm::test {

constexpr u32 kGdt = 0x2000, kIdt = 0x3000, kHandler = 0x4000, kGateTarget = 0x4800;
constexpr u32 kTssA = 0x7000, kTssB = 0x7200, kUserCode = 0x5000, kUserStack = 0x60000, kKernelStack = 0x80000;

inline u64 seg_desc(u32 base, u32 limit, u32 access, u32 flags) {
    return (limit & 0xFFFF) | (u64{base & 0xFFFFFF} << 16) | (u64{access} << 40) | (u64{(limit >> 16) & 0xF} << 48) |
           (u64{flags} << 52) | (u64{base >> 24} << 56);
}
inline u64 gate_desc(u16 selector, u32 offset, u32 access, u32 params = 0) {
    return (offset & 0xFFFF) | (u64{selector} << 16) | (u64{params & 0x1F} << 32) | (u64{access} << 40) |
           (u64{offset >> 16} << 48);
}

struct PmFixture : CpuFixture {
    PmFixture() {
        cpu.enter_multiboot_state(0x1000, 0, 0);
        st.r[reg::ESP] = kKernelStack;
        install_gdt_idt(kGdt, kIdt, kHandler, kTssA, 256);
        poke64(kGdt + 0x30, seg_desc(kTssB, 0x67, 0x89, 0));
        poke64(kGdt + 0x38, gate_desc(0x08, kGateTarget, 0xEC, 2));
        poke64(kGdt + 0x40, seg_desc(0, 0xFFFFF, 0x9E, 0xC));
        poke64(kGdt + 0x48, seg_desc(0, 0xFFFFF, 0x72, 0xC));
        poke64(kGdt + 0x50, seg_desc(0, 0xFFFFF, 0xF0, 0xC));
        poke64(kGdt + 0x58, seg_desc(0, 0x0FFF, 0xF6, 0x4));
        poke64(kGdt + 0x60, seg_desc(0, 0xFFFFF, 0xF8, 0xC));
        poke64(kGdt + 0x68, gate_desc(0x30, 0, 0xE5));
        poke64(kGdt + 0x70, seg_desc(0, 0xFFF, 0xF2, 0x4));
        st.gdtr = {kGdt, 0x77};
        poke32(kTssA + 4, kKernelStack);  // ESP0
        poke32(kTssA + 8, 0x10);          // SS0
        poke16(kTssA + 102, 0x68);        // I/O bitmap right after the TSS (limit 0x67: none)
        poke(kHandler, {0xF4});
    }

    // Ring 0 at 0x1000: LTR 0x28, then IRET to ring 3 at kUserCode with the given
    // EFLAGS; `user` is the ring-3 code (it must end by trapping to ring 0).
    void start_user(const Bytes& user, u32 eflags = 0x202) {
        poke(kUserCode, user);
        Bytes pro = {0x66, 0xB8, 0x28, 0x00, 0x0F, 0x00, 0xD8,  // mov ax,0x28 ; ltr ax
                     0x6A, 0x23, 0x68};                         // push 0x23 ; push imm32
        for (int i = 0; i < 4; ++i) pro.push_back(static_cast<u8>(kUserStack >> (8 * i)));
        pro.push_back(0x68);  // push eflags
        for (int i = 0; i < 4; ++i) pro.push_back(static_cast<u8>(eflags >> (8 * i)));
        pro.insert(pro.end(), {0x6A, 0x1B, 0x68});  // push 0x1B ; push eip
        for (int i = 0; i < 4; ++i) pro.push_back(static_cast<u8>(kUserCode >> (8 * i)));
        pro.push_back(0xCF);  // iretd
        poke(0x1000, pro);
        st.eip = 0x1000;
        st.halted = false;
    }

    // The ring-0 frame at the handler: [esp] = error code if any, then EIP, CS,
    // EFLAGS, ESP, SS of the interrupted ring-3 code.
    u32 frame(unsigned n) { return peek32(st.r[reg::ESP] + 4 * n); }
    u64 exceptions(unsigned v) { return cpu.stats().exceptions[v]; }
};

// Identity paging for the first 4 MiB (PD 0x10000, PT 0x11000, all user/writable),
// turned on by running kPagingOn.
inline void identity_paging(PmFixture& f) {
    f.poke32(0x10000, 0x11000 | 7);
    for (u32 i = 0; i < 1024; ++i) f.poke32(0x11000 + 4 * i, (i << 12) | 7);
}
inline const Bytes kPagingOn = {0xB8, 0x00, 0x00, 0x01, 0x00, 0x0F, 0x22, 0xD8,   // mov eax,0x10000 ; mov cr3,eax
                                0x0F, 0x20, 0xC0, 0x0D, 0x00, 0x00, 0x00, 0x80,   // mov eax,cr0 ; or eax,0x80000000
                                0x0F, 0x22, 0xC0};                                // mov cr0,eax

}  // namespace hm::test
