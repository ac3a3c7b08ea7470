// Fuzz target: instruction bytes executed by the CPU (emu/cpu, emu/mmu, emu/decode)
// in each operating mode, with a cycle cap. Every input builds a fresh world:
//
//   0x00000 real-mode IVT: every vector -> 0000:4000
//   0x01000 ring-0 prologue (LTR, then IRET to ring 3 / V86, or POPFD + JMP)
//   0x02000 GDT: 0x08 code0, 0x10 data0, 0x18 code3, 0x20 data3, 0x28 TSS
//   0x03000 IDT: 256 interrupt gates (DPL 3) -> 0x08:0x4000
//   0x04000 the handler: HLT (the first exception ends the run) or IRET
//           (the first kIretReturns exceptions return, then HLT)
//   0x05000 the IRET handler's countdown (protected mode; real mode: SS:5000)
//   0x07000 TSS (ESP0 0x80000), with or without an all-zero I/O bitmap
//   0x10000 page directory, 0x11000 its table (identity, first 4 MiB)
//   0x12000 PAE PDPT, 0x13000 its directory (two 2 MiB pages)
//   0x20100 the code under test (CS:IP 2000:0100 in real and V86 mode), then
//           HLT up to 0x24000
//   0x30000 data that the registers point into; stacks at 0x60000 (ring 3),
//           0x80000 (ring 0), 9000:FFF0 (real, V86)
//
// Input: byte 0 = mode (bits 0-2: real, flat ring 0, flat ring 3, paged ring 0,
// paged ring 3, V86, PAE ring 0, V86 with paging), bit 3 IRET handler, bit 4
// IOPL 3, bit 5 IF, bit 6 TF, bit 7 I/O bitmap; byte 1 = a page (0-255) whose
// PTE gets byte 2's low 7 bits as flags (2-level paging); byte 3 = EAX's low
// byte; the rest is code. Guest faults are the guest's business; anything that
// escapes Cpu::run, crashes or trips a sanitizer is a finding.
//
// What bounds an input's run (each was most of the time before, for nothing the
// CPU code had not seen in the first steps):
//   * the code is followed by HLT, not zeros: running off the end of the code
//     used to execute 16 KiB of `add [eax], al` (three quarters of the inputs
//     ran into the cycle cap); an input that wants zeros can hold them;
//   * the IRET handler returns kIretReturns times, then halts: a fault that
//     returns to itself used to repeat to the cap;
//   * kCycleCap cycles at most: a loop the code builds itself (a quarter of
//     the inputs of a long run's corpus, still spinning at 20 000 cycles, the
//     cap before) repeats what it did in its first rounds.
//
// The machine itself is built once; when an input ends its RAM goes back to the
// host (ram_discard.hpp: the pages read as zeros again) and Cpu::reset drops the
// decoded code, TLBs and registers: building a machine costs more than running
// most inputs (the decode cache's arena, the MMU's code-page bitmap), and
// Cpu::reset is what a real reset does too. Doing it at the end, not at the
// start of the next input, frees what the input allocated (the decode cache's
// page lists) within the input, so libFuzzer's leak check sees no growth.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "cpu/cpu.hpp"
#include "ram_discard.hpp"

namespace {

using hm::u32;
using hm::u64;
using hm::u8;

constexpr u32 kCode = 0x20100, kMaxCode = 0x3F00, kHandler = 0x4000, kCountdown = 0x5000, kTss = 0x7000;
constexpr u64 kCycleCap = 5'000;
constexpr u32 kIretReturns = 32;

struct World {
    hm::PhysicalMemory ram{4 * hm::kMiB};
    hm::Bus bus{ram};
    hm::CpuState st;
    hm::Mmu mmu{bus, st.cr, st.cycles};
    hm::Cpu cpu{st, mmu, bus};

    void w8(u32 a, u8 v) { bus.write(hm::PhysAddr{a}, v, 1); }
    void w16(u32 a, u32 v) { bus.write(hm::PhysAddr{a}, v, 2); }
    void w32(u32 a, u32 v) { bus.write(hm::PhysAddr{a}, v, 4); }
    void w64(u32 a, u64 v) { bus.write(hm::PhysAddr{a}, v, 8); }
    void bytes(u32 a, const std::vector<u8>& b) { bus.write_bytes(hm::PhysAddr{a}, b.data(), b.size()); }

