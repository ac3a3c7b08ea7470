// Conditions (Jcc/SETcc/CMOVcc after every kind of flag producer), data
// movement, exchanges and atomics, stack instructions, near control
// transfers, CPUID, RDTSC and MSRs.
#include "cpu_fixture.hpp"
#include "reference.hpp"

using namespace hm;
using namespace hm::test;

namespace {

bool ref_cond(unsigned cc, u32 fl) {
    const bool cf = fl & flag::CF, zf = fl & flag::ZF, sf = fl & flag::SF, of = fl & flag::OF, pf = fl & flag::PF;
    bool v = false;
    switch (cc >> 1) {
        case 0: v = of; break;
        case 1: v = cf; break;
        case 2: v = zf; break;
        case 3: v = cf || zf; break;
        case 4: v = sf; break;
        case 5: v = pf; break;
        case 6: v = sf != of; break;
        case 7: v = zf || (sf != of); break;
    }
    return (cc & 1) ? !v : v;
}

}  // namespace

TEST_CASE("SETcc, CMOVcc and Jcc agree with the flags after CMP, TEST, ADD and POPF", "[cpu][isa][cond]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    Lcg rng(8);
    // Producers: cmp eax,ebx (Sub), test eax,ebx (Logic), add eax,ebx (Add), cmp al,bl (8-bit Sub),
    // and flags loaded directly (popfd).
    const Bytes producers[] = {{0x39, 0xD8}, {0x85, 0xD8}, {0x01, 0xD8}, {0x38, 0xD8}, {0x66, 0x39, 0xD8}};
    for (int round = 0; round < 400; ++round) {
        const Bytes& prod = producers[round % 5];
        const u32 a = rng.operand(32), b = rng.operand(32);
        for (unsigned cc = 0; cc < 16; ++cc) {
            f.r(reg::EAX) = a;
            f.r(reg::EBX) = b;
            f.r(reg::ECX) = 0x11111111;
            f.r(reg::EDX) = 0x22222222;
            f.r(reg::ESI) = 0;
            Bytes code = prod;
            // setcc cl ; cmovcc edx, ebx ; jcc +3 ; lea esi, [esi+1]   (esi = 1 when not taken;
            // LEA leaves the flags alone)
            for (u8 x : {u8{0x0F}, static_cast<u8>(0x90 + cc), u8{0xC1}, u8{0x0F}, static_cast<u8>(0x40 + cc), u8{0xD3},
                         static_cast<u8>(0x70 + cc), u8{0x03}, u8{0x8D}, u8{0x76}, u8{0x01}})
                code.push_back(x);
            f.exec(code);
            const u32 fl = f.eflags();
            const bool want = ref_cond(cc, fl);
            INFO("producer " << round % 5 << " cc=" << cc << std::hex << " a=" << a << " b=" << b << " flags=" << fl);
            CHECK((f.r(reg::ECX) & 0xFF) == (want ? 1u : 0u));
            CHECK((f.r(reg::ECX) & 0xFFFFFF00u) == 0x11111100u);
            CHECK(f.r(reg::EDX) == (want ? b : 0x22222222u));
            CHECK(f.r(reg::ESI) == (want ? 0u : 1u));
        }
    }
}

