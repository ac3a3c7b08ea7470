// Integer-only extended-precision arithmetic (see softfloat.hpp). Finite
// non-zero operands are unpacked to a normalized 64-bit significand and an
// unbiased exponent; exact intermediate results are held in 128 bits (with a
// sticky bit below) and rounded once by round_pack.
#include "cpu/fpu/softfloat.hpp"

#include "cpu/fpu/transcendental.hpp"

#include <bit>
#include <utility>

namespace hm::fpu {

using u128 = unsigned __int128;

namespace {

constexpr u64 kIntBit = 1ull << 63;
constexpr u64 kQuietBit = 1ull << 62;
// The x87 wraps the exponent of a result by this much on an unmasked overflow
// (down) or underflow (up) so that the handler sees the significand (SDM vol. 1 4.9.1.4).
constexpr i32 kWrap = 24576;

// A finite non-zero value: sig (bit 63 set) * 2^(exp - 63).
struct Unpacked {
    bool sign;
    i32 exp;
    u64 sig;
};

Rounding rounding_of(u16 control) { return static_cast<Rounding>((control & cw::kRcMask) >> cw::kRcShift); }

int precision_of(u16 control) {
    switch ((control & cw::kPcMask) >> cw::kPcShift) {
        case 0: return 24;
        case 2: return 53;
        default: return 64;  // 1 is reserved; P6 treats it as 64 bits
    }
}

Float80 make(bool sign, u16 exp, u64 sig) { return {sig, static_cast<u16>((sign ? 0x8000 : 0) | exp)}; }
Float80 zero(bool sign) { return make(sign, 0, 0); }
Float80 infinity(bool sign) { return make(sign, kExtExpMax, kIntBit); }

HM_ALWAYS_INLINE Unpacked unpack(Float80 a) {
    if (a.exp() != 0) return {a.sign(), a.exp() - kExtBias, a.sig};
    // Denormal or pseudo-denormal: the exponent field 0 means 2^-16382, like 1.
    const int shift = std::countl_zero(a.sig);
    return {a.sign(), 1 - kExtBias - shift, a.sig << shift};
}

HM_ALWAYS_INLINE u128 shift_right_jam(u128 m, int n) {
    if (n <= 0) return m;
    if (n >= 128) return m != 0 ? 1 : 0;
    const u128 lost = m & ((u128{1} << n) - 1);
    return (m >> n) | (lost != 0 ? 1 : 0);
}

int clz128(u128 m) {
    const u64 hi = static_cast<u64>(m >> 64);
    return hi != 0 ? std::countl_zero(hi) : 64 + std::countl_zero(static_cast<u64>(m));
}

// A target format for rounding: precision in bits, exponent range of normal
// numbers (unbiased), and its bias.
struct Format {
    int precision;
    i32 emin;
    i32 emax;
    i32 bias;
    bool wrap;  // a register destination: unmasked O/U wrap the exponent
};

// The rounded result in the target format: the biased exponent field and the
// significand with `precision` bits, integer bit explicit (0 for a denormal).
struct Packed {
    bool sign;
    i32 exp;
    u64 sig;
};

// Splits m at bit `shift` into the kept integer q and whether the rounding
// control increments it; `inexact` says bits were discarded.
HM_ALWAYS_INLINE bool round_up(Rounding rc, bool sign, u128 m, int shift, u64& q, bool& inexact) {
    const u128 rem = m & ((u128{1} << shift) - 1);
    const u128 half = u128{1} << (shift - 1);
    q = static_cast<u64>(m >> shift);
    inexact = rem != 0;
    switch (rc) {
        case Rounding::Nearest: return rem > half || (rem == half && (q & 1));
        case Rounding::Down: return inexact && sign;
        case Rounding::Up: return inexact && !sign;
        case Rounding::Zero: return false;
    }
    return false;
}

// Rounds sign * m * 2^(e - 127) (m with bit 127 set) to `f`. Tininess is
// detected after rounding (a value just below the smallest normal that rounds
// up to it is not tiny), which is what the x87 does. An unmasked overflow or
// underflow of a memory store reports only OE/UE: nothing is stored.
HM_ALWAYS_INLINE Packed round_pack(Env& env, const Format& f, bool sign, i32 e, u128 m) {
    const Rounding rc = rounding_of(env.cw);
    const int shift = 128 - f.precision;
    const u64 top = 1ull << (f.precision - 1);
    const u64 all_ones = f.precision == 64 ? ~0ull : (1ull << f.precision) - 1;
    bool tiny = false;
    if (e < f.emin) {
        tiny = true;
        if (e == f.emin - 1) {
            u64 q;
            bool inexact;
            tiny = !(round_up(rc, sign, m, shift, q, inexact) && q == all_ones);
        }
    }
    bool denormal = false;
    if (e < f.emin) {
        if (!(env.cw & cw::UM) && tiny) {
            env.flags |= sw::UE;  // unmasked: reported whether or not exact
            if (!f.wrap) return {sign, 0, 0};
            if (e + kWrap < f.emin) {  // beyond what the wrap can hold (FSCALE): a signed zero
                env.flags |= sw::PE;
                env.c1 = false;
                return {sign, 0, 0};
            }
            e += kWrap;
        } else {
            denormal = true;
            m = shift_right_jam(m, f.emin - e);
            e = f.emin;
        }
    }
    u64 q;
    bool inexact;
    const bool up = round_up(rc, sign, m, shift, q, inexact);
    if (up) {
        if (q == all_ones) {
            q = top;
            ++e;
        } else {
            ++q;
        }
    }
    if (!denormal && e > f.emax && !(env.cw & cw::OM)) {
        env.flags |= sw::OE;
        if (!f.wrap) return {sign, 0, 0};
        if (e - kWrap > f.emax) {  // beyond what the wrap can hold (FSCALE): infinity, whatever the rounding
            env.flags |= sw::PE;
            env.c1 = true;
            return {sign, f.emax + f.bias + 1, top};
        }
        e -= kWrap;
    }
    if (inexact) {
        env.flags |= sw::PE;
        if (tiny) env.flags |= sw::UE;
    }
    env.c1 = up;
    if (denormal) return {sign, (q & top) ? f.emin + f.bias : 0, q};
    if (e > f.emax) {
        env.flags |= sw::OE | sw::PE;
        const bool to_inf = rc == Rounding::Nearest || (rc == Rounding::Up && !sign) || (rc == Rounding::Down && sign);
        env.c1 = to_inf;
        if (to_inf) return {sign, f.emax + f.bias + 1, top};
        return {sign, f.emax + f.bias, all_ones};
    }
    return {sign, e + f.bias, q};
}

Format extended_format(u16 control) { return {precision_of(control), 1 - kExtBias, kExtBias, kExtBias, true}; }

// `full`: 64 bits whatever the precision control (FSCALE, FPREM, FXTRACT).
Float80 round_ext(Env& env, bool sign, i32 e, u128 m, bool full = false) {
    Format f = extended_format(env.cw);
    if (full) f.precision = 64;
    const Packed p = round_pack(env, f, sign, e, m);
    return make(p.sign, static_cast<u16>(p.exp), p.sig << (64 - f.precision));
}

Float80 invalid(Env& env) {
    env.flags |= sw::IE;
    return kIndefinite;
}

Float80 quieted(Float80 a) {
    a.sig |= kQuietBit;
    return a;
}

// At least one of a, b is a NaN and neither is unsupported (SDM vol. 1 table 4-7):
// a signalling NaN raises IE; a QNaN beats an SNaN; otherwise the larger significand wins.
Float80 propagate(Env& env, Float80 a, Class ca, Float80 b, Class cb) {
    if (ca == Class::SNaN || cb == Class::SNaN) env.flags |= sw::IE;
    if (!is_nan(cb)) return quieted(a);
    if (!is_nan(ca)) return quieted(b);
    if (ca != cb) return quieted(ca == Class::QNaN ? a : b);
    if (a.sig != b.sig) return quieted(a.sig > b.sig ? a : b);
    return quieted(a.se < b.se ? a : b);
}

// Raises DE for a denormal operand; true when DE is unmasked, so the
// operation stops before computing anything.
bool note_denormals(Env& env, Class ca, Class cb) {
    if (ca != Class::Denormal && cb != Class::Denormal && !env.mem_denormal) return false;
    env.flags |= sw::DE;
    return !(env.cw & cw::DM);
}

// a + b, or a - b when `negate_b` (a NaN keeps its sign either way).
Float80 add_signed(Env& env, Float80 a, Float80 b, bool negate_b) {
    const Class ca = classify(a), cb = classify(b);
    if (ca == Class::Unsupported || cb == Class::Unsupported) return invalid(env);
    if (is_nan(ca) || is_nan(cb)) return propagate(env, a, ca, b, cb);
    if (negate_b) b.se ^= 0x8000;
    if (note_denormals(env, ca, cb)) return a;
    if (ca == Class::Infinity || cb == Class::Infinity) {
        if (ca == Class::Infinity && cb == Class::Infinity && a.sign() != b.sign()) return invalid(env);
        return ca == Class::Infinity ? a : b;
    }
    const bool down = rounding_of(env.cw) == Rounding::Down;
    if (ca == Class::Zero && cb == Class::Zero) return zero(a.sign() == b.sign() ? a.sign() : down);
    if (ca == Class::Zero || cb == Class::Zero) {
        // The other operand is still rounded to the precision control.
        const Unpacked x = unpack(ca == Class::Zero ? b : a);
        return round_ext(env, x.sign, x.exp, u128{x.sig} << 64);
    }
    Unpacked x = unpack(a), y = unpack(b);
    if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) std::swap(x, y);
    const u128 mx = u128{x.sig} << 63;
    const u128 my = shift_right_jam(u128{y.sig} << 63, x.exp - y.exp);
    const u128 m = x.sign == y.sign ? mx + my : mx - my;
    if (m == 0) return zero(down);
    const int c = clz128(m);
    return round_ext(env, x.sign, x.exp + 1 - c, m << c);
}

}  // namespace

