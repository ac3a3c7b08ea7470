// The state hash's visitor: every visited value goes into a StateHasher as one
// 64-bit word (docs/state-hash.md), RAM as (page number, contents) pairs.
#pragma once
#include "core/state_hasher.hpp"
#include "snapshot/ram_pages.hpp"
#include "core/state_visitor.hpp"

namespace hm::snap {

class HashVisitor {
public:
    static constexpr bool kLoading = false;

    void section(u32 tag) { h_.section(tag); }
    template <class T>
    void value(T& x) { h_.word(widen(x)); }
    template <class T>
    void bounded(T& x, u64) { h_.word(widen(x)); }
    template <class T>
    void observer(T&) {}
    void bytes(const u8* p, size_t n) { h_.bytes(p, n); }
    void fixed(u64 v, const char*) { h_.word(v); }
    template <class C>
    void sequence(C& c, size_t) {
        h_.word(c.size());
        for (auto b : c) h_.word(static_cast<u8>(b));
    }
    void ram(const PhysicalMemory& m) {
        for_each_nonzero_page(m, [&](u64 pa, const u8* p, u64 n) {
            h_.word(pa >> 12);
            h_.bytes(p, n);
        });
        h_.word(~u64{0});  // the end of the page list
    }

    u64 digest() const { return h_.digest(); }

private:
    StateHasher h_;
};

}  // namespace hm::snap