TEST_CASE("MOVZX, MOVSX, CBW/CWDE/CWD/CDQ, XLAT, LEA", "[cpu][isa][mov]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.r(reg::EBX) = 0x1234F680;
    f.exec({0x0F, 0xB6, 0xC3});  // movzx eax, bl
    CHECK(f.r(reg::EAX) == 0x80);
    f.exec({0x0F, 0xBF, 0xC3});  // movsx eax, bx
    CHECK(f.r(reg::EAX) == 0xFFFFF680);
    f.r(reg::EAX) = 0x12340080;
    f.exec({0x66, 0x98});  // cbw
    CHECK(f.r(reg::EAX) == 0x1234FF80);
    f.exec({0x98});  // cwde
    CHECK(f.r(reg::EAX) == 0xFFFFFF80);
    f.r(reg::EDX) = 0x55555555;
    f.exec({0x66, 0x99});  // cwd
    CHECK(f.r(reg::EDX) == 0x5555FFFF);
    f.r(reg::EAX) = 1;
    f.exec({0x99});  // cdq
    CHECK(f.r(reg::EDX) == 0);
    f.poke(0x5000 + 7, {0xA7});
    f.r(reg::EBX) = 0x5000;
    f.r(reg::EAX) = 0xFFFFFF07;
    f.exec({0xD7});  // xlat
    CHECK(f.r(reg::EAX) == 0xFFFFFFA7);
    f.r(reg::EBX) = 0x100;
    f.r(reg::ECX) = 3;
    f.exec({0x8D, 0x44, 0x8B, 0x10});  // lea eax, [ebx+ecx*4+0x10]
    CHECK(f.r(reg::EAX) == 0x11C);
    f.r(reg::EBX) = 0xFFFF;
    f.r(reg::ESI) = 0x0003;
    f.exec({0x67, 0x66, 0x8D, 0x40, 0x05});  // lea ax, [bx+si+5]: 16-bit wrap
    CHECK((f.r(reg::EAX) & 0xFFFF) == 0x0007);
}

TEST_CASE("XCHG, XADD, CMPXCHG, CMPXCHG8B and BSWAP", "[cpu][isa][exchange]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.r(reg::ESI) = 0x5000;
    f.poke32(0x5000, 10);
    f.r(reg::EBX) = 3;
    f.exec({0x0F, 0xC1, 0x1E});  // xadd [esi], ebx
    CHECK(f.peek32(0x5000) == 13);
    CHECK(f.r(reg::EBX) == 10);
    f.r(reg::EAX) = 13;
    f.r(reg::EBX) = 99;
    f.exec({0x0F, 0xB1, 0x1E});  // cmpxchg [esi], ebx: equal
    CHECK(f.peek32(0x5000) == 99);
    CHECK((f.eflags() & flag::ZF) != 0);
    f.exec({0x0F, 0xB1, 0x1E});  // again: 13 != 99 -> EAX = 99
    CHECK(f.r(reg::EAX) == 99);
    CHECK((f.eflags() & flag::ZF) == 0);
    f.poke64(0x5000, 0x1122334455667788ull);
    f.r(reg::EDX) = 0x11223344;
    f.r(reg::EAX) = 0x55667788;
    f.r(reg::ECX) = 0xCAFEBABE;
    f.r(reg::EBX) = 0xDEADBEEF;
    f.exec({0x0F, 0xC7, 0x0E});  // cmpxchg8b [esi]
    CHECK(f.bus.read(PhysAddr{0x5000}, 8) == 0xCAFEBABEDEADBEEFull);
    CHECK((f.eflags() & flag::ZF) != 0);
    f.exec({0x0F, 0xC7, 0x0E});  // mismatch now: EDX:EAX <- memory
    CHECK(f.r(reg::EDX) == 0xCAFEBABE);
    CHECK(f.r(reg::EAX) == 0xDEADBEEF);
    CHECK((f.eflags() & flag::ZF) == 0);
    f.exec({0x0F, 0xC8});  // bswap eax
    CHECK(f.r(reg::EAX) == 0xEFBEADDE);
    f.r(reg::EBX) = 1;
    f.exec({0x93});  // xchg eax, ebx
    CHECK(f.r(reg::EAX) == 1);
    CHECK(f.r(reg::EBX) == 0xEFBEADDE);
    f.exec({0x87, 0x1E});  // xchg [esi], ebx
    CHECK(f.peek32(0x5000) == 0xEFBEADDE);
    CHECK(f.r(reg::EBX) == 0xDEADBEEF);
}