    World() { cpu.reset(); }

    // Back to a zeroed RAM and a reset CPU (when an input ends).
    void clear() {
        if (!hm::fuzz::discard_ram(ram)) std::memset(ram.host(hm::PhysAddr{0}), 0, 4 * hm::kMiB);
        cpu.reset();
    }
};

// An input's use of the world; clears it when the input ends.
struct Clearing {
    World& w;
    ~Clearing() { w.clear(); }
};

u64 seg_desc(u32 base, u32 limit, u32 access, u32 flags) {
    return (limit & 0xFFFF) | (u64{base & 0xFFFFFF} << 16) | (u64{access} << 40) | (u64{(limit >> 16) & 0xF} << 48) |
           (u64{flags} << 52) | (u64{base >> 24} << 56);
}

void push_imm32(std::vector<u8>& c, u32 v) {
    c.push_back(0x68);
    for (int i = 0; i < 4; ++i) c.push_back(static_cast<u8>(v >> (8 * i)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    const u8 mode = data[0] & 7;
    const bool iret_handler = data[0] & 0x08, iopl3 = data[0] & 0x10, if_on = data[0] & 0x20, tf = data[0] & 0x40;
    const bool io_bitmap = data[0] & 0x80;
    const size_t code_len = size - 4 < kMaxCode ? size - 4 : kMaxCode;

    static World world;  // zeroed RAM, and reset: new, or cleared by the last input
    World& w = world;
    const Clearing clearing{w};
    // Real-mode IVT and the shared handler.
    for (u32 v = 0; v < 256; ++v) w.w32(v * 4, kHandler);
    if (iret_handler) {
        // dec ss:[countdown] ; jz +1 ; iret ; hlt  (SS: the stack is the one
        // segment known good in the handler, whatever DS the guest left)
        if (mode == 0) {
            w.bytes(kHandler, {0x36, 0xFF, 0x0E, 0x00, 0x50, 0x74, 0x01, 0xCF, 0xF4});  // 16-bit, SS = 0x9000
            w.w16(0x90000 + kCountdown, kIretReturns + 1);
        } else {
            w.bytes(kHandler, {0x36, 0xFF, 0x0D, 0x00, 0x50, 0x00, 0x00, 0x74, 0x01, 0xCF, 0xF4});  // SS flat
            w.w32(kCountdown, kIretReturns + 1);
        }
    } else {
        w.w8(kHandler, 0xF4);
    }
    // GDT, IDT, TSS.
    w.w64(0x2000, 0);
    w.w64(0x2008, seg_desc(0, 0xFFFFF, 0x9A, 0xC));
    w.w64(0x2010, seg_desc(0, 0xFFFFF, 0x92, 0xC));
    w.w64(0x2018, seg_desc(0, 0xFFFFF, 0xFA, 0xC));
    w.w64(0x2020, seg_desc(0, 0xFFFFF, 0xF2, 0xC));
    w.w64(0x2028, seg_desc(kTss, io_bitmap ? 0x68 + 0x2000 : 0x67, 0x89, 0));
    for (u32 v = 0; v < 256; ++v) {
        const u64 gate = (kHandler & 0xFFFF) | (u64{0x08} << 16) | (u64{0xEE} << 40) | (u64{kHandler >> 16} << 48);
        w.w64(0x3000 + v * 8, gate);
    }
    w.w32(kTss + 4, 0x80000);
    w.w32(kTss + 8, 0x10);
    w.w16(kTss + 102, 0x68);
    // Code and data.
    w.bus.write_bytes(hm::PhysAddr{kCode}, data + 4, code_len);
    static const std::vector<u8> hlts(kMaxCode, 0xF4);
    w.bus.write_bytes(hm::PhysAddr{kCode + static_cast<u32>(code_len)}, hlts.data(), kMaxCode - code_len);
    for (u32 a = 0x30000; a < 0x30100; a += 4) w.w32(a, a * 0x9E3779B1u);

    u32 eflags = 0x2 | (iopl3 ? 0x3000 : 0) | (if_on ? 0x200 : 0) | (tf ? 0x100 : 0);
    const bool real = mode == 0;
    if (real) {
        using namespace hm;
        w.st.seg[sreg::CS].selector = 0x2000;
        w.st.seg[sreg::SS].selector = 0x9000;
        w.st.seg[sreg::DS].selector = 0x3000;
        w.st.seg[sreg::ES].selector = 0x3000;
        w.cpu.sync_real_mode_segments();
        w.st.eip = 0x100;
        w.st.r[reg::ESP] = 0xFFF0;
        w.st.eflags = eflags;
    } else {
        w.cpu.enter_multiboot_state(0x1000, 0, 0);
        w.st.r[hm::reg::ESP] = 0x80000;
        w.st.gdtr = {0x2000, 0x2F};
        w.st.idtr = {0x3000, 0x7FF};
        const bool paged = mode == 3 || mode == 4 || mode == 6 || mode == 7;
        if (paged && mode != 6) {
            w.w32(0x10000, 0x11000 | 7);
            for (u32 i = 0; i < 1024; ++i) w.w32(0x11000 + 4 * i, (i << 12) | 7);
            w.w32(0x11000 + 4 * u32{data[1]}, (u32{data[1]} << 12) | (data[2] & 0x7F));
            w.mmu.write_cr3(0x10000);
        } else if (mode == 6) {
            w.w64(0x12000, 0x13000 | 1);
            w.w64(0x13000, 0x000000 | 0x87);
            w.w64(0x13008, 0x200000 | 0x87);
            w.mmu.write_cr4(0x20);  // PAE
            w.mmu.write_cr3(0x12000);
        }
        if (paged) w.mmu.write_cr0(w.st.cr.cr0 | 0x80000000u);

        std::vector<u8> pro = {0x66, 0xB8, 0x28, 0x00, 0x0F, 0x00, 0xD8};  // mov ax, 0x28 ; ltr ax
        if (mode == 2 || mode == 4) {  // IRET to ring 3
            pro.insert(pro.end(), {0x6A, 0x23});
            push_imm32(pro, 0x60000);
            push_imm32(pro, eflags);
            pro.insert(pro.end(), {0x6A, 0x1B});
            push_imm32(pro, kCode);
            pro.push_back(0xCF);
        } else if (mode == 5 || mode == 7) {  // IRET to V86 at 2000:0100
            push_imm32(pro, 0);       // GS
            push_imm32(pro, 0);       // FS
            push_imm32(pro, 0x3000);  // DS
            push_imm32(pro, 0x3000);  // ES
            push_imm32(pro, 0x9000);  // SS
            push_imm32(pro, 0xFFF0);  // ESP
            push_imm32(pro, eflags | 0x20000);
            push_imm32(pro, 0x2000);  // CS
            push_imm32(pro, 0x100);   // EIP
            pro.push_back(0xCF);
        } else {  // ring 0: POPFD, JMP to the code
            push_imm32(pro, eflags);
            pro.push_back(0x9D);
            const u32 next = 0x1000 + static_cast<u32>(pro.size()) + 5;
            pro.push_back(0xE9);
            const u32 rel = kCode - next;
            for (int i = 0; i < 4; ++i) pro.push_back(static_cast<u8>(rel >> (8 * i)));
        }
        w.bytes(0x1000, pro);
        w.st.eip = 0x1000;
    }
    // Registers that point at data, small counts for string instructions.
    using namespace hm::reg;
    w.st.r[EAX] = 0x30000u | data[3];
    w.st.r[EBX] = 0x30040;
    w.st.r[ECX] = 0x10;
    w.st.r[EDX] = 0x80;
    w.st.r[EBP] = 0x30080;
    w.st.r[ESI] = 0x30000;
    w.st.r[EDI] = 0x30800;
    // Nothing is decoded yet: the reset dropped every block, and bus writes
    // build none.

    // Run to the cap; HLT with IF set has no interrupt source here, so it ends too.
    const u64 end = w.st.cycles + kCycleCap;  // the clock runs on across inputs
    while (w.st.cycles < end) {
        const hm::StopReason r = w.cpu.run(end);
        if (r != hm::StopReason::CycleLimit && r != hm::StopReason::StopRequested) break;
    }
    (void)w.cpu.dump_state();
    return 0;
}
