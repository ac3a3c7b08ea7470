// Shifts and rotates against a one-bit-at-a-time model of the SDM pseudo-code,
// for every count 0-31 (and beyond, masked) at 8, 16 and 32 bits; SHLD/SHRD.
#include "cpu_fixture.hpp"
#include "reference.hpp"

using namespace hm;
using namespace hm::test;

namespace {

enum class Sh { Rol, Ror, Rcl, Rcr, Shl, Shr, Sal, Sar };

struct ShiftRef {
    u32 value;
    bool cf;
    bool of;  // meaningful for count 1 (and our documented choice otherwise)
};

ShiftRef ref_shift(Sh op, u32 v, unsigned count, bool cf, unsigned bits) {
    const u32 m = mask_of(bits), msb = 1u << (bits - 1);
    v &= m;
    const unsigned masked = count & 0x1F;
    unsigned n = masked;
    if (op == Sh::Rol || op == Sh::Ror) n = masked % bits;
    if (op == Sh::Rcl || op == Sh::Rcr) n = bits == 32 ? masked : masked % (bits + 1);
    const u32 orig = v;
    u32 before_last = v;
    for (unsigned i = 0; i < n; ++i) {
        before_last = v;
        switch (op) {
            case Sh::Rol: v = ((v << 1) | (v >> (bits - 1))) & m; break;
            case Sh::Ror: v = ((v >> 1) | ((v & 1) << (bits - 1))) & m; break;
            case Sh::Rcl: {
                const bool out = v & msb;
                v = ((v << 1) | (cf ? 1 : 0)) & m;
                cf = out;
                break;
            }
            case Sh::Rcr: {
                const bool out = v & 1;
                v = (v >> 1) | (cf ? msb : 0);
                cf = out;
                break;
            }
            case Sh::Shl:
            case Sh::Sal:
                cf = v & msb;
                v = (v << 1) & m;
                break;
            case Sh::Shr:
                cf = v & 1;
                v >>= 1;
                break;
            case Sh::Sar:
                cf = v & 1;
                v = (v >> 1) | (v & msb);
                break;
        }
    }
    if ((op == Sh::Rol || op == Sh::Ror) && masked != 0) cf = op == Sh::Rol ? (v & 1) : ((v & msb) != 0);
    bool of = false;
    const bool top = v & msb, next_bit = (v >> (bits - 2)) & 1;
    switch (op) {
        case Sh::Rol:
        case Sh::Rcl:
        case Sh::Shl:
        case Sh::Sal: of = top != cf; break;
        case Sh::Ror:
        case Sh::Rcr: of = top != next_bit; break;
        case Sh::Shr: of = (n ? before_last : orig) & msb; break;
        case Sh::Sar: of = false; break;
    }
    return {v, cf, of};
}

Bytes encode(Sh op, unsigned bits, unsigned count) {
    // op eax/ax/al, imm8  (C0/C1 /r ib)
    const u8 modrm = static_cast<u8>(0xC0 | (static_cast<unsigned>(op) << 3));
    if (bits == 8) return {0xC0, modrm, static_cast<u8>(count)};
    if (bits == 16) return {0x66, 0xC1, modrm, static_cast<u8>(count)};
    return {0xC1, modrm, static_cast<u8>(count)};
}

const char* name(Sh op) {
    static const char* const k[] = {"ROL", "ROR", "RCL", "RCR", "SHL", "SHR", "SAL", "SAR"};
    return k[static_cast<int>(op)];
}

}  // namespace