TEST_CASE("Stack instructions: PUSH ESP, POP to [ESP], PUSHAD/POPAD, ENTER/LEAVE", "[cpu][isa][stack]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.r(reg::ESP) = 0x8000;
    f.exec({0x54});  // push esp: the value before the push
    CHECK(f.peek32(0x7FFC) == 0x8000);
    f.poke32(0x7FFC, 0x1234);
    f.exec({0x8F, 0x04, 0x24});  // pop dword [esp]: address computed after the pop
    CHECK(f.r(reg::ESP) == 0x8000);
    CHECK(f.peek32(0x8000) == 0x1234);
    for (u8 r = 0; r < 8; ++r)
        if (r != reg::ESP) f.r(r) = 0x100u * (r + 1);
    f.exec({0x60});  // pushad
    CHECK(f.r(reg::ESP) == 0x8000 - 32);
    CHECK(f.peek32(0x8000 - 4) == 0x100);        // EAX first
    CHECK(f.peek32(0x8000 - 20) == 0x8000);      // original ESP
    for (u8 r = 0; r < 8; ++r)
        if (r != reg::ESP) f.r(r) = 0;
    f.exec({0x61});  // popad
    CHECK(f.r(reg::ESP) == 0x8000);
    CHECK(f.r(reg::EDI) == 0x800);
    CHECK(f.r(reg::EAX) == 0x100);
    // enter 16, 2 ; leave
    f.r(reg::EBP) = 0x9000;
    f.poke32(0x9000 - 4, 0xAAAA);
    f.exec({0xC8, 0x10, 0x00, 0x02});
    CHECK(f.peek32(0x8000 - 4) == 0x9000);   // old EBP
    CHECK(f.peek32(0x8000 - 8) == 0xAAAA);   // copied outer frame pointer
    CHECK(f.peek32(0x8000 - 12) == 0x7FFC);  // this frame
    CHECK(f.r(reg::EBP) == 0x7FFC);
    CHECK(f.r(reg::ESP) == 0x8000 - 12 - 16);
    f.exec({0xC9});  // leave
    CHECK(f.r(reg::EBP) == 0x9000);
    CHECK(f.r(reg::ESP) == 0x8000);
}

TEST_CASE("BOUND raises #BR outside the bounds", "[cpu][isa][exceptions]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.install_gdt_idt(0x2000, 0x3000, 0x4000);
    f.poke(0x4000, {0xF4});
    f.poke32(0x5000, static_cast<u32>(-5));
    f.poke32(0x5004, 5);
    f.r(reg::ESI) = 0x5000;
    f.r(reg::EAX) = static_cast<u32>(-5);
    f.exec({0x62, 0x06});
    CHECK(f.st.eip == 0x1003);
    f.r(reg::EAX) = 6;
    f.exec({0x62, 0x06});
    CHECK(f.cpu.stats().exceptions[5] == 1);
    CHECK(f.peek32(f.r(reg::ESP)) == 0x1000);  // a fault: EIP of the BOUND
}

TEST_CASE("Near CALL/RET/JMP in their register, memory and immediate forms", "[cpu][isa][control]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.r(reg::ESP) = 0x8000;
    f.poke(0x3000, {0xC2, 0x08, 0x00});  // ret 8
    f.r(reg::EAX) = 0x3000;
    f.exec({0xFF, 0xD0, 0x90});  // call eax ; (returns here) nop
    CHECK(f.st.eip == 0x1004);
    CHECK(f.r(reg::ESP) == 0x8008);
    f.poke32(0x5000, 0x3000);
    f.r(reg::ESI) = 0x5000;
    f.r(reg::ESP) = 0x8000;
    f.exec({0xFF, 0x16});  // call [esi]
    CHECK(f.peek32(0x7FFC) == 0x1002);
    f.exec({0xEB, 0x01, 0xF4, 0x40});  // jmp +1 ; hlt ; inc eax
    CHECK(f.st.eip == 0x1005);
}

