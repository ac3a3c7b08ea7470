// Host-independent checks of the soft-float core against values worked out by
// hand (these run on every host; the bit-exact sweep is softfloat_oracle_test).
#include <catch2/catch.hpp>

#include <string>

#include "cpu/fpu/softfloat.hpp"

namespace hm::fpu {
namespace {
constexpr Float80 kOne{0x8000000000000000ull, 16383};
constexpr Float80 kTwo{0x8000000000000000ull, 16384};
constexpr Float80 kThree{0xC000000000000000ull, 16384};
constexpr Float80 kInf{0x8000000000000000ull, 0x7FFF};
constexpr Float80 kZero{0, 0};

u16 control(int pc, Rounding rc) { return static_cast<u16>(0x7F | (pc << cw::kPcShift) | (static_cast<int>(rc) << cw::kRcShift)); }
}  // namespace

TEST_CASE("1/3 rounds by precision and rounding control", "[fpu]") {
    Env e{control(3, Rounding::Nearest)};
    CHECK(div(e, kOne, kThree) == Float80{0xAAAAAAAAAAAAAAABull, 16381});
    CHECK(e.flags == sw::PE);
    CHECK(e.c1);
    Env z{control(3, Rounding::Zero)};
    CHECK(div(z, kOne, kThree) == Float80{0xAAAAAAAAAAAAAAAAull, 16381});
    CHECK_FALSE(z.c1);
    Env s{control(0, Rounding::Nearest)};
    CHECK(div(s, kOne, kThree) == Float80{0xAAAAAB0000000000ull, 16381});
    Env d{control(2, Rounding::Nearest)};
    CHECK(div(d, kOne, kThree) == Float80{0xAAAAAAAAAAAAA800ull, 16381});
}

TEST_CASE("sqrt(2) is correctly rounded to 64 bits", "[fpu]") {
    Env e{control(3, Rounding::Nearest)};
    // sqrt(2) = 0x1.6A09E667F3BCC908B2FB1366... ; 64 bits: B504F333F9DE6484 | 597D...
    CHECK(sqrt(e, kTwo) == Float80{0xB504F333F9DE6484ull, 16383});
    Env u{control(3, Rounding::Up)};
    CHECK(sqrt(u, kTwo) == Float80{0xB504F333F9DE6485ull, 16383});
}

TEST_CASE("Invalid operations give the real indefinite, 1/0 raises ZE", "[fpu]") {
    Env e{control(3, Rounding::Nearest)};
    CHECK(sub(e, kInf, kInf) == kIndefinite);
    CHECK(e.flags == sw::IE);
    Env z{control(3, Rounding::Nearest)};
    CHECK(div(z, kOne, kZero) == kInf);
    CHECK(z.flags == sw::ZE);
    Env m{control(3, Rounding::Nearest)};
    CHECK(mul(m, kZero, kInf) == kIndefinite);
    Env u{control(3, Rounding::Nearest)};
    CHECK(add(u, Float80{0x4000000000000000ull, 16383}, kOne) == kIndefinite);  // unnormal operand
}

TEST_CASE("x - x is +0, or -0 when rounding down", "[fpu]") {
    Env e{control(3, Rounding::Nearest)};
    CHECK(sub(e, kThree, kThree) == kZero);
    Env d{control(3, Rounding::Down)};
    CHECK(sub(d, kThree, kThree) == Float80{0, 0x8000});
}

TEST_CASE("Masked overflow gives infinity or the largest value by rounding", "[fpu]") {
    const Float80 big{0xFFFFFFFFFFFFFFFFull, 0x7FFE};
    Env n{control(3, Rounding::Nearest)};
    CHECK(mul(n, big, kTwo) == kInf);
    CHECK(n.flags == (sw::OE | sw::PE));
    Env z{control(3, Rounding::Zero)};
    CHECK(mul(z, big, kTwo) == big);
    Env w{static_cast<u16>(control(3, Rounding::Nearest) & ~cw::OM)};
    CHECK(mul(w, big, kTwo) == Float80{0xFFFFFFFFFFFFFFFFull, 0x7FFF - 24576});  // exponent wrapped
    CHECK(w.flags == sw::OE);
}

TEST_CASE("Conversions to integers and back", "[fpu]") {
    Env e{control(3, Rounding::Nearest)};
    CHECK(to_int(e, Float80{0xA000000000000000ull, 16384}, 16) == 2);  // 2.5 -> 2 (ties to even)
    CHECK(e.flags == sw::PE);
    Env o{control(3, Rounding::Nearest)};
    CHECK(to_int(o, Float80{0x8000000000000000ull, 16383 + 15}, 16) == -32768);  // 32768 does not fit
    CHECK(o.flags == sw::IE);
    CHECK(from_int(-5) == Float80{0xA000000000000000ull, 0x8000 | 16385});
    Env f{control(3, Rounding::Nearest)};
    CHECK(to_f64(f, kThree) == 0x4008000000000000ull);
    CHECK(to_f32(f, kThree) == 0x40400000u);
    CHECK(from_f64(f, 0x3FF0000000000000ull) == kOne);
    u8 bcd[10];
    to_bcd(f, from_int(-1234), bcd);
    CHECK((bcd[0] == 0x34 && bcd[1] == 0x12 && bcd[2] == 0 && bcd[9] == 0x80));
    CHECK(from_bcd(bcd) == from_int(-1234));
}

}  // namespace hm::fpu

