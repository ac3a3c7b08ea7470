// A bare machine for CPU tests: 16 MiB of RAM, the bus, the MMU and the CPU,
// plus helpers to place code and data, enter real or flat protected mode, and
// run until HLT. Programs are byte arrays (assembled by hand or with llvm-mc,
// the source in a comment next to them).
#pragma once
#include <catch2/catch.hpp>

#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "cpu/cpu.hpp"
#include "cpu/flags.hpp"

namespace hm::test {

using Bytes = std::vector<u8>;

struct CpuFixture {
    PhysicalMemory ram{16 * kMiB};
    Bus bus{ram};
    CpuState st;
    Mmu mmu{bus, st.cr, st.cycles};
    Cpu cpu{st, mmu, bus};

    CpuFixture() { cpu.reset(); }

    void poke(u64 addr, const Bytes& bytes) {
        bus.write_bytes(PhysAddr{addr}, bytes.data(), bytes.size());
        cpu.invalidate_code(addr, bytes.size());
    }
    void poke32(u64 addr, u32 v) { bus.write(PhysAddr{addr}, v, 4); }
    void poke16(u64 addr, u16 v) { bus.write(PhysAddr{addr}, v, 2); }
    void poke64(u64 addr, u64 v) { bus.write(PhysAddr{addr}, v, 8); }
    u32 peek32(u64 addr) { return static_cast<u32>(bus.read(PhysAddr{addr}, 4)); }
    u16 peek16(u64 addr) { return static_cast<u16>(bus.read(PhysAddr{addr}, 2)); }
    u8 peek8(u64 addr) { return static_cast<u8>(bus.read(PhysAddr{addr}, 1)); }

    // Flat 32-bit protected mode (the Multiboot state), code at `at`, stack below 0x90000.
    void flat32(u32 at, const Bytes& code) {
        poke(at, code);
        cpu.enter_multiboot_state(at, 0, 0);
        st.r[reg::ESP] = 0x90000;
    }

    // Real mode, CS:IP = seg:off, SS:SP = 0:0x8000.
    void real16(u16 seg, u16 off, const Bytes& code) {
        cpu.reset();
        poke(u64{seg} * 16 + off, code);
        st.seg[sreg::CS].selector = seg;
        st.seg[sreg::SS].selector = 0;
        st.seg[sreg::DS].selector = 0;
        st.seg[sreg::ES].selector = 0;
        cpu.sync_real_mode_segments();
        st.eip = off;
        st.r[reg::ESP] = 0x8000;
    }

    StopReason run(u64 budget = 1'000'000) { return cpu.run(st.cycles + budget); }

    // Runs to the terminating HLT and checks that the run really ended there.
    void run_to_hlt(u64 budget = 1'000'000) {
        StopReason r = run(budget);
        INFO(cpu.dump_state());
        REQUIRE(r == StopReason::Halted);
    }

    u32 eflags() const { return cpu::read_eflags(st); }
    u32& r(u8 n) { return st.r[n]; }

    // Installs a flat GDT (null, 0x08 code32 DPL0, 0x10 data32 DPL0, 0x18 code32 DPL3,
    // 0x20 data32 DPL3, 0x28 32-bit TSS at tss_base) and an IDT of `vectors` gates
    // (all pointing at `handler`, interrupt gates DPL 3).
    void install_gdt_idt(u32 gdt_base, u32 idt_base, u32 handler, u32 tss_base = 0x7000, unsigned vectors = 64) {
        auto seg = [](u32 base, u32 limit, u32 access, u32 flags) {
            u64 d = (limit & 0xFFFF) | (u64{base & 0xFFFFFF} << 16) | (u64{access} << 40) |
                    (u64{(limit >> 16) & 0xF} << 48) | (u64{flags} << 52) | (u64{base >> 24} << 56);
            return d;
        };
        poke64(gdt_base + 0x00, 0);
        poke64(gdt_base + 0x08, seg(0, 0xFFFFF, 0x9A, 0xC));
        poke64(gdt_base + 0x10, seg(0, 0xFFFFF, 0x92, 0xC));
        poke64(gdt_base + 0x18, seg(0, 0xFFFFF, 0xFA, 0xC));
        poke64(gdt_base + 0x20, seg(0, 0xFFFFF, 0xF2, 0xC));
        poke64(gdt_base + 0x28, seg(tss_base, 0x67, 0x89, 0x0));
        st.gdtr = {gdt_base, 0x2F};
        for (unsigned v = 0; v < vectors; ++v) set_gate(idt_base, v, handler, 0xEE);
        st.idtr = {idt_base, static_cast<u16>(vectors * 8 - 1)};
    }

    // Runs `code` followed by HLT at 0x1000 in whatever mode the CPU is in
    // (flat 32-bit after flat32()), keeping registers: cheap enough to call
    // thousands of times on one fixture.
    void exec(Bytes code, u32 at = 0x1000) {
        code.push_back(0xF4);
        poke(at, code);
        st.eip = at;
        st.halted = false;
        run_to_hlt();
    }

    void set_gate(u32 idt_base, unsigned vector, u32 handler, u8 access, u16 selector = 0x08) {
        u64 g = (handler & 0xFFFF) | (u64{selector} << 16) | (u64{access} << 40) | (u64{handler >> 16} << 48);
        poke64(idt_base + vector * 8, g);
    }
};

}  // namespace hm::test