TEST_CASE("Shifts and rotates match the bit-serial model for every count", "[cpu][isa][shift]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    Lcg rng(3);
    for (Sh op : {Sh::Rol, Sh::Ror, Sh::Rcl, Sh::Rcr, Sh::Shl, Sh::Shr, Sh::Sal, Sh::Sar}) {
        for (unsigned bits : {8u, 16u, 32u}) {
            for (unsigned count = 0; count < 40; ++count) {
                for (int n = 0; n < 6; ++n) {
                    const u32 a = rng.operand(bits);
                    const bool cf = rng.next() & 1;
                    const u32 start_flags = flag::kFixed1 | (cf ? flag::CF : 0) | (rng.next() & flag::kArith & ~flag::CF);
                    f.r(reg::EAX) = a;
                    f.st.eflags = start_flags;
                    f.st.lazy.kind = FlagKind::None;
                    f.exec(encode(op, bits, count));
                    const ShiftRef want = ref_shift(op, a, count, cf, bits);
                    INFO(name(op) << bits << " a=" << std::hex << a << std::dec << " count=" << count << " cf=" << cf);
                    CHECK((f.r(reg::EAX) & mask_of(bits)) == want.value);
                    if ((count & 0x1F) == 0) {
                        CHECK(f.eflags() == (start_flags | flag::kFixed1));  // nothing changes
                        continue;
                    }
                    CHECK(((f.eflags() & flag::CF) != 0) == want.cf);
                    CHECK(((f.eflags() & flag::OF) != 0) == want.of);
                    const bool is_shift = op == Sh::Shl || op == Sh::Shr || op == Sh::Sal || op == Sh::Sar;
                    if (is_shift) {
                        const u32 zsp = flag::ZF | flag::SF | flag::PF;
                        CHECK((f.eflags() & zsp) == szp(want.value, bits));
                    } else {
                        // Rotates leave SF, ZF, AF and PF alone.
                        const u32 kept = flag::ZF | flag::SF | flag::PF | flag::AF;
                        CHECK((f.eflags() & kept) == (start_flags & kept));
                    }
                }
            }
        }
    }
}

TEST_CASE("Shift by CL and by 1 use the same semantics, and work on memory", "[cpu][isa][shift]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.poke32(0x5000, 0x80000001);
    f.r(reg::EBX) = 0x5000;
    f.exec({0xD1, 0x03});  // rol dword [ebx], 1
    CHECK(f.peek32(0x5000) == 0x00000003);
    CHECK((f.eflags() & flag::CF) != 0);
    f.r(reg::ECX) = 0x24;  // masked to 4
    f.exec({0xD3, 0x23});  // shl dword [ebx], cl
    CHECK(f.peek32(0x5000) == 0x30);
    f.exec({0xD0, 0x3B});  // sar byte [ebx], 1
    CHECK(f.peek8(0x5000) == 0x18);
}

TEST_CASE("SHLD and SHRD shift in bits from the second register", "[cpu][isa][shift]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    Lcg rng(4);
    for (int n = 0; n < 400; ++n) {
        const u32 dst = rng.operand(32), src = rng.operand(32);
        const unsigned count = rng.next() % 40;
        const unsigned c = count & 31;
        for (bool left : {true, false}) {
            f.r(reg::EAX) = dst;
            f.r(reg::EBX) = src;
            f.r(reg::ECX) = count;
            f.st.eflags = flag::kFixed1;
            f.st.lazy.kind = FlagKind::None;
            f.exec(left ? Bytes{0x0F, 0xA5, 0xD8} : Bytes{0x0F, 0xAD, 0xD8});  // shld/shrd eax, ebx, cl
            u32 want = dst;
            bool cf = false;
            if (c) {
                const u64 cat = left ? ((u64{dst} << 32) | src) : ((u64{src} << 32) | dst);
                want = left ? static_cast<u32>(cat >> (32 - c)) : static_cast<u32>(cat >> c);
                cf = left ? ((dst >> (32 - c)) & 1) : ((dst >> (c - 1)) & 1);
            }
            INFO((left ? "SHLD" : "SHRD") << std::hex << " dst=" << dst << " src=" << src << std::dec << " count=" << count);
            CHECK(f.r(reg::EAX) == want);
            if (c) {
                CHECK(((f.eflags() & flag::CF) != 0) == cf);
                CHECK((f.eflags() & (flag::ZF | flag::SF | flag::PF)) == szp(want, 32));
                if (c == 1) CHECK(((f.eflags() & flag::OF) != 0) == (((want ^ dst) >> 31) != 0));
            } else {
                CHECK(f.eflags() == flag::kFixed1);
            }
        }
    }
    // 16-bit immediate form: shld ax, bx, 4
    f.r(reg::EAX) = 0x1234;
    f.r(reg::EBX) = 0xABCD;
    f.exec({0x66, 0x0F, 0xA4, 0xD8, 0x04});
    CHECK((f.r(reg::EAX) & 0xFFFF) == 0x234A);
}
