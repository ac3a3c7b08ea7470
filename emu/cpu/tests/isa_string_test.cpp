// String instructions: REP/REPE/REPNE, both directions, 16-bit addressing, and
// resumption after an interrupt or a fault in the middle of a string.
#include "cpu_fixture.hpp"

using namespace hm;
using namespace hm::test;

TEST_CASE("REP MOVSD/MOVSB copy forwards and backwards", "[cpu][isa][string]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    for (u32 i = 0; i < 64; ++i) f.poke32(0x5000 + 4 * i, 0x01010101u * i);
    f.r(reg::ESI) = 0x5000;
    f.r(reg::EDI) = 0x6000;
    f.r(reg::ECX) = 64;
    f.exec({0xF3, 0xA5});  // rep movsd
    for (u32 i = 0; i < 64; ++i) CHECK(f.peek32(0x6000 + 4 * i) == 0x01010101u * i);
    CHECK(f.r(reg::ECX) == 0);
    CHECK(f.r(reg::ESI) == 0x5100);
    CHECK(f.r(reg::EDI) == 0x6100);
    // Backwards, overlapping by one byte: memmove-style from the top.
    f.poke(0x7000, {1, 2, 3, 4, 5});
    f.r(reg::ESI) = 0x7003;
    f.r(reg::EDI) = 0x7004;
    f.r(reg::ECX) = 4;
    f.exec({0xFD, 0xF3, 0xA4, 0xFC});  // std ; rep movsb ; cld
    CHECK(f.peek32(0x7000) == 0x03020101u);
    CHECK(f.peek8(0x7004) == 4);
    CHECK(f.r(reg::ESI) == 0x6FFF);
    CHECK(f.r(reg::EDI) == 0x7000);
}

TEST_CASE("REP with ECX = 0 does nothing - STOS and LODS", "[cpu][isa][string]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.r(reg::EDI) = 0x5000;
    f.r(reg::ECX) = 0;
    f.r(reg::EAX) = 0xAB;
    f.poke32(0x5000, 0);
    f.exec({0xF3, 0xAA});
    CHECK(f.peek32(0x5000) == 0);
    CHECK(f.r(reg::EDI) == 0x5000);
    f.r(reg::ECX) = 3;
    f.exec({0xF3, 0xAA});  // rep stosb
    CHECK(f.peek32(0x5000) == 0x00ABABABu);
    f.r(reg::ESI) = 0x5000;
    f.exec({0xAD});  // lodsd
    CHECK(f.r(reg::EAX) == 0x00ABABABu);
    CHECK(f.r(reg::ESI) == 0x5004);
}

TEST_CASE("REPE CMPSB stops at the first difference, REPNE SCASB at the first match", "[cpu][isa][string]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    const std::string a = "highmem386!", b = "highmem486!";
    f.poke(0x5000, Bytes(a.begin(), a.end()));
    f.poke(0x6000, Bytes(b.begin(), b.end()));
    f.r(reg::ESI) = 0x5000;
    f.r(reg::EDI) = 0x6000;
    f.r(reg::ECX) = static_cast<u32>(a.size());
    f.exec({0xF3, 0xA6});  // repe cmpsb
    CHECK(f.r(reg::ECX) == a.size() - 8);  // compared "highmem3" vs "highmem4"
    CHECK(f.r(reg::ESI) == 0x5008);
    CHECK((f.eflags() & flag::ZF) == 0);
    CHECK((f.eflags() & flag::CF) != 0);  // '3' < '4'
    f.r(reg::EDI) = 0x5000;
    f.r(reg::ECX) = 100;
    f.r(reg::EAX) = '!';
    f.exec({0xF2, 0xAE});  // repne scasb
    CHECK(f.r(reg::EDI) == 0x5000 + a.size());
    CHECK(f.r(reg::ECX) == 100 - a.size());
    CHECK((f.eflags() & flag::ZF) != 0);
}

