// The layout fingerprint: a hash of the *shape* of the visited state (each
// call's kind and width, section tags), not of its values. Two builds whose
// state descriptions differ in any field, width or order give different
// fingerprints, so a snapshot from an incompatible build is refused with a
// reason instead of being misread. Fixed values (array sizes, timer counts)
// are part of the shape only through their kind; the reader checks them.
#pragma once
#include "core/state_hasher.hpp"
#include "mem/phys_memory.hpp"
#include "core/state_visitor.hpp"

namespace hm::snap {

class LayoutVisitor {
public:
    static constexpr bool kLoading = false;

    void section(u32 tag) { h_.word(0x100000000ull | tag); }
    template <class T>
    void value(T&) { h_.word(0x200 | sizeof(T)); }
    template <class T>
    void bounded(T&, u64) { h_.word(0x300 | sizeof(T)); }
    template <class T>
    void observer(T&) { h_.word(0x800 | sizeof(T)); }
    void bytes(const u8*, size_t n) { h_.word(0x400), h_.word(n); }
    void fixed(u64, const char*) { h_.word(0x500); }
    template <class C>
    void sequence(C&, size_t max) { h_.word(0x600), h_.word(max); }
    void ram(const PhysicalMemory&) { h_.word(0x700); }

    u64 digest() const { return h_.digest(); }

private:
    StateHasher h_;
};

}  // namespace hm::snap