TEST_CASE("A near branch beyond the CS limit raises #GP(0) before changing anything", "[cpu][isa][control][exceptions]") {
    CpuFixture f;
    f.real16(0, 0x7C00, {0xE9, 0x00, 0x20});  // jmp near 0x9C03
    f.poke(0x9C03, {0xF4});
    f.run_to_hlt();
    CHECK(f.st.eip == 0x9C04);
    // The same jump with a CS limit of 0x7FFF (a cached limit, as after
    // protected mode) faults, with IP still on the JMP.
    CpuFixture g;
    g.real16(0, 0x7C00, {0xE9, 0x00, 0x20});
    g.poke(0x9C03, {0xF4});
    g.poke(0x600, {0xF4});
    g.poke32(13 * 4, 0x00000600);
    g.st.seg[sreg::CS].limit = 0x7FFF;
    g.cpu.sync_real_mode_segments();
    g.run_to_hlt();
    CHECK(g.peek16(0x8000 - 6) == 0x7C00);
    CHECK(g.st.eip == 0x601);
    CHECK(g.cpu.stats().exceptions[13] == 1);
}

TEST_CASE("CPUID reports a P6-class part with only the implemented features", "[cpu][isa][system]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.r(reg::EAX) = 0;
    f.exec({0x0F, 0xA2});
    CHECK(f.r(reg::EAX) >= 1);
    std::string vendor;
    for (u32 v : {f.r(reg::EBX), f.r(reg::EDX), f.r(reg::ECX)})
        for (int i = 0; i < 4; ++i) vendor.push_back(static_cast<char>(v >> (8 * i)));
    CHECK(vendor == "GenuineIntel");
    f.r(reg::EAX) = 1;
    f.exec({0x0F, 0xA2});
    CHECK(((f.r(reg::EAX) >> 8) & 0xF) == 6);  // family 6
    const u32 edx = f.r(reg::EDX);
    const u32 want = (1u << 0) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 13) |
                     (1u << 14) | (1u << 15) | (1u << 17);
    CHECK(edx == want);  // FPU PSE TSC MSR PAE CX8 PGE MCA CMOV PSE-36, and nothing else (no MMX/FXSR/SSE, no APIC here)
    f.r(reg::EAX) = 0x80000000;
    f.exec({0x0F, 0xA2});
    CHECK(f.r(reg::EAX) == 0x80000001);
    f.r(reg::EAX) = 0x80000001;
    f.exec({0x0F, 0xA2});
    CHECK(f.r(reg::EDX) == (1u << 20));  // NX
}

TEST_CASE("RDTSC follows the cycle counter exactly, WRMSR to the TSC moves it", "[cpu][isa][system]") {
    CpuFixture f;
    // rdtsc ; mov ebx, eax ; nop ; rdtsc ; hlt    (all in one block)
    f.flat32(0x1000, {0x0F, 0x31, 0x89, 0xC3, 0x90, 0x0F, 0x31, 0xF4});
    const u64 start = f.st.cycles;
    f.run_to_hlt();
    const u32 first = f.r(reg::EBX), second = f.r(reg::EAX);
    // The first RDTSC sees the count after its own cost; the second adds MOV, NOP and itself.
    CHECK(first == static_cast<u32>(start + 20));
    CHECK(second - first == 1 + 1 + 20);
    f.r(reg::ECX) = 0x10;
    f.r(reg::EDX) = 1;
    f.r(reg::EAX) = 0;
    f.exec({0x0F, 0x30});  // wrmsr TSC = 1 << 32
    f.exec({0x0F, 0x31});  // rdtsc
    CHECK(f.r(reg::EDX) == 1);
    CHECK(f.r(reg::EAX) < 100);
}

TEST_CASE("EFER.NXE is the writable MSR - unknown MSRs raise #GP(0)", "[cpu][isa][system][exceptions]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.install_gdt_idt(0x2000, 0x3000, 0x4000);
    f.poke(0x4000, {0xF4});
    f.r(reg::ECX) = 0xC0000080;
    f.r(reg::EDX) = 0;
    f.r(reg::EAX) = 1u << 11;
    f.exec({0x0F, 0x30});
    CHECK(f.st.cr.efer == (1u << 11));
    f.r(reg::EAX) = 0;
    f.exec({0x0F, 0x32});
    CHECK(f.r(reg::EAX) == (1u << 11));
    f.r(reg::EAX) = 1;  // SCE: not implemented
    f.exec({0x0F, 0x30});
    CHECK(f.cpu.stats().exceptions[13] == 1);
    CHECK(f.peek32(f.r(reg::ESP)) == 0);  // error code 0
    f.r(reg::ECX) = 0x1B;  // APIC base: no APIC here
    f.exec({0x0F, 0x32});
    CHECK(f.cpu.stats().exceptions[13] == 2);
}

