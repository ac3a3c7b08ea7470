// The snapshot writer's visitor: appends every visited value to a byte stream,
// little-endian at its own width (bool as one byte), RAM as (page number,
// 4096 bytes) records ended by the page number 0xFFFFFFFFFFFFFFFF
// (docs/snapshots.md has the byte-for-byte layout).
#pragma once
#include <string>
#include <vector>

#include "snapshot/ram_pages.hpp"
#include "core/state_visitor.hpp"

namespace hm::snap {

constexpr u64 kEndOfPages = ~u64{0};

class SnapshotWriter {
public:
    static constexpr bool kLoading = false;

    void section(u32 tag) { put(tag, 4); }
    template <class T>
    void value(T& x) { put(widen(x), sizeof(T)); }
    template <class T>
    void bounded(T& x, u64) { put(widen(x), sizeof(T)); }
    template <class T>
    void observer(T& x) { value(x); }
    void bytes(const u8* p, size_t n) { out_.insert(out_.end(), p, p + n); }
    void fixed(u64 v, const char*) { put(v, 8); }
    template <class C>
    void sequence(C& c, size_t) {
        put(c.size(), 4);
        for (auto b : c) out_.push_back(static_cast<u8>(b));
    }
    void ram(const PhysicalMemory& m) {
        for_each_nonzero_page(m, [&](u64 pa, const u8* p, u64 n) {
            put(pa >> 12, 8);
            bytes(p, n);
            out_.insert(out_.end(), kPageSize - n, 0);  // a short last page is padded
        });
        put(kEndOfPages, 8);
    }
    void text(const std::string& s) { sequence(s, 0); }

    std::vector<u8>& data() { return out_; }

private:
    void put(u64 v, unsigned width) {
        for (unsigned i = 0; i < width; ++i) out_.push_back(static_cast<u8>(v >> (8 * i)));
    }
    std::vector<u8> out_;
};

}  // namespace hm::snap