#include "cpu/fpu/transcendental.hpp"

namespace hm::fpu {

// Correctly rounded (to nearest) values computed with mpmath at 300 bits; the
// large arguments check the argument reduction, where a real x87 (whose pi
// has 66 bits) is off by many ulps.
TEST_CASE("Transcendentals are correctly rounded at known points", "[fpu][transcendental]") {
    const u16 rn = 0x037F;
    struct Case {
        const char* what;
        Float80 x, want;
    };
    const Case cases[] = {
        {"sin 1", {0x8000000000000000ull, 0x3FFF}, {0xD76AA47848677021ull, 0x3FFE}},
        {"cos 1", {0x8000000000000000ull, 0x3FFF}, {0x8A51407DA8345C92ull, 0x3FFE}},
        {"tan 0.5", {0x8000000000000000ull, 0x3FFE}, {0x8BDA7ADF9A3A5219ull, 0x3FFE}},
        {"sin 2^17", {0x8000000000000000ull, 0x4010}, {0xFFC5EBD886B57E18ull, 0xBFFE}},
        {"cos log2(10)*2^62", {0xD49A784BCD1B8AFEull, 0x403D}, {0xD5DF3F73B5C545B4ull, 0x3FFE}},
        {"sin -(2^63-1/2)", {0xFFFFFFFFFFFFFFFFull, 0xC03D}, {0xDF327E112ABEEF8Full, 0xBFFE}},
        {"2^0.5-1", {0x8000000000000000ull, 0x3FFE}, {0xD413CCCFE7799211ull, 0x3FFD}},
        {"2^-1-1", {0x8000000000000000ull, 0xBFFF}, {0x8000000000000000ull, 0xBFFE}},
    };
    for (const Case& c : cases) {
        Env e{rn};
        Float80 got;
        const std::string w = c.what;
        if (w.rfind("sin", 0) == 0) got = fsin(e, c.x).first;
        else if (w.rfind("cos", 0) == 0) got = fcos(e, c.x).first;
        else if (w.rfind("tan", 0) == 0) got = fptan(e, c.x).first;
        else got = f2xm1(e, c.x);
        INFO(c.what);
        CHECK(got == c.want);
    }
    // Two-operand functions: f(y, x).
    const Float80 one{0x8000000000000000ull, 0x3FFF}, two{0x8000000000000000ull, 0x4000};
    Env a{rn};
    CHECK(fpatan(a, one, two) == Float80{0xED63382B0DDA7B45ull, 0x3FFD});  // atan2(1, 2)
    CHECK(fpatan(a, one, Float80{0xC000000000000000ull, 0xC000}) == Float80{0xB4784AFEFAC9E110ull, 0x4000});  // atan2(1, -3)
    CHECK(fyl2x(a, Float80{0xC000000000000000ull, 0x4000}, Float80{0xA000000000000000ull, 0x4002}) ==
          Float80{0x9F73DA38D9D4A83Full, 0x4002});  // 3 log2(10)
    CHECK(fyl2xp1(a, one, Float80{0x8000000000000000ull, 0x3FFD}) == Float80{0xA4D3C25E68DC57F2ull, 0x3FFD});  // log2(1.25)
    Env z{rn};
    CHECK(fyl2x(z, one, Float80{0, 0}) == Float80{0x8000000000000000ull, 0xFFFF});  // log2(0) = -inf
    CHECK(z.flags == sw::ZE);

    Env e{rn};
    const TrigResult big = fsin(e, Float80{0x8000000000000000ull, 0x403E});  // 2^63: out of range
    CHECK_FALSE(big.in_range);
    CHECK(e.flags == 0);
    Env inf{rn};
    CHECK(fcos(inf, Float80{0x8000000000000000ull, 0x7FFF}).first == kIndefinite);
    CHECK(inf.flags == sw::IE);
}

}  // namespace hm::fpu
