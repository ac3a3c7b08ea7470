// Arithmetic and logic instructions at 8, 16 and 32 bits against the reference
// model, edge values first, including every flag they define.
#include "cpu_fixture.hpp"
#include "reference.hpp"

using namespace hm;
using namespace hm::test;

namespace {

enum class Op { Add, Adc, Sub, Sbb, Cmp, And, Or, Xor };

// "op eAX, eBX" (or AL,BL / AX,BX) for each operation.
Bytes encode(Op op, unsigned bits) {
    static const u8 kOpcode[] = {0x00, 0x10, 0x28, 0x18, 0x38, 0x20, 0x08, 0x30};
    const u8 base = kOpcode[static_cast<int>(op)];
    if (bits == 8) return {base, 0xD8};
    if (bits == 16) return {0x66, static_cast<u8>(base + 1), 0xD8};
    return {static_cast<u8>(base + 1), 0xD8};
}

ArithResult reference(Op op, u32 a, u32 b, bool cf, unsigned bits) {
    switch (op) {
        case Op::Add: return ref_add(a, b, 0, bits);
        case Op::Adc: return ref_add(a, b, cf, bits);
        case Op::Sub:
        case Op::Cmp: return ref_sub(a, b, 0, bits);
        case Op::Sbb: return ref_sub(a, b, cf, bits);
        case Op::And:
        case Op::Or:
        case Op::Xor: {
            u32 r = op == Op::And ? a & b : op == Op::Or ? a | b : a ^ b;
            r &= mask_of(bits);
            return {r, szp(r, bits)};
        }
    }
    return {};
}

const char* name(Op op) {
    static const char* const kNames[] = {"ADD", "ADC", "SUB", "SBB", "CMP", "AND", "OR", "XOR"};
    return kNames[static_cast<int>(op)];
}

}  // namespace

TEST_CASE("ALU operations set results and all six flags like the reference", "[cpu][isa][alu]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    Lcg rng(1);
    // Logic operations leave AF undefined (we clear it): compare it for arithmetic only.
    for (Op op : {Op::Add, Op::Adc, Op::Sub, Op::Sbb, Op::Cmp, Op::And, Op::Or, Op::Xor}) {
        for (unsigned bits : {8u, 16u, 32u}) {
            const Bytes code = encode(op, bits);
            for (int n = 0; n < 300; ++n) {
                const u32 a = rng.operand(bits), b = rng.operand(bits);
                const bool cf = rng.next() & 1;
                f.r(reg::EAX) = a | 0xA5A50000u * (bits < 32);  // upper bits must survive narrow ops
                f.r(reg::EBX) = b;
                f.st.eflags = flag::kFixed1 | (cf ? flag::CF : 0);
                f.st.lazy.kind = FlagKind::None;
                f.exec(code);
                const ArithResult want = reference(op, a, b, cf, bits);
                const bool logic = op == Op::And || op == Op::Or || op == Op::Xor;
                const u32 compared = logic ? (flag::kArith & ~flag::AF) : flag::kArith;
                INFO(name(op) << bits << " a=" << std::hex << a << " b=" << b << " cf=" << cf);
                const u32 result = op == Op::Cmp ? a : want.value;
                CHECK((f.r(reg::EAX) & mask_of(bits)) == (result & mask_of(bits)));
                if (bits < 32) CHECK((f.r(reg::EAX) & ~mask_of(bits)) == (0xA5A50000u & ~mask_of(bits)));
                CHECK((f.eflags() & compared) == (want.flags & compared));
                if (logic) CHECK((f.eflags() & (flag::CF | flag::OF)) == 0);
            }
        }
    }
}

TEST_CASE("INC and DEC keep CF and set the other flags like ADD/SUB 1", "[cpu][isa][alu]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    Lcg rng(2);
    struct Form {
        Bytes code;
        unsigned bits;
        bool dec;
    };
    const Form forms[] = {{{0x40}, 32, false},       {{0x48}, 32, true},        {{0x66, 0x40}, 16, false},
                          {{0x66, 0x48}, 16, true},  {{0xFE, 0xC0}, 8, false},  {{0xFE, 0xC8}, 8, true}};
    for (const Form& fm : forms) {
        for (int n = 0; n < 200; ++n) {
            const u32 a = rng.operand(fm.bits);
            const bool cf = rng.next() & 1;
            f.r(reg::EAX) = a;
            f.st.eflags = flag::kFixed1 | (cf ? flag::CF : 0);
            f.st.lazy.kind = FlagKind::None;
            f.exec(fm.code);
            const ArithResult want = fm.dec ? ref_sub(a, 1, 0, fm.bits) : ref_add(a, 1, 0, fm.bits);
            INFO((fm.dec ? "DEC" : "INC") << fm.bits << " a=" << std::hex << a);
            CHECK((f.r(reg::EAX) & mask_of(fm.bits)) == want.value);
            const u32 without_cf = flag::kArith & ~flag::CF;
            CHECK((f.eflags() & without_cf) == (want.flags & without_cf));
            CHECK(((f.eflags() & flag::CF) != 0) == cf);
        }
    }
}