Class classify(Float80 a) {
    const u16 e = a.exp();
    if (e == kExtExpMax) {
        if (!(a.sig & kIntBit)) return Class::Unsupported;  // pseudo-infinity / pseudo-NaN
        if ((a.sig << 1) == 0) return Class::Infinity;
        return (a.sig & kQuietBit) ? Class::QNaN : Class::SNaN;
    }
    if (e == 0) return a.sig == 0 ? Class::Zero : Class::Denormal;  // includes pseudo-denormals
    return (a.sig & kIntBit) ? Class::Normal : Class::Unsupported;  // unnormal
}

Float80 add(Env& env, Float80 a, Float80 b) { return add_signed(env, a, b, false); }
Float80 sub(Env& env, Float80 a, Float80 b) { return add_signed(env, a, b, true); }

Float80 mul(Env& env, Float80 a, Float80 b) {
    const Class ca = classify(a), cb = classify(b);
    if (ca == Class::Unsupported || cb == Class::Unsupported) return invalid(env);
    if (is_nan(ca) || is_nan(cb)) return propagate(env, a, ca, b, cb);
    const bool sign = a.sign() != b.sign();
    if ((ca == Class::Infinity && cb == Class::Zero) || (ca == Class::Zero && cb == Class::Infinity))
        return invalid(env);
    if (note_denormals(env, ca, cb)) return a;
    if (ca == Class::Infinity || cb == Class::Infinity) return infinity(sign);
    if (ca == Class::Zero || cb == Class::Zero) return zero(sign);
    const Unpacked x = unpack(a), y = unpack(b);
    u128 m = u128{x.sig} * y.sig;
    i32 e = x.exp + y.exp + 1;
    if (!(m >> 127)) {
        m <<= 1;
        --e;
    }
    return round_ext(env, sign, e, m);
}

