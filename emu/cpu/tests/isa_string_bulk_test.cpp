// Bulk REP MOVS/STOS (string.cpp, bulk_run): runs of elements inside one page
// done at once on host memory must leave everything the element path leaves:
// memory (overlapping and aliased copies in element order), registers, cycles,
// instruction counts, TLB statistics, A/D bits, faults at page boundaries and
// self-modifying code. The element path is forced by MMU hit tracking (no front
// TLB entries, so every element takes Mmu's slow path) and by single-stepping
// (one element per loop round).
#include <cstring>

#include "cpu_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {

constexpr u32 kPd = 0x100000, kPt = 0x101000;  // 2 page tables: 8 MiB identity-mapped
constexpr u32 kAliasLin = 0x501000;           // mapped to the frame of 0x500000 as well
constexpr u32 kHole = 0x700000;               // not present

enum class Mode { Bulk, HitTracking, Stepped };

struct PagedFixture : CpuFixture {
    explicit PagedFixture(Mode m) {
        if (m == Mode::HitTracking) mmu.set_hit_tracking(true);
        if (m == Mode::Stepped) cpu.set_instruction_trace(InstructionTrace::On);
    }
    void start(const Bytes& code) {
        flat32(0x1000, code);
        install_gdt_idt(0x2000, 0x3000, 0x4000);
        poke(0x4000, {0xF4});  // every exception handler: hlt
        for (u32 t = 0; t < 2; ++t) poke32(kPd + 4 * t, (kPt + t * 0x1000) | 0x7);
        for (u32 i = 0; i < 2048; ++i) poke32(kPt + 4 * i, (i << 12) | 0x7);
        poke32(kPt + 4 * (kAliasLin >> 12), 0x500000 | 0x7);
        poke32(kPt + 4 * (kHole >> 12), 0);
        mmu.write_cr3(kPd);
        mmu.write_cr0(st.cr.cr0 | cr0::kPG);
    }
};

struct Asm {
    Bytes b;
    Asm& op(std::initializer_list<u8> bytes) {
        b.insert(b.end(), bytes);
        return *this;
    }
    Asm& mov(u8 opcode, u32 imm) {  // B8+r imm32
        b.push_back(opcode);
        for (int k = 0; k < 4; ++k) b.push_back(static_cast<u8>(imm >> (8 * k)));
        return *this;
    }
    Asm& edi(u32 v) { return mov(0xBF, v); }
    Asm& esi(u32 v) { return mov(0xBE, v); }
    Asm& ecx(u32 v) { return mov(0xB9, v); }
    Asm& eax(u32 v) { return mov(0xB8, v); }
};

// Every kind of run the bulk path meets: forward and backward, 1/2/4-byte
// elements, misaligned runs across pages, overlapping copies (a forward MOVSB
// one byte up replicates its first byte), an aliased page pair (two linear
// pages, one frame), and fills from a register. Seeds the source areas first.
Bytes string_program() {
    Asm a;
    // 48 KiB of distinct words at 0x200000: mov [edi], eax ; add eax, 0x01000193 ; add edi, 4 ; dec ecx ; jnz
    a.op({0xFC}).edi(0x200000).ecx(0x3000).eax(0x9E3779B9);
    a.op({0x89, 0x07, 0x05, 0x93, 0x01, 0x00, 0x01, 0x83, 0xC7, 0x04, 0x49, 0x75, 0xF3});
    a.edi(0x300010).ecx(5000).eax(0x11223344).op({0xF3, 0xAB});                  // rep stosd across 5 pages
    a.esi(0x200003).edi(0x310001).ecx(9000).op({0xF3, 0xA4});                    // rep movsb, misaligned
    a.op({0xFD}).esi(0x20BFFE).edi(0x32FFFD).ecx(3000).op({0x66, 0xF3, 0xA5, 0xFC});  // std; rep movsw; cld
    a.esi(0x200000).edi(0x400000).ecx(6000).op({0xF3, 0xA4});                    // source for the overlaps
    a.esi(0x400000).edi(0x400001).ecx(6000).op({0xF3, 0xA4});                    // overlapping movsb
    a.esi(0x401000).edi(0x401002).ecx(3000).op({0xF3, 0xA5});                    // overlapping movsd, 2 bytes up
    a.op({0xFD}).esi(0x40FFF0).edi(0x40FFF8).ecx(2000).op({0xF3, 0xA5, 0xFC});   // overlapping backward movsd
    a.op({0xFD}).edi(0x420FFF).ecx(7000).eax(0x5A).op({0xF3, 0xAA, 0xFC});       // std; rep stosb
    a.edi(0x430002).ecx(3000).eax(0xBEEF).op({0x66, 0xF3, 0xAB});                // rep stosw, misaligned
    a.esi(0x204000).edi(0x500000).ecx(0x1000).op({0xF3, 0xA4});                  // fill the aliased frame
    a.esi(0x500000).edi(kAliasLin + 0x10).ecx(4000).op({0xF3, 0xA4});            // copy within one frame, two pages
    a.op({0xF4});
    return a.b;
}

