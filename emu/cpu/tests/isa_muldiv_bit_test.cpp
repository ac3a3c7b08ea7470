// MUL/IMUL/DIV/IDIV at every width against 64-bit host arithmetic, #DE with
// nothing changed; BT/BTS/BTR/BTC (register and memory bit strings, negative
// offsets) and BSF/BSR.
#include "cpu_fixture.hpp"
#include "reference.hpp"

using namespace hm;
using namespace hm::test;

namespace {
Bytes form(u8 opcode_8, u8 reg_field, unsigned bits) {  // F6/F7 /reg with EBX/BX/BL
    const u8 modrm = static_cast<u8>(0xC3 | (reg_field << 3));
    if (bits == 8) return {opcode_8, modrm};
    if (bits == 16) return {0x66, static_cast<u8>(opcode_8 + 1), modrm};
    return {static_cast<u8>(opcode_8 + 1), modrm};
}
}  // namespace

TEST_CASE("MUL and one-operand IMUL produce double-width products and CF=OF", "[cpu][isa][muldiv]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    Lcg rng(5);
    for (unsigned bits : {8u, 16u, 32u}) {
        for (bool is_signed : {false, true}) {
            for (int n = 0; n < 300; ++n) {
                const u32 a = rng.operand(bits), b = rng.operand(bits);
                f.r(reg::EAX) = a;
                f.r(reg::EBX) = b;
                f.r(reg::EDX) = 0x5A5A5A5A;
                f.exec(form(0xF6, is_signed ? 5 : 4, bits));
                u64 product;
                bool significant;
                if (is_signed) {
                    const i64 p = as_signed(a, bits) * as_signed(b, bits);
                    product = static_cast<u64>(p);
                    significant = p != as_signed(static_cast<u32>(p), bits);
                } else {
                    product = u64{a} * b;
                    significant = (product >> bits) != 0;
                }
                INFO((is_signed ? "IMUL" : "MUL") << bits << std::hex << " a=" << a << " b=" << b);
                if (bits == 8) {
                    CHECK((f.r(reg::EAX) & 0xFFFF) == (product & 0xFFFF));
                    CHECK(f.r(reg::EDX) == 0x5A5A5A5A);
                } else {
                    CHECK((f.r(reg::EAX) & mask_of(bits)) == (product & mask_of(bits)));
                    CHECK((f.r(reg::EDX) & mask_of(bits)) == ((product >> bits) & mask_of(bits)));
                }
                CHECK(((f.eflags() & flag::CF) != 0) == significant);
                CHECK(((f.eflags() & flag::OF) != 0) == significant);
            }
        }
    }
}

TEST_CASE("Two- and three-operand IMUL truncate and flag overflow", "[cpu][isa][muldiv]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.r(reg::EAX) = 0x10000;
    f.r(reg::EBX) = 0x10000;
    f.exec({0x0F, 0xAF, 0xC3});  // imul eax, ebx
    CHECK(f.r(reg::EAX) == 0);
    CHECK((f.eflags() & (flag::CF | flag::OF)) == (flag::CF | flag::OF));
    f.r(reg::EBX) = 7;
    f.exec({0x6B, 0xC3, 0xFD});  // imul eax, ebx, -3
    CHECK(f.r(reg::EAX) == static_cast<u32>(-21));
    CHECK((f.eflags() & (flag::CF | flag::OF)) == 0);
    f.exec({0x69, 0xC3, 0x45, 0x23, 0x01, 0x00});  // imul eax, ebx, 0x12345
    CHECK(f.r(reg::EAX) == 7u * 0x12345u);
}