Float80 div(Env& env, Float80 a, Float80 b) {
    const Class ca = classify(a), cb = classify(b);
    if (ca == Class::Unsupported || cb == Class::Unsupported) return invalid(env);
    if (is_nan(ca) || is_nan(cb)) return propagate(env, a, ca, b, cb);
    const bool sign = a.sign() != b.sign();
    if ((ca == Class::Infinity && cb == Class::Infinity) || (ca == Class::Zero && cb == Class::Zero))
        return invalid(env);
    if (cb == Class::Zero && ca != Class::Infinity) {  // zero-divide outranks a denormal dividend
        env.flags |= sw::ZE;
        return infinity(sign);
    }
    if (note_denormals(env, ca, cb)) return a;
    if (ca == Class::Infinity) return infinity(sign);
    if (cb == Class::Infinity || ca == Class::Zero) return zero(sign);
    const Unpacked x = unpack(a), y = unpack(b);
    // Two 128/64 steps give a 128-bit quotient; the final remainder is the sticky bit.
    const bool smaller = x.sig < y.sig;
    const u128 n1 = smaller ? u128{x.sig} << 64 : u128{x.sig} << 63;
    const u64 q1 = static_cast<u64>(n1 / y.sig);
    const u64 r1 = static_cast<u64>(n1 % y.sig);
    const u128 n2 = u128{r1} << 64;
    const u64 q2 = static_cast<u64>(n2 / y.sig);
    const u64 r2 = static_cast<u64>(n2 % y.sig);
    const u128 m = (u128{q1} << 64) | q2 | (r2 != 0 ? 1 : 0);
    return round_ext(env, sign, x.exp - y.exp - (smaller ? 1 : 0), m);
}

