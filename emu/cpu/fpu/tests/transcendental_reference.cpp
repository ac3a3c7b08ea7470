// A frozen copy of transcendental.cpp as it stood before the speed work of
// performance round 3 (docs/performance.md): every Wide operation done the
// slow, obvious way (bit-by-bit division, a 128-step bit loop in the argument
// reduction, every series term computed to the end). transcendental_equivalence_test.cpp
// compares the optimized functions with these bit for bit (value, exception
// flags, C1) over millions of operands. Test-only code: do not "fix" it, it is
// the definition the fast version must keep.
#include "transcendental_reference.hpp"

#include <bit>
#include <utility>

namespace hm::fpu::reference {


using u128 = unsigned __int128;

namespace {

constexpr u64 kIntBit = 1ull << 63;
constexpr Float80 kOne80{kIntBit, static_cast<u16>(kExtBias)};
constexpr Float80 kMinusOne80{kIntBit, static_cast<u16>(0x8000 | kExtBias)};

// value = m * 2^(e - 127), m normalized (bit 127 set) or 0.
struct Wide {
    bool neg = false;
    i32 e = 0;
    u128 m = 0;
};

constexpr u128 make128(u64 hi, u64 lo) { return (u128{hi} << 64) | lo; }
const Wide kHalfPi{false, 0, make128(0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull)};
const Wide kLn2{false, -1, make128(0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull)};
const Wide kOne{false, 0, u128{1} << 127};
// atan(k/16), k = 0..16 (mpmath, 400 bits, truncated).
const Wide kAtanTable[17] = {
{false, 0, 0},
{false, -5, make128(0xFFAADDB967EF4E36ULL, 0xCB2792DC0E2E0D51ULL)},
{false, -4, make128(0xFEADD4D5617B6E32ULL, 0xC897989F3E888EF7ULL)},
{false, -3, make128(0xBDCBDA5E72D81134ULL, 0x7B0B4F881C9C7487ULL)},
{false, -3, make128(0xFADBAFC96406EB15ULL, 0x6DC79EF5F7A217E5ULL)},
{false, -2, make128(0x9B13B9B83F5E5E69ULL, 0xC5ABB498D27AF328ULL)},
{false, -2, make128(0xB7B0CA0F26F78473ULL, 0x8AA32122DCFE4483ULL)},
{false, -2, make128(0xD327761E611FE5B6ULL, 0x427C95E9001E7136ULL)},
{false, -2, make128(0xED63382B0DDA7B45ULL, 0x6FE445ECBC3A8D03ULL)},
{false, -1, make128(0x832BF4A6D9867E2AULL, 0x4B6A09CB61A515C0ULL)},
{false, -1, make128(0x8F005D5EF7F59F9BULL, 0x5C835E1665C43747ULL)},
{false, -1, make128(0x9A2F80E671BDDA20ULL, 0x4226F8E2204FF3BCULL)},
{false, -1, make128(0xA4BC7D1934F70924ULL, 0x19A87F2A457DAC9EULL)},
{false, -1, make128(0xAEAC4C38B4D8C080ULL, 0x14725E2F3E52070AULL)},
{false, -1, make128(0xB8053E2BC2319E73ULL, 0xCB2DA55210A4443DULL)},
{false, -1, make128(0xC0CE85B8AC526640ULL, 0x89DD62C46E92FA24ULL)},
{false, -1, make128(0xC90FDAA22168C234ULL, 0xC4C6628B80DC1CD1ULL)}};
// 2/pi * 2^256, as four 64-bit limbs, most significant first.
constexpr u64 kTwoOverPi[4] = {0xA2F9836E4E441529ull, 0xFC2757D1F534DDC0ull, 0xDB6295993C439041ull,
                               0xFE5163ABDEBBC561ull};

int clz128(u128 m) {
    const u64 hi = static_cast<u64>(m >> 64);
    return hi != 0 ? std::countl_zero(hi) : 64 + std::countl_zero(static_cast<u64>(m));
}

Wide normalize(bool neg, i32 e, u128 m) {
    if (m == 0) return {};
    const int c = clz128(m);
    return {neg, e - c, m << c};
}

// Finite non-zero, denormals and pseudo-denormals included (exponent field 0 means 2^-16382).
Wide from80(Float80 a) {
    const i32 e = a.exp() == 0 ? 1 - kExtBias : a.exp() - kExtBias;
    return normalize(a.sign(), e, u128{a.sig} << 64);
}

u128 mulhi(u128 a, u128 b) {
    const u64 a1 = static_cast<u64>(a >> 64), a0 = static_cast<u64>(a);
    const u64 b1 = static_cast<u64>(b >> 64), b0 = static_cast<u64>(b);
    const u128 hh = u128{a1} * b1, hl = u128{a1} * b0, lh = u128{a0} * b1, ll = u128{a0} * b0;
    const u128 mid = static_cast<u64>(hl) + u128{static_cast<u64>(lh)} + (ll >> 64);
    // The discarded low half leaves a sticky bit, so an inexact product stays inexact.
    const bool lost = static_cast<u64>(mid) != 0 || static_cast<u64>(ll) != 0;
    return (hh + (hl >> 64) + (lh >> 64) + (mid >> 64)) | (lost ? 1 : 0);
}

Wide mul(const Wide& a, const Wide& b) {
    if (a.m == 0 || b.m == 0) return {};
    u128 m = mulhi(a.m, b.m);
    i32 e = a.e + b.e + 1;
    if (!(m >> 127)) {
        m <<= 1;
        --e;
    }
    return {a.neg != b.neg, e, m};
}

Wide add(Wide a, Wide b) {
    if (a.m == 0) return b;
    if (b.m == 0) return a;
    if (a.e < b.e || (a.e == b.e && a.m < b.m)) std::swap(a, b);
    const i32 d = a.e - b.e;
    // Shifted-out bits leave a sticky 1, so a negligible term still makes the sum inexact.
    const u128 bm = d >= 128 ? 1 : ((b.m >> d) | ((d > 0 && (b.m << (128 - d)) != 0) ? 1 : 0));
    if (a.neg == b.neg) {
        const u128 s = (a.m >> 1) + (bm >> 1) + ((a.m & bm & 1));
        return normalize(a.neg, a.e + 1, s);
    }
    return normalize(a.neg, a.e, a.m - bm);
}

Wide neg(Wide a) {
    a.neg = !a.neg;
    return a;
}

Wide div_small(const Wide& a, u64 d) {
    if (a.m == 0) return {};
    return normalize(a.neg, a.e, (a.m / d) | ((a.m % d) != 0 ? 1 : 0));
}

Wide div(const Wide& a, const Wide& b) {
    if (a.m == 0) return {};
    u128 r = a.m, q = 0;
    i32 e = a.e - b.e;
    int steps = 128;
    if (r >= b.m) {
        r -= b.m;
        q = 1;
        steps = 127;
    } else {
        e -= 1;
    }
    for (int k = 0; k < steps; ++k) {
        const bool carry = (r >> 127) != 0;
        r <<= 1;
        q <<= 1;
        if (carry || r >= b.m) {
            r -= b.m;
            q |= 1;
        }
    }
    return normalize(a.neg != b.neg, e, q | (r != 0 ? 1 : 0));  // sticky remainder
}

// sin and cos of |r| <= pi/4 by their Taylor series.
Wide sin_series(const Wide& r) {
    const Wide r2 = mul(r, r);
    Wide term = r, sum = r;
    for (u64 n = 1; n < 30 && term.m != 0; ++n) {
        term = neg(div_small(mul(term, r2), (2 * n) * (2 * n + 1)));
        sum = add(sum, term);
    }
    return sum;
}

Wide cos_series(const Wide& r) {
    const Wide r2 = mul(r, r);
    Wide term = kOne, sum = kOne;
    for (u64 n = 1; n < 30 && term.m != 0; ++n) {
        term = neg(div_small(mul(term, r2), (2 * n - 1) * (2 * n)));
        sum = add(sum, term);
    }
    return sum;
}

// |x| = k * pi/2 + r with |r| <= pi/4 (|x| < 2^63); returns r and k mod 4.
Wide reduce(Float80 x, unsigned& quadrant) {
    Wide w = from80(x);
    w.neg = false;
    quadrant = 0;
    Wide quarter = kHalfPi;
    quarter.e -= 1;
    if (w.e < quarter.e || (w.e == quarter.e && w.m <= quarter.m)) return w;
    // t = |x| * 2/pi = sig * (2/pi * 2^256) * 2^(ex - 63 - 256): 320 bits in five limbs, least significant first.
    const i32 ex = x.exp() == 0 ? 1 - kExtBias : x.exp() - kExtBias;
    u64 limb[5] = {};
    for (int k = 0; k < 4; ++k) {
        const u128 p = u128{x.sig} * kTwoOverPi[3 - k];
        u128 acc = u128{limb[k]} + static_cast<u64>(p);
        limb[k] = static_cast<u64>(acc);
        u128 carry = (acc >> 64) + (p >> 64);
        for (int j = k + 1; j < 5 && carry != 0; ++j) {
            acc = u128{limb[j]} + carry;
            limb[j] = static_cast<u64>(acc);
            carry = acc >> 64;
        }
    }
    const int point = 319 - ex;  // bit `point` has weight 1
    auto bit_at = [&](int b) -> u64 { return (b < 0 || b >= 320) ? 0 : (limb[b / 64] >> (b % 64)) & 1; };
    u128 frac = 0;  // the fraction as a 0.128 fixed-point number
    for (int k = 1; k <= 128; ++k) frac = (frac << 1) | bit_at(point - k);
    const unsigned k = static_cast<unsigned>(bit_at(point) | (bit_at(point + 1) << 1));
    bool negative = false;
    quadrant = k;
    if (frac >> 127) {  // >= 1/2: round k up; the remainder is -(1 - frac)
        quadrant = (k + 1) & 3;
        frac = (~frac) + 1;
        negative = true;
    }
    Wide f = normalize(negative, -1, frac);  // frac * 2^-128
    return mul(f, kHalfPi);
}

// sin(|x|) and cos(|x|) by quadrant.
void sin_cos_abs(Float80 x, Wide& s, Wide& c) {
    unsigned q;
    const Wide r = reduce(x, q);
    const Wide sr = sin_series(r), cr = cos_series(r);
    switch (q) {
        case 0: s = sr; c = cr; break;
        case 1: s = cr; c = neg(sr); break;
        case 2: s = neg(sr); c = neg(cr); break;
        default: s = neg(cr); c = sr; break;
    }
}

// 2^x - 1 = expm1(x ln 2) by its series (|x| <= 1 converges in 40 terms).
Wide exp2m1(const Wide& x) {
    const Wide t = mul(x, kLn2);
    Wide term = t, sum = t;
    for (u64 n = 2; n < 60 && term.m != 0; ++n) {
        term = div_small(mul(term, t), n);
        sum = add(sum, term);
    }
    return sum;
}

// NaN/unsupported handling shared by the one-operand functions; true when `out` is the answer.
bool special_one(Env& env, Float80 x, Class c, Float80& out) {
    if (c == Class::Unsupported) {
        env.flags |= sw::IE;
        out = kIndefinite;
        return true;
    }
    if (is_nan(c)) {
        if (c == Class::SNaN) env.flags |= sw::IE;
        out = x;
        out.sig |= 1ull << 62;
        return true;
    }
    return false;
}

bool greater(const Wide& a, const Wide& b) { return a.e > b.e || (a.e == b.e && a.m > b.m); }

Wide pi() {
    Wide p = kHalfPi;
    p.e += 1;
    return p;
}

// 2 atanh(z) = ln((1 + z) / (1 - z)) by its series, for the logarithms.
Wide two_atanh(const Wide& z) {
    const Wide z2 = mul(z, z);
    Wide power = z, sum = z;
    for (u64 n = 1; n < 60 && power.m != 0; ++n) {
        power = mul(power, z2);
        sum = add(sum, div_small(power, 2 * n + 1));
    }
    sum.e += 1;
    return sum;
}

// atan(z) for z >= 0: z > 1 through pi/2 - atan(1/z); then atan(k/16) + atan((z - k/16) / (1 + z k/16)).
Wide atan_wide(Wide z) {
    const bool inverted = greater(z, kOne);
    if (inverted) z = div(kOne, z);
    unsigned k = 0;
    const i32 shift = 127 - (z.e + 5);  // 2 * 16 * z as an integer
    if (shift <= 127) k = static_cast<unsigned>(((shift < 0 ? 0 : (z.m >> shift)) + 1) / 2);
    if (k > 16) k = 16;
    const Wide c = normalize(false, 123, k);  // k / 16
    const Wide t = div(add(z, neg(c)), add(kOne, mul(z, c)));
    const Wide t2 = mul(t, t);
    Wide power = t, sum = t;
    for (u64 n = 1; n < 40 && power.m != 0; ++n) {
        power = neg(mul(power, t2));
        sum = add(sum, div_small(power, 2 * n + 1));
    }
    Wide a = add(kAtanTable[k], sum);
    if (inverted) a = add(kHalfPi, neg(a));
    return a;
}

// log2(x) for finite x > 0 (`exact` when x is a power of two).
Wide log2_wide(Float80 x, bool& exact) {
    Wide w = from80(x);
    i32 k = w.e;
    w.e = 0;  // w in [1, 2)
    // sqrt(2) = 1.6A09E667F3BCC908...: above it use w/2 and k + 1, so ln w lies in [-0.35, 0.35].
    const Wide kSqrt2{false, 0, make128(0xB504F333F9DE6484ull, 0x597D89B3754ABE9Full)};
    if (greater(w, kSqrt2)) {
        w.e = -1;
        ++k;
    }
    exact = w.m == kOne.m && w.e == 0;
    const Wide kw = k == 0 ? Wide{} : normalize(k < 0, 127, static_cast<u128>(k < 0 ? -static_cast<i64>(k) : k));
    if (exact) return kw;
    const Wide ln = two_atanh(div(add(w, neg(kOne)), add(w, kOne)));
    return add(kw, div(ln, kLn2));
}

Float80 nan_of_two(Env& env, Float80 a, Class ca, Float80 b, Class cb) {
    // The x87 rules (softfloat.cpp's propagate): SNaN raises IE, a QNaN beats an SNaN, else the larger significand.
    if (ca == Class::SNaN || cb == Class::SNaN) env.flags |= sw::IE;
    Float80 r;
    if (!is_nan(cb)) r = a;
    else if (!is_nan(ca)) r = b;
    else if (ca != cb) r = ca == Class::QNaN ? a : b;
    else if (a.sig != b.sig) r = a.sig > b.sig ? a : b;
    else r = a.se < b.se ? a : b;
    r.sig |= 1ull << 62;
    return r;
}

bool out_of_range(Float80 x) { return x.exp() >= kExtBias + 63; }

bool stop_on_denormal(Env& env, Class c) {
    if (c != Class::Denormal) return false;
    env.flags |= sw::DE;
    return !(env.cw & cw::DM);
}

// Unsupported encodings and NaNs for FPATAN, FYL2X and FYL2XP1; true when
// `out` is the answer.
bool special_two(Env& env, Float80 y, Class cy, Float80 x, Class cx, Float80& out) {
    if (cy == Class::Unsupported || cx == Class::Unsupported) {
        env.flags |= sw::IE;
        out = kIndefinite;
        return true;
    }
    if (is_nan(cy) || is_nan(cx)) {
        out = nan_of_two(env, y, cy, x, cx);
        return true;
    }
    return false;
}

// A denormal operand of a two-operand function: DE, and with DE unmasked the
// operation stops (the caller answers y, which stays in place).
bool stop_on_denormal(Env& env, Class cy, Class cx) {
    if (cy != Class::Denormal && cx != Class::Denormal) return false;
    env.flags |= sw::DE;
    return !(env.cw & cw::DM);
}

Float80 invalid(Env& env) {
    env.flags |= sw::IE;
    return kIndefinite;
}

// The functions here never have an exactly representable result for the
// operands that reach the series (sin, cos, tan of a non-zero number and 2^x
// for a non-integer x are irrational), so the last bit is made sticky: a
// result whose computed low bits happen to be zero still rounds as inexact.
Float80 to80(Env& env, Wide w, bool negate = false) {
    if (w.m == 0) return Float80{0, 0};
    return round_wide(env, w.neg != negate, w.e, w.m | 1);
}

// What the four trigonometric instructions do before the series: NaNs and
// unsupported encodings (`pair`: FSINCOS gives both results), infinity
// (invalid), zero (`at_zero` is the first result; FSINCOS's cosine is 1),
// |x| >= 2^63 (out of range: C2, nothing changes) and an unmasked denormal.
// True when r is the answer.
bool trig_special(Env& env, Float80 x, Float80 at_zero, bool pair, TrigResult& r) {
    const Class c = classify(x);
    if (special_one(env, x, c, r.first)) {
        if (pair) r.second = r.first;
        return true;
    }
    if (c == Class::Infinity) {
        r.first = invalid(env);
        if (pair) r.second = kIndefinite;
        return true;
    }
    if (c == Class::Zero) {
        r.first = at_zero;
        if (pair) r.second = kOne80;
        return true;
    }
    if (out_of_range(x)) {
        r.in_range = false;
        return true;
    }
    return stop_on_denormal(env, c);
}

}  // namespace

TrigResult fsin(Env& env, Float80 x) {
    TrigResult r;
    if (trig_special(env, x, x, false, r)) return r;
    Wide s, co;
    sin_cos_abs(x, s, co);
    r.first = to80(env, s, x.sign());
    return r;
}

TrigResult fcos(Env& env, Float80 x) {
    TrigResult r;
    if (trig_special(env, x, kOne80, false, r)) return r;
    Wide s, co;
    sin_cos_abs(x, s, co);
    r.first = to80(env, co);
    return r;
}

TrigResult fsincos(Env& env, Float80 x) {
    TrigResult r;
    if (trig_special(env, x, x, true, r)) return r;
    Wide s, co;
    sin_cos_abs(x, s, co);
    r.first = to80(env, s, x.sign());
    const bool c1_sin = env.c1;
    r.second = to80(env, co);
    env.c1 = env.c1 || c1_sin;
    return r;
}

TrigResult fptan(Env& env, Float80 x) {
    TrigResult r;
    r.second = kOne80;  // pushed after the tangent whatever happens
    if (trig_special(env, x, x, false, r)) return r;
    Wide s, co;
    sin_cos_abs(x, s, co);
    r.first = to80(env, div(s, co), x.sign());
    return r;
}

Float80 f2xm1(Env& env, Float80 x) {
    const Class c = classify(x);
    Float80 out;
    if (special_one(env, x, c, out)) return out;
    if (c == Class::Zero) return x;
    if (c == Class::Infinity) return x.sign() ? kMinusOne80 : x;
    if (stop_on_denormal(env, c)) return x;
    if (x.exp() == kExtBias && x.sig == kIntBit)  // 2^1 - 1 = 1 and 2^-1 - 1 = -1/2 are exact
        return x.sign() ? Float80{kIntBit, static_cast<u16>(0x8000 | (kExtBias - 1))} : x;
    return to80(env, exp2m1(from80(x)));
}

Float80 fpatan(Env& env, Float80 y, Float80 x) {
    const Class cy = classify(y), cx = classify(x);
    Float80 out;
    if (special_two(env, y, cy, x, cx, out)) return out;
    if (stop_on_denormal(env, cy, cx)) return y;
    const bool sy = y.sign();
    Wide a;
    if (cy == Class::Zero) {
        if (!x.sign()) return y;  // +-0 (x = +0, positive, +inf)
        a = pi();
    } else if (cx == Class::Zero) {
        a = kHalfPi;
    } else if (cy == Class::Infinity) {
        a = kHalfPi;
        if (cx == Class::Infinity) {
            a.e -= 1;  // pi/4
            if (x.sign()) a = mul(a, Wide{false, 1, make128(0xC000000000000000ull, 0)});  // 3 pi/4
        }
    } else if (cx == Class::Infinity) {
        if (!x.sign()) return Float80{0, static_cast<u16>(sy ? 0x8000 : 0)};
        a = pi();
    } else {
        Wide wy = from80(y), wx = from80(x);
        wy.neg = wx.neg = false;
        a = atan_wide(div(wy, wx));
        if (x.sign()) a = add(pi(), neg(a));
    }
    a.neg = sy;
    return to80(env, a);
}

Float80 fyl2x(Env& env, Float80 y, Float80 x) {
    const Class cy = classify(y), cx = classify(x);
    Float80 out;
    if (special_two(env, y, cy, x, cx, out)) return out;
    if (x.sign() && cx != Class::Zero) return invalid(env);
    const Float80 inf{kIntBit, 0x7FFF};
    const auto signed_inf = [&](bool negative) { return Float80{inf.sig, static_cast<u16>(inf.se | (negative ? 0x8000 : 0))}; };
    if (cx == Class::Zero) {  // zero-divide outranks a denormal y
        if (cy == Class::Zero) return invalid(env);
        if (cy != Class::Infinity) env.flags |= sw::ZE;
        return signed_inf(!y.sign());
    }
    if (stop_on_denormal(env, cy, cx)) return y;
    if (cx == Class::Infinity) {
        if (cy == Class::Zero) return invalid(env);
        return signed_inf(y.sign());
    }
    bool exact;
    const Wide l = log2_wide(x, exact);
    if (cy == Class::Infinity) {
        if (l.m == 0) return invalid(env);
        return signed_inf(y.sign() != l.neg);
    }
    if (cy == Class::Zero || l.m == 0) return Float80{0, static_cast<u16>((y.sign() != l.neg) ? 0x8000 : 0)};
    const Wide r = mul(from80(y), l);
    if (!exact) return to80(env, r);
    // An exact product (x a power of two) is rounded as it is, but the host x87
    // still reports PE (and UE for a tiny result), which is followed here.
    const Float80 v = round_wide(env, r.neg, r.e, r.m);
    env.flags |= sw::PE;
    if (v.exp() == 0) env.flags |= sw::UE;
    return v;
}

Float80 fyl2xp1(Env& env, Float80 y, Float80 x) {
    const Class cy = classify(y), cx = classify(x);
    Float80 out;
    if (special_two(env, y, cy, x, cx, out)) return out;
    // Outside the domain (|x| < 1 - sqrt(2)/2) as the host x87 answers: -inf is
    // invalid (ahead of DE), log2(+inf) = +inf.
    if (cx == Class::Infinity && x.sign()) return invalid(env);
    if (stop_on_denormal(env, cy, cx)) return y;
    if (cx == Class::Zero) {
        if (cy == Class::Infinity) return invalid(env);
        return Float80{0, static_cast<u16>((y.sign() != x.sign()) ? 0x8000 : 0)};
    }
    if (cx == Class::Infinity) {
        if (cy == Class::Zero) return invalid(env);
        return Float80{kIntBit, static_cast<u16>(0x7FFF | (y.sign() ? 0x8000 : 0))};
    }
    if (cy == Class::Infinity) return Float80{kIntBit, static_cast<u16>(0x7FFF | ((y.sign() != x.sign()) ? 0x8000 : 0))};
    if (cy == Class::Zero) return Float80{0, static_cast<u16>((y.sign() != x.sign()) ? 0x8000 : 0)};
    // ln(1 + x) = 2 atanh(x / (2 + x)).
    const Wide wx = from80(x);
    const Wide two{false, 1, kOne.m};
    const Wide ln = two_atanh(div(wx, add(two, wx)));
    return to80(env, mul(from80(y), div(ln, kLn2)));
}

}  // namespace hm::fpu::reference