TEST_CASE("DIV and IDIV divide, and raise #DE with nothing changed", "[cpu][isa][muldiv][exceptions]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.install_gdt_idt(0x2000, 0x3000, 0x4000);
    f.poke(0x4000, {0xF4});
    Lcg rng(6);
    for (unsigned bits : {8u, 16u, 32u}) {
        for (bool is_signed : {false, true}) {
            for (int n = 0; n < 300; ++n) {
                const u32 lo = rng.operand(bits), hi = rng.operand(bits), d = rng.operand(bits);
                f.r(reg::EAX) = bits == 8 ? ((hi & 0xFF) << 8) | lo : lo;
                f.r(reg::EDX) = bits == 8 ? 0x77777777 : hi;
                f.r(reg::EBX) = d;
                f.r(reg::ESP) = 0x90000;
                const u32 eax0 = f.r(reg::EAX), edx0 = f.r(reg::EDX);
                const u64 des0 = f.cpu.stats().exceptions[0];
                f.exec(form(0xF6, is_signed ? 7 : 6, bits));
                // Reference on the host.
                bool fault = (d & mask_of(bits)) == 0;
                u32 q = 0, r = 0;
                if (!fault) {
                    if (is_signed) {
                        const i64 num = bits == 32 ? static_cast<i64>((u64{hi} << 32) | lo)
                                                   : as_signed(((hi & mask_of(bits)) << bits) | lo, 2 * bits);
                        const i64 den = as_signed(d, bits);
                        if (bits == 32 && num == INT64_MIN && den == -1) {
                            fault = true;
                        } else {
                            const i64 qq = num / den, rr = num % den;
                            fault = qq < -(i64{1} << (bits - 1)) || qq > (i64{1} << (bits - 1)) - 1;
                            q = static_cast<u32>(qq) & mask_of(bits);
                            r = static_cast<u32>(rr) & mask_of(bits);
                        }
                    } else {
                        const u64 num = (u64{hi & mask_of(bits)} << bits) | lo;
                        const u64 qq = num / d;
                        fault = qq > mask_of(bits);
                        q = static_cast<u32>(qq) & mask_of(bits);
                        r = static_cast<u32>(num % d);
                    }
                }
                INFO((is_signed ? "IDIV" : "DIV") << bits << std::hex << " hi=" << hi << " lo=" << lo << " d=" << d);
                if (fault) {
                    CHECK(f.cpu.stats().exceptions[0] == des0 + 1);
                    CHECK(f.r(reg::EAX) == eax0);
                    CHECK(f.r(reg::EDX) == edx0);
                    CHECK(f.peek32(f.r(reg::ESP)) == 0x1000);  // the faulting DIV's address
                } else if (bits == 8) {
                    CHECK((f.r(reg::EAX) & 0xFF) == q);
                    CHECK(((f.r(reg::EAX) >> 8) & 0xFF) == r);
                    CHECK(f.r(reg::EDX) == 0x77777777);
                } else {
                    CHECK((f.r(reg::EAX) & mask_of(bits)) == q);
                    CHECK((f.r(reg::EDX) & mask_of(bits)) == r);
                }
            }
        }
    }
}

TEST_CASE("BT/BTS/BTR/BTC on registers use the offset modulo the width", "[cpu][isa][bit]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.r(reg::EAX) = 0x00000020;
    f.r(reg::EBX) = 37;  // bit 5
    f.exec({0x0F, 0xA3, 0xD8});  // bt eax, ebx
    CHECK((f.eflags() & flag::CF) != 0);
    f.exec({0x0F, 0xB3, 0xD8});  // btr eax, ebx
    CHECK(f.r(reg::EAX) == 0);
    CHECK((f.eflags() & flag::CF) != 0);
    f.exec({0x0F, 0xAB, 0xD8});  // bts eax, ebx
    CHECK(f.r(reg::EAX) == 0x20);
    CHECK((f.eflags() & flag::CF) == 0);
    f.exec({0x0F, 0xBB, 0xD8});  // btc eax, ebx
    CHECK(f.r(reg::EAX) == 0);
    CHECK((f.eflags() & flag::CF) != 0);
    f.exec({0x0F, 0xBA, 0xE0, 0x05});  // bt eax, 5
    CHECK((f.eflags() & flag::CF) == 0);
}

TEST_CASE("BT with a register offset into memory addresses the whole bit string", "[cpu][isa][bit]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.r(reg::ESI) = 0x5010;
    f.r(reg::EBX) = static_cast<u32>(-1);  // bit 31 of the dword at 0x500C
    f.poke32(0x500C, 0x80000000);
    f.exec({0x0F, 0xA3, 0x1E});  // bt [esi], ebx
    CHECK((f.eflags() & flag::CF) != 0);
    f.r(reg::EBX) = 100;  // dword 3 (0x501C), bit 4
    f.exec({0x0F, 0xAB, 0x1E});  // bts [esi], ebx
    CHECK(f.peek32(0x501C) == 0x10);
    CHECK((f.eflags() & flag::CF) == 0);
    f.exec({0x0F, 0xBA, 0x3E, 0x21});  // btc dword [esi], 33: immediate offsets wrap in the dword
    CHECK(f.peek32(0x5010) == 0x2);
}

TEST_CASE("BSF and BSR find the lowest and highest set bit - a zero source sets ZF", "[cpu][isa][bit]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    Lcg rng(7);
    for (int n = 0; n < 200; ++n) {
        const u32 v = rng.operand(32);
        f.r(reg::EAX) = 0xDEADBEEF;
        f.r(reg::EBX) = v;
        f.exec({0x0F, 0xBC, 0xC3});  // bsf eax, ebx
        if (v == 0) {
            CHECK((f.eflags() & flag::ZF) != 0);
            CHECK(f.r(reg::EAX) == 0xDEADBEEF);
        } else {
            unsigned lo = 0;
            while (!((v >> lo) & 1)) ++lo;
            CHECK(f.r(reg::EAX) == lo);
            CHECK((f.eflags() & flag::ZF) == 0);
        }
        f.exec({0x0F, 0xBD, 0xC3});  // bsr eax, ebx
        if (v != 0) {
            unsigned hi = 31;
            while (!((v >> hi) & 1)) --hi;
            CHECK(f.r(reg::EAX) == hi);
        }
    }
}