TEST_CASE("MOV to CR0/CR4 checks reserved and inconsistent values", "[cpu][isa][system][exceptions]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.install_gdt_idt(0x2000, 0x3000, 0x4000);
    f.poke(0x4000, {0xF4});
    f.r(reg::EAX) = 1u << 0;  // CR4.VME: not implemented
    f.exec({0x0F, 0x22, 0xE0});  // mov cr4, eax
    CHECK(f.cpu.stats().exceptions[13] == 1);
    f.r(reg::EAX) = (1u << 4) | (1u << 7);  // PSE | PGE
    f.exec({0x0F, 0x22, 0xE0});
    CHECK(f.st.cr.cr4 == ((1u << 4) | (1u << 7)));
    f.r(reg::EAX) = 0x80000000;  // PG without PE
    f.exec({0x0F, 0x22, 0xC0});
    CHECK(f.cpu.stats().exceptions[13] == 2);
    f.exec({0x0F, 0x20, 0xC3});  // mov ebx, cr0
    CHECK((f.r(reg::EBX) & 0x11) == 0x11);  // PE and ET
    f.exec({0x0F, 0x20, 0xCB});  // mov ebx, cr1: #UD
    CHECK(f.cpu.stats().exceptions[6] == 1);
}

TEST_CASE("Decimal adjustments: DAA, DAS, AAA, AAS, AAM, AAD", "[cpu][isa][bcd]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.install_gdt_idt(0x2000, 0x3000, 0x4000);
    f.poke(0x4000, {0xF4});
    auto with = [&](u32 eax, u32 flags) {
        f.r(reg::EAX) = eax;
        f.st.eflags = flag::kFixed1 | flags;
        f.st.lazy.kind = FlagKind::None;
    };
    with(0x79, 0);
    f.exec({0x04, 0x35, 0x27});  // add al, 0x35 ; daa  -> 79 + 35 = 114 decimal
    CHECK((f.r(reg::EAX) & 0xFF) == 0x14);
    CHECK((f.eflags() & flag::CF) != 0);
    with(0x35, 0);
    f.exec({0x2C, 0x47, 0x2F});  // sub al, 0x47 ; das  -> 35 - 47 = -12 -> 88 borrow
    CHECK((f.r(reg::EAX) & 0xFF) == 0x88);
    CHECK((f.eflags() & flag::CF) != 0);
    // DAS with AL = 0 and AF set: the low-nibble borrow sets CF even though the
    // high adjustment does not apply (what the hardware does; found by the SST suite).
    with(0x00, flag::AF);
    f.exec({0x2F});
    CHECK((f.r(reg::EAX) & 0xFF) == 0xFA);
    CHECK((f.eflags() & (flag::CF | flag::AF)) == (flag::CF | flag::AF));
    with(0x0009, 0);
    f.exec({0x04, 0x08, 0x37});  // add al, 8 ; aaa -> AX = 0107
    CHECK((f.r(reg::EAX) & 0xFFFF) == 0x0107);
    CHECK((f.eflags() & flag::CF) != 0);
    with(0x0103, 0);
    f.exec({0x2C, 0x05, 0x3F});  // sub al, 5 ; aas -> AX = 0008
    CHECK((f.r(reg::EAX) & 0xFFFF) == 0x0008);
    with(63, 0);
    f.exec({0xD4, 0x0A});  // aam
    CHECK((f.r(reg::EAX) & 0xFFFF) == 0x0603);
    f.exec({0xD5, 0x0A});  // aad
    CHECK((f.r(reg::EAX) & 0xFFFF) == 63);
    f.exec({0xD4, 0x00});  // aam 0: #DE
    CHECK(f.cpu.stats().exceptions[0] == 1);
}
