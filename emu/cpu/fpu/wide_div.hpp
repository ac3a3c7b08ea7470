// Exact integer divisions for the 128-bit "wide" floats of transcendental.cpp:
// the quotient rounded down and whether a remainder is left (the sticky bit).
// They replace a libgcc __udivmodti4 call and a 128-step bit-by-bit loop with
// hardware 128/64 divisions (x86-64) and Knuth's long division in 64-bit
// digits (TAOCP vol. 2, 4.3.1, algorithm D); the results are the same
// integers, so nothing the guest sees changes (test_fpu "[wide_div]" checks
// them against the bit loop, transcendental_equivalence_test.cpp the functions).
#pragma once
#include "core/types.hpp"

namespace hm::fpu::wide {

using u128 = unsigned __int128;

// (hi:lo) / d with hi < d (so the quotient fits in 64 bits); r = the remainder.
inline u64 div_2by1(u64 hi, u64 lo, u64 d, u64& r) {
#if defined(__x86_64__)
    u64 q;
    asm("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
    return q;
#else
    const u128 n = (u128{hi} << 64) | lo;
    r = static_cast<u64>(n % d);
    return static_cast<u64>(n / d);
#endif
}

// m / d for d != 0; `inexact` = a remainder is left.
inline u128 div_128_by_64(u128 m, u64 d, bool& inexact) {
    const u64 hi = static_cast<u64>(m >> 64);
    const u64 q1 = hi / d;
    u64 r;
    const u64 q0 = div_2by1(hi % d, static_cast<u64>(m), d, r);
    inexact = r != 0;
    return (u128{q1} << 64) | q0;
}

// One quotient digit of (u2:u1:u0) / (d1:d0), where (u2:u1) < (d1:d0) and d1
// has its top bit set; `rem` = the remainder (< d). The estimate from the top
// two digits is at most two too large (Knuth's theorem B), corrected by
// comparing its product with the dividend.
inline u64 div_3by2(u64 u2, u64 u1, u64 u0, u64 d1, u64 d0, u128& rem) {
    u64 q;
    if (u2 >= d1) {
        q = ~0ull;  // u2 == d1: the estimate would not fit in a digit
    } else {
        u64 r;
        q = div_2by1(u2, u1, d1, r);
    }
    // p = q * (d1:d0) as p_hi:p_lo (p_hi 128 bits, p_lo 64 bits).
    const u128 lo_product = u128{q} * d0;
    u64 p_lo = static_cast<u64>(lo_product);
    u128 p_hi = u128{q} * d1 + (lo_product >> 64);
    const u128 u_hi = (u128{u2} << 64) | u1;
    while (p_hi > u_hi || (p_hi == u_hi && p_lo > u0)) {
        --q;
        const bool borrow = p_lo < d0;
        p_lo -= d0;
        p_hi -= u128{d1} + (borrow ? 1 : 0);
    }
    const bool borrow = u0 < p_lo;
    const u64 r_lo = u0 - p_lo;
    const u128 r_hi = u_hi - p_hi - (borrow ? 1 : 0);
    rem = (r_hi << 64) | r_lo;
    return q;
}

// (n << 128 or n << 127, `shift` = 128 or 127) / d for d with bit 127 set and
// n < d (shift 128) or n < 2d (shift 127), so the quotient fits in 128 bits;
// `inexact` = a remainder is left.
inline u128 div_shifted(u128 n, int shift, u128 d, bool& inexact) {
    const u64 d1 = static_cast<u64>(d >> 64), d0 = static_cast<u64>(d);
    // The dividend's four digits, most significant first.
    const u128 top = shift == 128 ? n : n >> 1;
    const u64 n1 = shift == 128 ? 0 : static_cast<u64>(n << 63);
    u128 r;
    const u64 q1 = div_3by2(static_cast<u64>(top >> 64), static_cast<u64>(top), n1, d1, d0, r);
    const u64 q0 = div_3by2(static_cast<u64>(r >> 64), static_cast<u64>(r), 0, d1, d0, r);
    inexact = r != 0;
    return (u128{q1} << 64) | q0;
}

}  // namespace hm::fpu::wide
