// The optimized transcendental functions (transcendental.cpp, performance
// round 3) against the frozen pre-optimization copy (transcendental_reference.cpp)
// bit for bit: value, second result, C2 (in range), the exception flags and C1,
// under every precision and rounding control and a mix of masks. The `unit`
// run uses a fixed seed and 40,000 operands per function; the `slow` CTest
// fpu.transcendental-equivalence-millions asks for millions
// (HM386_FPU_EQUIV_CASES). Also the exact divisions of wide_div.hpp against
// the bit-by-bit loops they replace.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cpu/fpu/wide_div.hpp"
#include "operand_gen.hpp"
#include "transcendental_reference.hpp"

namespace hm::fpu {
namespace {

using namespace testgen;
using u128 = unsigned __int128;

int equivalence_cases() {
    if (const char* env = std::getenv("HM386_FPU_EQUIV_CASES")) return std::atoi(env);
    return 40000;
}

u16 control_for(Rng& r, int i) {
    static const u16 kPc[3] = {0, 2, 3};
    const u16 masks = r.below(4) != 0 ? cw::kMasks : static_cast<u16>(r.below(64));
    return static_cast<u16>(0x40 | masks | (kPc[i % 3] << cw::kPcShift) | (((i / 3) % 4) << cw::kRcShift));
}

// Operands weighted towards where the series run: |x| below 2^63 (the
// trigonometric range), around 1 (the logarithms' and F2XM1's domains), tiny,
// plus random_operand's whole range and special encodings.
Float80 series_operand(Rng& r) {
    Float80 x = random_operand(r);
    switch (r.below(4)) {
        case 0: return x;
        case 1: x.se = static_cast<u16>((x.se & 0x8000) | (16383 - 8 + r.below(72))); break;  // 2^-8 .. 2^63
        case 2: x.se = static_cast<u16>((x.se & 0x8000) | (16383 - 3 + r.below(5))); break;   // 1/8 .. 4
        default: x.se = static_cast<u16>((x.se & 0x8000) | (16383 - 70 + r.below(70))); break; // below 1
    }
    x.sig |= 1ull << 63;
    return x;
}

std::string hex(Float80 x) {
    char b[40];
    std::snprintf(b, sizeof b, "%04x:%016llx", x.se, static_cast<unsigned long long>(x.sig));
    return b;
}

bool same(Float80 a, Float80 b) { return a.sig == b.sig && a.se == b.se; }

using Unary = TrigResult (*)(Env&, Float80);
using Binary = Float80 (*)(Env&, Float80, Float80);

void compare_unary(const char* name, Unary fast, Unary ref, u64 seed) {
    Rng r(seed);
    const int n = equivalence_cases();
    int failures = 0;
    for (int i = 0; i < n; ++i) {
        const u16 control = control_for(r, i);
        const Float80 x = series_operand(r);
        Env ea{control}, eb{control};
        const TrigResult a = fast(ea, x), b = ref(eb, x);
        if (same(a.first, b.first) && same(a.second, b.second) && a.in_range == b.in_range && ea.flags == eb.flags &&
            ea.c1 == eb.c1)
            continue;
        if (++failures <= 5)
            FAIL_CHECK(name << " cw=" << std::hex << control << " x=" << hex(x) << ": " << hex(a.first) << "/"
                            << hex(a.second) << " flags " << ea.flags << " c1 " << ea.c1 << ", reference "
                            << hex(b.first) << "/" << hex(b.second) << " flags " << eb.flags << " c1 " << eb.c1);
    }
    INFO(name << ": " << n << " operands");
    REQUIRE(failures == 0);
}

void compare_binary(const char* name, Binary fast, Binary ref, u64 seed) {
    Rng r(seed);
    const int n = equivalence_cases();
    int failures = 0;
    for (int i = 0; i < n; ++i) {
        const u16 control = control_for(r, i);
        const Float80 x = series_operand(r), y = series_operand(r);
        Env ea{control}, eb{control};
        const Float80 a = fast(ea, y, x), b = ref(eb, y, x);
        if (same(a, b) && ea.flags == eb.flags && ea.c1 == eb.c1) continue;
        if (++failures <= 5)
            FAIL_CHECK(name << " cw=" << std::hex << control << " y=" << hex(y) << " x=" << hex(x) << ": " << hex(a)
                            << " flags " << ea.flags << ", reference " << hex(b) << " flags " << eb.flags);
    }
    INFO(name << ": " << n << " operand pairs");
    REQUIRE(failures == 0);
}

TrigResult f2xm1_pair(Env& e, Float80 x) { return {f2xm1(e, x), {}, true}; }
TrigResult f2xm1_pair_ref(Env& e, Float80 x) { return {reference::f2xm1(e, x), {}, true}; }

}  // namespace

TEST_CASE("FSIN/FCOS/FSINCOS/FPTAN/F2XM1 are bit-identical to the reference implementation", "[fpu][equivalence]") {
    compare_unary("FSIN", fsin, reference::fsin, 101);
    compare_unary("FCOS", fcos, reference::fcos, 102);
    compare_unary("FSINCOS", fsincos, reference::fsincos, 103);
    compare_unary("FPTAN", fptan, reference::fptan, 104);
    compare_unary("F2XM1", f2xm1_pair, f2xm1_pair_ref, 105);
}

TEST_CASE("FPATAN/FYL2X/FYL2XP1 are bit-identical to the reference implementation", "[fpu][equivalence]") {
    compare_binary("FPATAN", fpatan, reference::fpatan, 201);
    compare_binary("FYL2X", fyl2x, reference::fyl2x, 202);
    compare_binary("FYL2XP1", fyl2xp1, reference::fyl2xp1, 203);
}

namespace {
// The divisions as transcendental.cpp did them before wide_div.hpp.
u128 slow_div_128_by_64(u128 m, u64 d, bool& inexact) {
    inexact = m % d != 0;
    return m / d;
}

u128 slow_div_shifted(u128 n, int shift, u128 d, bool& inexact) {
    u128 r = n, q = 0;
    int steps = 128;
    if (shift == 127) {  // n >= d here: the first quotient bit is 1
        r -= d;
        q = 1;
        steps = 127;
    }
    for (int k = 0; k < steps; ++k) {
        const bool carry = (r >> 127) != 0;
        r <<= 1;
        q <<= 1;
        if (carry || r >= d) {
            r -= d;
            q |= 1;
        }
    }
    inexact = r != 0;
    return q;
}

u128 random128(Rng& r) {
    const u128 v = (u128{r.next()} << 64) | r.next();
    switch (r.below(5)) {
        case 0: return v >> r.below(128);
        case 1: return v & ~((u128{1} << r.below(128)) - 1);  // trailing zeros: exact quotients
        case 2: return ~u128{0} << r.below(128);               // runs of ones
        default: return v;
    }
}
}  // namespace

TEST_CASE("wide_div: 128/64 and shifted 256/128 divisions equal the bit-by-bit loops", "[fpu][wide_div]") {
    Rng r(7);
    const u128 top = u128{1} << 127;
    for (int i = 0; i < 200000; ++i) {
        // 128 / 64
        const u128 m = random128(r);
        u64 d = static_cast<u64>(random128(r));
        if (d == 0) d = 1 + r.below(1000);
        bool fast_inexact, slow_inexact;
        REQUIRE(wide::div_128_by_64(m, d, fast_inexact) == slow_div_128_by_64(m, d, slow_inexact));
        REQUIRE(fast_inexact == slow_inexact);
        // 256 / 128: a normalized divisor, the dividend below it (shift 128) or at least it (shift 127).
        const u128 dd = random128(r) | top;
        u128 n = random128(r) | top;
        if (r.below(4) == 0) n = dd - r.below(3);  // quotient digits at the top of the range (u2 == d1)
        if (r.below(8) == 0) n = dd;
        const int shift = n < dd ? 128 : 127;
        const u128 q = wide::div_shifted(n, shift, dd, fast_inexact);
        const u128 qs = slow_div_shifted(n, shift, dd, slow_inexact);
        if (q != qs || fast_inexact != slow_inexact)
            FAIL("n=" << std::hex << static_cast<u64>(n >> 64) << ":" << static_cast<u64>(n) << " d="
                      << static_cast<u64>(dd >> 64) << ":" << static_cast<u64>(dd) << " shift " << std::dec << shift);
    }
    // The cases the estimate has to correct: divisor digits with a small low part and a large one.
    for (u64 lo : {0ull, 1ull, ~0ull}) {
        const u128 dd = (u128{0x8000000000000000ull} << 64) | lo;
        for (u128 n : {dd - 1, dd, dd + 1, ~u128{0}, top}) {
            bool fi, si;
            const int shift = n < dd ? 128 : 127;
            REQUIRE(wide::div_shifted(n, shift, dd, fi) == slow_div_shifted(n, shift, dd, si));
            REQUIRE(fi == si);
        }
    }
}

}  // namespace hm::fpu
