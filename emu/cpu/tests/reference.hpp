// Reference models for CPU tests, written independently of the interpreter's
// lazy-flag formulas: plain wide or signed arithmetic, and bit-at-a-time loops
// for shifts and rotates, following the SDM's pseudo-code.
#pragma once
#include "core/types.hpp"
#include "cpu/state.hpp"

namespace hm::test {

struct Lcg {  // deterministic test inputs
    u64 state;
    explicit Lcg(u64 seed) : state(seed) {}
    u32 next() {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<u32>(state >> 32);
    }
    // Biased towards edge values, where flag bugs live.
    u32 operand(unsigned bits) {
        static const u32 kEdges[] = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF};
        u32 v = (next() % 4 == 0) ? kEdges[next() % 12] : next();
        return bits == 32 ? v : (v & ((1u << bits) - 1));
    }
};

inline u32 mask_of(unsigned bits) { return bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1; }
inline i64 as_signed(u32 v, unsigned bits) {
    v &= mask_of(bits);
    return (v >> (bits - 1)) & 1 ? static_cast<i64>(v) - (i64{1} << bits) : static_cast<i64>(v);
}
inline bool parity_even(u32 v) {
    unsigned n = 0;
    for (int i = 0; i < 8; ++i) n += (v >> i) & 1;
    return n % 2 == 0;
}

struct ArithResult {
    u32 value;
    u32 flags;  // CF PF AF ZF SF OF as EFLAGS bits
};

inline u32 szp(u32 r, unsigned bits) {
    r &= mask_of(bits);
    return (r == 0 ? flag::ZF : 0) | (((r >> (bits - 1)) & 1) ? flag::SF : 0) | (parity_even(r) ? flag::PF : 0);
}

// a + b + carry_in, or a - b - borrow_in.
inline ArithResult ref_add(u32 a, u32 b, unsigned carry_in, unsigned bits) {
    const u64 ua = a & mask_of(bits), ub = b & mask_of(bits);
    const u64 wide = ua + ub + carry_in;
    const i64 sw = as_signed(a, bits) + as_signed(b, bits) + carry_in;
    const u32 r = static_cast<u32>(wide) & mask_of(bits);
    u32 f = szp(r, bits);
    if (wide >> bits) f |= flag::CF;
    if (sw != as_signed(r, bits)) f |= flag::OF;
    if ((ua & 0xF) + (ub & 0xF) + carry_in > 0xF) f |= flag::AF;
    return {r, f};
}

inline ArithResult ref_sub(u32 a, u32 b, unsigned borrow_in, unsigned bits) {
    const u64 ua = a & mask_of(bits), ub = b & mask_of(bits);
    const i64 sw = as_signed(a, bits) - as_signed(b, bits) - borrow_in;
    const u32 r = static_cast<u32>(ua - ub - borrow_in) & mask_of(bits);
    u32 f = szp(r, bits);
    if (ua < ub + borrow_in) f |= flag::CF;
    if (sw != as_signed(r, bits)) f |= flag::OF;
    if ((ua & 0xF) < (ub & 0xF) + borrow_in) f |= flag::AF;
    return {r, f};
}

}  // namespace hm::test