namespace {
// floor(sqrt(n)) and n - floor(sqrt(n))^2, bit by bit.
u64 isqrt128(u128 n, u128& rem) {
    u128 root = 0;
    u128 bit = u128{1} << 126;
    while (bit > n) bit >>= 2;
    while (bit != 0) {
        if (n >= root + bit) {
            n -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    rem = n;
    return static_cast<u64>(root);
}
}  // namespace

Float80 sqrt(Env& env, Float80 a) {
    const Class ca = classify(a);
    if (ca == Class::Unsupported) return invalid(env);
    if (is_nan(ca)) return propagate(env, a, ca, a, Class::Zero);
    if (ca == Class::Zero) return a;
    if (a.sign()) return invalid(env);
    if (note_denormals(env, ca, Class::Zero)) return a;
    if (ca == Class::Infinity) return a;
    const Unpacked x = unpack(a);
    const u128 radicand = (x.exp & 1) ? u128{x.sig} << 64 : u128{x.sig} << 63;
    u128 rem;
    const u64 r = isqrt128(radicand, rem);
    // The root is never exactly halfway between two integers, so "above r + 1/2"
    // is rem > r; any remainder makes the result inexact.
    const u128 m = (u128{r} << 64) | (rem > r ? kIntBit : 0) | (rem != 0 ? 1 : 0);
    return round_ext(env, false, x.exp >> 1, m);
}

namespace {
// Rounds |a| (finite, non-zero, not unsupported) to an integer magnitude with the
// rounding control; saturates at 2^64 - 1 (callers range-check well below that).
u64 round_magnitude(Env& env, const Unpacked& x, bool& inexact, bool& up) {
    const Rounding rc = rounding_of(env.cw);
    u64 q;
    bool above_half, exactly_half;
    if (x.exp >= 64) {
        inexact = up = false;
        return ~0ull;
    }
    if (x.exp >= 63) {
        inexact = up = false;
        return x.sig;
    }
    if (x.exp < 0) {
        q = 0;
        inexact = true;
        above_half = x.exp == -1 && x.sig > kIntBit;
        exactly_half = x.exp == -1 && x.sig == kIntBit;
    } else {
        const int shift = 63 - x.exp;
        q = x.sig >> shift;
        const u64 rem = x.sig & ((1ull << shift) - 1);
        const u64 half = 1ull << (shift - 1);
        inexact = rem != 0;
        above_half = rem > half;
        exactly_half = rem == half;
    }
    up = false;
    switch (rc) {
        case Rounding::Nearest: up = above_half || (exactly_half && (q & 1)); break;
        case Rounding::Down: up = inexact && x.sign; break;
        case Rounding::Up: up = inexact && !x.sign; break;
        case Rounding::Zero: break;
    }
    return q + (up ? 1 : 0);
}

Float80 from_magnitude(bool sign, u64 q) {
    if (q == 0) return zero(sign);
    const int c = std::countl_zero(q);
    return make(sign, static_cast<u16>(kExtBias + 63 - c), q << c);
}
}  // namespace

Float80 round_to_integral(Env& env, Float80 a) {
    const Class ca = classify(a);
    if (ca == Class::Unsupported) return invalid(env);
    if (is_nan(ca)) return propagate(env, a, ca, a, Class::Zero);
    if (ca == Class::Zero || ca == Class::Infinity) return a;
    if (note_denormals(env, ca, Class::Zero)) return a;
    const Unpacked x = unpack(a);
    if (x.exp >= 63) return a;
    bool inexact, up;
    const u64 q = round_magnitude(env, x, inexact, up);
    if (inexact) env.flags |= sw::PE;
    env.c1 = up;
    return from_magnitude(x.sign, q);
}

Extracted extract(Env& env, Float80 a) {
    const Class ca = classify(a);
    if (ca == Class::Unsupported) {
        invalid(env);
        return {kIndefinite, kIndefinite};
    }
    if (is_nan(ca)) {
        const Float80 q = propagate(env, a, ca, a, Class::Zero);
        return {q, q};
    }
    if (ca == Class::Zero) {
        env.flags |= sw::ZE;
        return {infinity(true), a};
    }
    if (ca == Class::Infinity) return {infinity(false), a};
    if (note_denormals(env, ca, Class::Zero)) return {a, a};
    const Unpacked x = unpack(a);
    return {from_int(x.exp), make(x.sign, kExtBias, x.sig)};
}

Float80 scale(Env& env, Float80 a, Float80 b) {
    const Class ca = classify(a), cb = classify(b);
    if (ca == Class::Unsupported || cb == Class::Unsupported) return invalid(env);
    if (is_nan(ca) || is_nan(cb)) return propagate(env, a, ca, b, cb);
    if (cb == Class::Infinity) {
        if (ca == Class::Zero && !b.sign()) return invalid(env);      // 0 * 2^+inf
        if (ca == Class::Infinity && b.sign()) return invalid(env);   // inf * 2^-inf
        if (note_denormals(env, ca, cb)) return a;
        if (ca == Class::Zero || ca == Class::Infinity) return a;
        return b.sign() ? zero(a.sign()) : infinity(a.sign());
    }
    if (note_denormals(env, ca, cb)) return a;
    if (ca == Class::Zero || ca == Class::Infinity) return a;
    // trunc(b), clamped far beyond any exponent range.
    i32 n = 0;
    if (cb != Class::Zero) {
        const Unpacked y = unpack(b);
        if (y.exp >= 0) {
            const i32 mag = y.exp >= 20 ? (1 << 20) : static_cast<i32>(y.sig >> (63 - y.exp));
            n = y.sign ? -mag : mag;
        }
    }
    const Unpacked x = unpack(a);
    return round_ext(env, x.sign, x.exp + n, u128{x.sig} << 64, true);
}

Remainder partial_remainder(Env& env, Float80 a, Float80 b, bool ieee) {
    const Class ca = classify(a), cb = classify(b);
    if (ca == Class::Unsupported || cb == Class::Unsupported) return {invalid(env), true, false};
    if (is_nan(ca) || is_nan(cb)) return {propagate(env, a, ca, b, cb), true, false};
    if (ca == Class::Infinity || cb == Class::Zero) return {invalid(env), true, false};
    if (note_denormals(env, ca, cb)) return {a, true, false};
    if (ca == Class::Zero) return {a};
    const Unpacked x = unpack(a);
    // x passes through (a denormal is reported as a tiny result, a pseudo-denormal normalized).
    if (cb == Class::Infinity) return {round_ext(env, x.sign, x.exp, u128{x.sig} << 64, true)};
    const Unpacked y = unpack(b);
    const i32 d = x.exp - y.exp;
    if (d < -1 || (d == -1 && !ieee)) return {round_ext(env, x.sign, x.exp, u128{x.sig} << 64, true)};
    Remainder r;
    u128 num, den = y.sig;
    i32 unit;  // the remainder is rem * 2^unit
    if (d >= 64) {
        const i32 n = 32 + d % 32;
        num = u128{x.sig} << n;
        unit = y.exp - 63 + (d - n);
        r.complete = false;
    } else if (d >= 0) {
        num = u128{x.sig} << d;
        unit = y.exp - 63;
    } else {  // d == -1, FPREM1 only
        num = x.sig;
        den = u128{y.sig} << 1;
        unit = x.exp - 63;
    }
    u128 q = num / den;
    u128 rem = num % den;
    bool sign = x.sign;
    if (ieee && r.complete && (2 * rem > den || (2 * rem == den && (q & 1)))) {
        ++q;
        rem = den - rem;
        sign = !sign;
    }
    if (r.complete) r.quotient_low = static_cast<u8>(q & 7);
    if (rem == 0) {
        r.value = zero(x.sign);
        return r;
    }
    const int c = clz128(rem);
    // rem * 2^unit = (rem << c) * 2^(unit - c); as a value m * 2^(e - 127): e = unit - c + 127.
    r.value = round_ext(env, sign, unit - c + 127, rem << c, true);
    return r;
}

Float80 round_wide(Env& env, bool sign, i32 e, u128 m) { return round_ext(env, sign, e, m, true); }

Float80 from_int(i64 v) {
    const bool sign = v < 0;
    return from_magnitude(sign, sign ? 0 - static_cast<u64>(v) : static_cast<u64>(v));
}

namespace {
// A binary interchange format (f32/f64) as fields.
struct Interchange {
    int frac_bits;
    int exp_bits;
    i32 bias() const { return (1 << (exp_bits - 1)) - 1; }
    u64 exp_max() const { return (1ull << exp_bits) - 1; }
};
constexpr Interchange kF32{23, 8}, kF64{52, 11};

Float80 from_interchange(Env& env, u64 bits, Interchange t) {
    const bool sign = (bits >> (t.frac_bits + t.exp_bits)) & 1;
    const u64 e = (bits >> t.frac_bits) & t.exp_max();
    const u64 frac = bits & ((1ull << t.frac_bits) - 1);
    const int align = 63 - t.frac_bits;
    if (e == t.exp_max()) {
        if (frac == 0) return infinity(sign);
        Float80 r = make(sign, kExtExpMax, kIntBit | (frac << align));
        if (!(frac >> (t.frac_bits - 1))) {
            env.flags |= sw::IE;  // signalling NaN: quieted on load
            r = quieted(r);
        }
        return r;
    }
    if (e == 0) {
        if (frac == 0) return zero(sign);
        env.flags |= sw::DE;
        const int c = std::countl_zero(frac);
        // value = frac * 2^(1 - bias - frac_bits)
        return make(sign, static_cast<u16>(kExtBias + 1 - t.bias() - t.frac_bits + 63 - c), frac << c);
    }
    return make(sign, static_cast<u16>(static_cast<i32>(e) - t.bias() + kExtBias), kIntBit | (frac << align));
}

u64 to_interchange(Env& env, Float80 a, Interchange t) {
    const u64 sign = static_cast<u64>(a.sign()) << (t.frac_bits + t.exp_bits);
    const u64 exp_all = t.exp_max() << t.frac_bits;
    const u64 indefinite = (1ull << (t.frac_bits + t.exp_bits)) | exp_all | (1ull << (t.frac_bits - 1));
    const int align = 63 - t.frac_bits;
    switch (classify(a)) {
        case Class::Unsupported: env.flags |= sw::IE; return indefinite;
        case Class::SNaN: env.flags |= sw::IE; [[fallthrough]];
        case Class::QNaN: return sign | exp_all | (((a.sig | kQuietBit) & ~kIntBit) >> align);
        case Class::Infinity: return sign | exp_all;
        case Class::Zero: return sign;
        case Class::Denormal:  // a store does not report DE
        case Class::Normal: break;
    }
    const Unpacked x = unpack(a);
    const Format f{t.frac_bits + 1, 1 - t.bias(), t.bias(), t.bias(), false};
    const Packed p = round_pack(env, f, x.sign, x.exp, u128{x.sig} << 64);
    return sign | (static_cast<u64>(p.exp) << t.frac_bits) | (p.sig & ((1ull << t.frac_bits) - 1));
}
}  // namespace

Float80 from_f32(Env& env, u32 bits) { return from_interchange(env, bits, kF32); }
Float80 widen_f32(u32 bits, bool& denormal) {
    Env e{cw::kInit};
    denormal = (bits & 0x7F800000u) == 0 && (bits & 0x007FFFFFu) != 0;
    Float80 r = from_interchange(e, bits, kF32);
    if (e.flags & sw::IE) r.sig &= ~kQuietBit;  // keep it signalling
    return r;
}
Float80 widen_f64(u64 bits, bool& denormal) {
    Env e{cw::kInit};
    denormal = (bits & 0x7FF0000000000000ull) == 0 && (bits & 0x000FFFFFFFFFFFFFull) != 0;
    Float80 r = from_interchange(e, bits, kF64);
    if (e.flags & sw::IE) r.sig &= ~kQuietBit;
    return r;
}
Float80 from_f64(Env& env, u64 bits) { return from_interchange(env, bits, kF64); }
u32 to_f32(Env& env, Float80 a) { return static_cast<u32>(to_interchange(env, a, kF32)); }
u64 to_f64(Env& env, Float80 a) { return to_interchange(env, a, kF64); }

i64 to_int(Env& env, Float80 a, int bits) {
    const i64 indefinite = static_cast<i64>(~0ull << (bits - 1));
    const Class ca = classify(a);
    if (ca == Class::Unsupported || is_nan(ca) || ca == Class::Infinity) {
        env.flags |= sw::IE;
        return indefinite;
    }
    if (ca == Class::Zero) return 0;  // stores do not report DE
    const Unpacked x = unpack(a);
    bool inexact, up;
    const u64 q = round_magnitude(env, x, inexact, up);
    const u64 limit = (1ull << (bits - 1)) - (x.sign ? 0 : 1);
    if (x.exp >= 64 || q > limit) {
        env.flags |= sw::IE;
        return indefinite;
    }
    if (inexact) env.flags |= sw::PE;
    env.c1 = up;
    return x.sign ? static_cast<i64>(0 - q) : static_cast<i64>(q);
}

Float80 from_bcd(const u8 bcd[10]) {
    u64 v = 0;
    for (int i = 8; i >= 0; --i) v = v * 100 + (bcd[i] >> 4) * 10 + (bcd[i] & 0xF);
    return from_magnitude((bcd[9] & 0x80) != 0, v);
}

void to_bcd(Env& env, Float80 a, u8 bcd[10]) {
    const Class ca = classify(a);
    bool ok = ca == Class::Zero || ca == Class::Normal || ca == Class::Denormal;
    u64 q = 0;
    if (ok && ca != Class::Zero) {
        const Unpacked x = unpack(a);
        bool inexact, up;
        q = round_magnitude(env, x, inexact, up);
        ok = x.exp < 64 && q <= 999999999999999999ull;
        if (ok) {
            if (inexact) env.flags |= sw::PE;
            env.c1 = up;
        }
    }
    if (!ok) {
        env.flags |= sw::IE;
        for (int i = 0; i < 7; ++i) bcd[i] = 0;
        bcd[7] = 0xC0;
        bcd[8] = 0xFF;
        bcd[9] = 0xFF;
        return;
    }
    for (int i = 0; i < 9; ++i) {
        const u64 two = q % 100;
        q /= 100;
        bcd[i] = static_cast<u8>(((two / 10) << 4) | (two % 10));
    }
    bcd[9] = a.sign() ? 0x80 : 0;
}

Order compare(Env& env, Float80 a, Float80 b, bool quiet) {
    const Class ca = classify(a), cb = classify(b);
    if (ca == Class::Unsupported || cb == Class::Unsupported) {
        env.flags |= sw::IE;
        return Order::Unordered;
    }
    if (is_nan(ca) || is_nan(cb)) {
        if (!quiet || ca == Class::SNaN || cb == Class::SNaN) env.flags |= sw::IE;
        return Order::Unordered;
    }
    note_denormals(env, ca, cb);  // an unmasked DE still yields the order (the x87 sets C0-C3)
    if (ca == Class::Zero && cb == Class::Zero) return Order::Equal;
    // Sign, then magnitude; magnitude order is (exponent, significand) once
    // pseudo-denormals are read at exponent 1.
    const auto key = [](Float80 x, Class c) -> u128 {
        if (c == Class::Zero) return 0;
        const u16 e = x.exp() == 0 ? 1 : x.exp();
        // A denormal's bit 63 is clear and a pseudo-denormal's set, so (e, sig) orders them all.
        return (u128{e} << 64) | x.sig;
    };
    const u128 ka = key(a, ca), kb = key(b, cb);
    const bool sa = ca != Class::Zero && a.sign(), sb = cb != Class::Zero && b.sign();
    if (sa != sb) return sa ? Order::Less : Order::Greater;
    if (ka == kb) return Order::Equal;
    return ((ka < kb) != sa) ? Order::Less : Order::Greater;
}

}  // namespace hm::fpu