TEST_CASE("A 16-bit address size uses SI, DI and CX and wraps at 64 KiB", "[cpu][isa][string]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.poke(0xFFFF, {0x5A});
    f.r(reg::ESI) = 0x1234FFFF;  // upper half ignored and preserved
    f.r(reg::EDI) = 0x00005000;
    f.r(reg::ECX) = 0xABCD0002;
    f.poke(0x0000, {0x77});
    f.exec({0x67, 0xF3, 0xA4});  // a16 rep movsb
    CHECK(f.peek8(0x5000) == 0x5A);
    CHECK(f.peek8(0x5001) == 0x77);  // SI wrapped to 0
    CHECK(f.r(reg::ESI) == 0x12340001);
    CHECK(f.r(reg::ECX) == 0xABCD0000);
}

namespace {
struct AckAndDrop : InterruptController {
    Cpu* cpu = nullptr;
    int acks = 0;
    u8 acknowledge() override {
        ++acks;
        cpu->set_intr(false);
        return 0x30;
    }
};
}  // namespace

TEST_CASE("An interrupt in the middle of REP MOVSB is taken and the copy resumes", "[cpu][isa][string][interrupts]") {
    CpuFixture f;
    // sti ; rep movsb ; hlt        handler: inc edx ; iretd
    f.flat32(0x1000, {0xFB, 0xF3, 0xA4, 0xF4});
    f.install_gdt_idt(0x2000, 0x3000, 0x4000);
    f.poke(0x4000, {0x42, 0xCF});
    for (u32 i = 0; i < 0x20000; i += 4) f.poke32(0x100000 + i, i);
    f.r(reg::ESI) = 0x100000;
    f.r(reg::EDI) = 0x200000;
    f.r(reg::ECX) = 0x20000;
    f.r(reg::EDX) = 0;
    AckAndDrop pic;
    pic.cpu = &f.cpu;
    f.cpu.set_interrupt_controller(&pic);
    // Run part of the string, then raise INTR.
    CHECK(f.run(5000) == StopReason::CycleLimit);
    const u32 left = f.r(reg::ECX);
    CHECK(left > 0);
    CHECK(left < 0x20000);
    CHECK(f.st.eip == 0x1001);  // still on the REP instruction
    f.cpu.set_intr(true);
    f.run_to_hlt(10'000'000);
    CHECK(pic.acks == 1);
    CHECK(f.r(reg::EDX) == 1);
    CHECK(f.r(reg::ECX) == 0);
    CHECK(f.st.eip == 0x1004);
    bool same = true;
    for (u32 i = 0; i < 0x20000; i += 4) same &= f.peek32(0x200000 + i) == i;
    CHECK(same);
}

TEST_CASE("A fault in the middle of a string leaves the completed iterations committed", "[cpu][isa][string][exceptions]") {
    CpuFixture f;
    // mov bx, 0x30 ; mov es, bx ; rep stosb ; hlt
    f.flat32(0x1000, {0x66, 0xBB, 0x30, 0x00, 0x8E, 0xC3, 0xF3, 0xAA, 0xF4});
    f.install_gdt_idt(0x2000, 0x3000, 0x4000);
    // 0x30: data segment, base 0, byte-granular limit 0x5FFF.
    f.poke64(0x2030, 0x0040920000005FFFull);
    f.st.gdtr.limit = 0x37;
    f.poke(0x4000, {0xF4});
    f.r(reg::EDI) = 0x5FF0;
    f.r(reg::ECX) = 100;
    f.r(reg::EAX) = 0x3C;
    f.run_to_hlt();
    CHECK(f.cpu.stats().exceptions[13] == 1);
    CHECK(f.r(reg::EDI) == 0x6000);  // 16 bytes stored, then ES:6000 is past the limit
    CHECK(f.r(reg::ECX) == 100 - 16);
    CHECK(f.peek32(f.r(reg::ESP) + 4) == 0x1006);  // EIP of the REP STOSB
    CHECK(f.peek8(0x5FFF) == 0x3C);
    CHECK(f.peek8(0x6000) == 0x00);
}