TEST_CASE("NEG sets CF unless the operand is zero - NOT changes no flags", "[cpu][isa][alu]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    for (u32 a : {0u, 1u, 0x80000000u, 0xFFFFFFFFu, 0x12345678u}) {
        f.r(reg::EAX) = a;
        f.exec({0xF7, 0xD8});  // neg eax
        const ArithResult want = ref_sub(0, a, 0, 32);
        CHECK(f.r(reg::EAX) == want.value);
        CHECK((f.eflags() & flag::kArith) == want.flags);
        CHECK(((f.eflags() & flag::CF) != 0) == (a != 0));
        const u32 before = f.eflags();
        f.exec({0xF7, 0xD0});  // not eax
        CHECK(f.r(reg::EAX) == ~want.value);
        CHECK(f.eflags() == before);
    }
}

TEST_CASE("ALU forms with memory operands and immediates", "[cpu][isa][alu]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.poke32(0x5000, 100);
    f.r(reg::EBX) = 0x5000;
    f.exec({0x83, 0x03, 0xF6});  // add dword [ebx], -10   (83 /0 ib: sign-extended)
    CHECK(f.peek32(0x5000) == 90);
    f.exec({0x81, 0x2B, 0x5A, 0x00, 0x00, 0x00});  // sub dword [ebx], 90
    CHECK(f.peek32(0x5000) == 0);
    CHECK((f.eflags() & flag::ZF) != 0);
    f.r(reg::ECX) = 7;
    f.exec({0x01, 0x0B});  // add [ebx], ecx
    f.exec({0x03, 0x0B});  // add ecx, [ebx]
    CHECK(f.peek32(0x5000) == 7);
    CHECK(f.r(reg::ECX) == 14);
    f.exec({0x80, 0x33, 0xFF});  // xor byte [ebx], 0xFF
    CHECK(f.peek32(0x5000) == 0xF8);
    f.exec({0xF6, 0x03, 0x08});  // test byte [ebx], 8
    CHECK((f.eflags() & flag::ZF) == 0);
    f.exec({0x66, 0x83, 0x3B, 0xFF});  // cmp word [ebx], -1
    CHECK((f.eflags() & flag::CF) != 0);  // 0x00F8 < 0xFFFF unsigned
    f.r(reg::EAX) = 0x11223344;
    f.exec({0x2C, 0x45});  // sub al, 0x45
    CHECK(f.r(reg::EAX) == 0x112233FF);
    CHECK((f.eflags() & (flag::CF | flag::SF)) == (flag::CF | flag::SF));
    f.exec({0x66, 0x35, 0xFF, 0xFF});  // xor ax, 0xFFFF
    CHECK(f.r(reg::EAX) == 0x1122CC00);
}

TEST_CASE("LOCK is accepted on read-modify-write memory forms and #UD otherwise", "[cpu][isa][alu]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.install_gdt_idt(0x2000, 0x3000, 0x4000);
    f.poke(0x4000, {0xF4});
    f.r(reg::EBX) = 0x5000;
    f.poke32(0x5000, 1);
    f.exec({0xF0, 0x01, 0x03});  // lock add [ebx], eax
    CHECK(f.st.eip == 0x1004);
    CHECK(f.cpu.stats().exceptions[6] == 0);
    f.exec({0xF0, 0x01, 0xC3});  // lock add ebx, eax: register destination
    CHECK(f.st.eip == 0x4001);
    CHECK(f.cpu.stats().exceptions[6] == 1);
    f.exec({0xF0, 0x39, 0x03});  // lock cmp [ebx], eax: CMP is not lockable
    CHECK(f.cpu.stats().exceptions[6] == 2);
    f.exec({0xF0, 0x90});  // lock nop
    CHECK(f.cpu.stats().exceptions[6] == 3);
}
