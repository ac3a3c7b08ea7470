// StateHasher: the 64-bit hash behind --state-hash-every (docs/state-hash.md).
//
// Not cryptographic, only fast and well mixed: every 8-byte word w of the input
// goes through  h = rotl64(h ^ (w * K1), 29) * K2  (a tail shorter than 8 bytes
// is zero-padded, and its length is mixed in), and the digest is h through the
// splitmix64 finaliser. Values are fed in a fixed order as little-endian words,
// so two runs (or two hosts) agree exactly when the fed state agrees.
#pragma once
#include <cstring>
#include <type_traits>

#include "core/types.hpp"

namespace hm {

class StateHasher {
public:
    static constexpr u64 kSeed = 0x6A09E667F3BCC908ull;  // sqrt(2) fraction, as SHA-512's IV
    static constexpr u64 kK1 = 0x9E3779B97F4A7C15ull;    // 2^64 / golden ratio
    static constexpr u64 kK2 = 0xC2B2AE3D27D4EB4Full;    // an odd 64-bit prime (xxHash's PRIME64_2)

    void word(u64 w) {
        h_ = rotl(h_ ^ (w * kK1), 29) * kK2;
    }
    // Any integer, bool or enum, widened to one word.
    template <typename T>
    void value(T v) {
        static_assert(std::is_integral_v<T> || std::is_enum_v<T>);
        if constexpr (std::is_enum_v<T>) word(static_cast<u64>(static_cast<std::underlying_type_t<T>>(v)));
        else word(static_cast<u64>(v));
    }
    void bytes(const void* data, size_t n) {
        const u8* p = static_cast<const u8*>(data);
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            u64 w;
            std::memcpy(&w, p + i, 8);
            word(w);
        }
        if (i < n) {
            u64 w = 0;
            std::memcpy(&w, p + i, n - i);
            word(w);
            word(n - i);
        }
    }
    // A struct without padding (so its bytes are its value).
    template <typename T>
    void pod(const T& v) {
        static_assert(std::has_unique_object_representations_v<T>, "padding bytes would make the hash random");
        bytes(&v, sizeof v);
    }
    // A label between sections, so that moving a value from one to another changes the hash.
    void section(u64 tag) { word(tag ^ 0x5EC7105EC7105EC7ull); }

    u64 digest() const {
        u64 z = h_;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

private:
    static u64 rotl(u64 x, unsigned r) { return (x << r) | (x >> (64 - r)); }
    u64 h_ = kSeed;
};

}  // namespace hm