void require_same(PagedFixture& x, PagedFixture& y) {
    for (u8 r = 0; r < 8; ++r) CHECK(x.r(r) == y.r(r));
    CHECK(x.st.eip == y.st.eip);
    CHECK(x.eflags() == y.eflags());
    CHECK(x.st.cycles == y.st.cycles);
    CHECK(x.st.instructions == y.st.instructions);
    CHECK(x.st.cr.cr2 == y.st.cr.cr2);
    const MmuStats& a = x.mmu.stats();
    const MmuStats& b = y.mmu.stats();
    CHECK(a.dtlb.lookups == b.dtlb.lookups);
    CHECK(a.dtlb.hits == b.dtlb.hits);
    CHECK(a.dtlb.misses == b.dtlb.misses);
    CHECK(a.dtlb.walks == b.dtlb.walks);
    CHECK(a.dtlb.walk_memory_accesses == b.dtlb.walk_memory_accesses);
    CHECK(a.page_faults == b.page_faults);
    // All of RAM the program and the page tables (A/D bits) touch.
    bool same = true;
    u32 first = 0;
    for (u32 addr = 0; addr < 0x800000 && same; addr += 4) {
        if (x.peek32(addr) != y.peek32(addr)) {
            same = false;
            first = addr;
        }
    }
    INFO("first difference at " << std::hex << first);
    CHECK(same);
}

}  // namespace

TEST_CASE("Bulk REP MOVS/STOS leave what the element path leaves", "[cpu][isa][string][bulk]") {
    const Bytes code = string_program();
    PagedFixture bulk(Mode::Bulk), tracked(Mode::HitTracking), stepped(Mode::Stepped);
    for (PagedFixture* f : {&bulk, &tracked, &stepped}) {
        f->start(code);
        f->run_to_hlt(10'000'000);
    }
    CHECK(bulk.cpu.stats().exceptions[14] == 0);
    // Spot checks of the semantics themselves (the comparisons below say the rest).
    CHECK(bulk.peek32(0x300010) == 0x11223344);
    CHECK(bulk.peek32(0x300010 + 4 * 4999) == 0x11223344);
    const u8 b0 = bulk.peek8(0x400000);
    CHECK(bulk.peek8(0x400000 + 6000) == b0);  // the overlapping forward copy replicated byte 0
    CHECK(bulk.peek8(0x400000 + 3001) == b0);
    CHECK(bulk.peek8(0x420FFF) == 0x5A);
    CHECK(bulk.peek8(0x420FFF - 6999) == 0x5A);
    CHECK(bulk.peek8(0x420FFF - 7000) != 0x5A);
    CHECK(bulk.r(reg::ECX) == 0);
    CHECK(bulk.r(reg::EDI) == kAliasLin + 0x10 + 4000);
    require_same(bulk, tracked);
    require_same(bulk, stepped);
}

TEST_CASE("Bulk REP STOSD faulting at a page boundary leaves ECX/EDI as the element path", "[cpu][isa][string][bulk][exceptions]") {
    Asm a;
    a.op({0xFC}).edi(kHole - 0x800).ecx(1000).eax(0xA5A5A5A5).op({0xF3, 0xAB, 0xF4});
    PagedFixture bulk(Mode::Bulk), tracked(Mode::HitTracking);
    for (PagedFixture* f : {&bulk, &tracked}) {
        f->start(a.b);
        f->run_to_hlt();
    }
    CHECK(bulk.cpu.stats().exceptions[14] == 1);
    CHECK(bulk.st.cr.cr2 == kHole);
    CHECK(bulk.r(reg::EDI) == kHole);
    CHECK(bulk.r(reg::ECX) == 1000 - 0x800 / 4);
    CHECK(bulk.peek32(kHole - 4) == 0xA5A5A5A5);
    require_same(bulk, tracked);
}

TEST_CASE("REP STOSB over decoded code invalidates it", "[cpu][isa][string][bulk][smc]") {
    // 0x6000: a subroutine "mov eax, 1 ; ret" runs once (its block is decoded),
    // then REP STOSB overwrites it with 0x40 (inc eax) followed by a RET, and it runs again.
    PagedFixture f(Mode::Bulk);
    Asm a;
    a.op({0xE8}).op({0xFB, 0x4F, 0x00, 0x00});  // call 0x6000 (from 0x1005: rel32 = 0x6000 - 0x1005)
    a.op({0xFC}).edi(0x6000).ecx(16).eax(0x40).op({0xF3, 0xAA});
    a.op({0xC6, 0x05, 0x10, 0x60, 0x00, 0x00, 0xC3});  // mov byte [0x6010], 0xC3 (ret)
    a.op({0x31, 0xC0});  // xor eax, eax
    const u32 call_at = 0x1000 + static_cast<u32>(a.b.size());
    const u32 rel = 0x6000 - (call_at + 5);
    a.op({0xE8, static_cast<u8>(rel), static_cast<u8>(rel >> 8), static_cast<u8>(rel >> 16), static_cast<u8>(rel >> 24)});
    a.op({0xF4});
    f.start(a.b);
    f.poke(0x6000, {0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3});
    f.run_to_hlt();
    CHECK(f.r(reg::EAX) == 16);  // sixteen INCs, not the old "mov eax, 1"
}

TEST_CASE("A masked INTR does not cut REP into single iterations", "[cpu][isa][string][bulk][interrupts]") {
    // cli ; rep stosb over 1 MiB ; hlt, with the INTR line up all along: the
    // same counts as without it, and the string is not cut at every element.
    Asm a;
    a.op({0xFA, 0xFC}).edi(0x200000).ecx(0x100000).eax(0x33).op({0xF3, 0xAA, 0xF4});
    PagedFixture quiet(Mode::Bulk), line(Mode::Bulk);
    quiet.start(a.b);
    line.start(a.b);
    line.cpu.set_intr(true);
    quiet.run_to_hlt(100'000'000);
    line.run_to_hlt(100'000'000);
    CHECK(line.st.cycles == quiet.st.cycles);
    CHECK(line.st.instructions == quiet.st.instructions);
    CHECK(line.peek8(0x2FFFFF) == 0x33);
    CHECK(line.cpu.stats().blocks_executed < 1000);
}
