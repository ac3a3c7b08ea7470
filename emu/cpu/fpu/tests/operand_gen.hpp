// Random and edge x87 operands for oracle tests (shared by the soft-float
// tests and the instruction-level tests in emu/cpu/tests).
#pragma once
#include <vector>

#include "cpu/fpu/float80.hpp"

namespace hm::fpu::testgen {

class Rng {
public:
    explicit Rng(u64 seed) : s_(seed) {}
    u64 next() {  // splitmix64
        u64 z = (s_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    u32 below(u32 n) { return static_cast<u32>(next() % n); }

private:
    u64 s_;
};

// Values every operation must meet: signed zeros, denormals, pseudo-denormals,
// unnormals, extremes, infinities, NaNs and the unsupported encodings.
inline const std::vector<Float80>& edge_values() {
    static const std::vector<Float80> v = [] {
        std::vector<Float80> base = {
            {0, 0},                                  // +0
            {1, 0},                                  // smallest denormal
            {0x7FFFFFFFFFFFFFFFull, 0},              // largest denormal
            {0x0000000100000000ull, 0},              // mid denormal
            {0x8000000000000000ull, 0},              // pseudo-denormal = min normal
            {0x8000000000000001ull, 0},              // pseudo-denormal
            {0x8000000000000000ull, 1},              // min normal
            {0xFFFFFFFFFFFFFFFFull, 1},
            {0xFFFFFFFFFFFFFFFFull, 0x7FFE},         // max normal
            {0x8000000000000000ull, 0x7FFE},
            {0x8000000000000000ull, 16383},          // 1
            {0xC000000000000000ull, 16383},          // 1.5
            {0xFFFFFFFFFFFFFFFFull, 16383},          // 2 - ulp
            {0x8000000000000001ull, 16383},          // 1 + ulp
            {0xFFFFFF8000000000ull, 16383},          // f32 max significand
            {0x8000008000000000ull, 16383},          // 1 + half an f32 ulp
            {0x8000000000000400ull, 16383},          // 1 + half an f64 ulp
            {0x8000000000000000ull, 16383 + 62},     // 2^62
            {0x8000000000000000ull, 16383 + 63},     // 2^63
            {0xDE0B6B3A763FFFF0ull, 16383 + 59},     // ~10^18
            {0x8000000000000000ull, 16383 - 1},      // 0.5
            {0x8000000000000000ull, 16383 + 127},    // f32 overflow edge
            {0xFFFFFF8000000000ull, 16383 + 127},    // f32 max
            {0x8000000000000000ull, 16383 - 126},    // f32 min normal
            {0x8000000000000000ull, 16383 - 149},    // f32 min denormal
            {0xFFFFFFFFFFFFF800ull, 16383 + 1023},   // f64 max
            {0x8000000000000000ull, 16383 - 1022},   // f64 min normal
            {0x8000000000000000ull, 16383 - 1075},   // half the f64 min denormal
            {0x8000000000000000ull, 0x7FFF},         // infinity
            {0xC000000000000000ull, 0x7FFF},         // QNaN (indefinite when negative)
            {0xC000000000001234ull, 0x7FFF},         // QNaN with payload
            {0x8000000000000001ull, 0x7FFF},         // SNaN
            {0xA000000000000000ull, 0x7FFF},         // SNaN
            {0x4000000000000000ull, 0x7FFF},         // pseudo-NaN
            {0x0000000000000000ull, 0x7FFF},         // pseudo-infinity
            {0x4000000000000000ull, 16383},          // unnormal
            {0x0000000000000000ull, 100},            // pseudo-zero (unnormal)
        };
        std::vector<Float80> all;
        for (Float80 x : base) {
            all.push_back(x);
            x.se ^= 0x8000;
            all.push_back(x);
        }
        return all;
    }();
    return v;
}

inline u64 random_significand(Rng& r) {
    switch (r.below(6)) {
        case 0: return (r.next() | (1ull << 63)) & ~((1ull << r.below(64)) - 1);  // trailing zeros: exact/tie cases
        case 1: return (1ull << 63) | (r.next() >> (1 + r.below(63)));            // few low bits
        case 2: return ~0ull << r.below(40);                                       // runs of ones
        default: return r.next() | (1ull << 63);
    }
}

inline Float80 random_operand(Rng& r) {
    const u32 pick = r.below(100);
    const u16 sign = r.below(2) ? 0x8000 : 0;
    if (pick < 12) return edge_values()[r.below(static_cast<u32>(edge_values().size()))];
    if (pick < 20) return {r.next() >> r.below(64), sign};  // denormal (or pseudo-denormal when bit 63 survives)
    i32 e;
    const u32 range = r.below(10);
    if (range < 6) e = 16383 + static_cast<i32>(r.below(140)) - 70;
    else if (range < 7) e = 1 + static_cast<i32>(r.below(140));
    else if (range < 8) e = 0x7FFE - static_cast<i32>(r.below(140));
    else e = 1 + static_cast<i32>(r.below(0x7FFE));
    return {random_significand(r), static_cast<u16>(sign | e)};
}

// A second operand, often close to the first so that cancellation, exact
// results and rounding ties come up.
inline Float80 related_operand(Rng& r, Float80 a) {
    if (r.below(3) != 0 || a.exp() == 0 || a.exp() == 0x7FFF) return random_operand(r);
    Float80 b = a;
    const i32 e = static_cast<i32>(a.exp()) + static_cast<i32>(r.below(140)) - 70;
    if (e > 0 && e < 0x7FFF) b.se = static_cast<u16>((b.se & 0x8000) | e);
    if (r.below(2)) b.se ^= 0x8000;
    if (r.below(2)) b.sig = (b.sig & ~((1ull << r.below(64)) - 1)) | (1ull << 63);
    else b.sig ^= r.next() >> r.below(64);
    b.sig |= 1ull << 63;
    return b;
}

}  // namespace hm::fpu::testgen
