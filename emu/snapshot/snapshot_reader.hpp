// The snapshot reader's visitor: overwrites every visited value from a byte
// stream written by SnapshotWriter. It trusts nothing: a read past the end, a
// section tag out of place, a bool that is neither 0 nor 1, an index out of
// range, a size this build does not have, or a RAM page outside RAM or out of
// order all raise SnapshotError, so a corrupt stream can never leave the host
// with an impossible state.
#pragma once
#include <span>
#include <string>

#include "mem/phys_memory.hpp"
#include "snapshot/snapshot_error.hpp"
#include "core/state_visitor.hpp"

namespace hm::snap {

class SnapshotReader {
public:
    static constexpr bool kLoading = true;

    explicit SnapshotReader(std::span<const u8> data) : data_(data) {}

    void section(u32 tag);
    template <class T>
    void value(T& x) {
        const u64 v = get(sizeof(T));
        if constexpr (std::is_same_v<T, bool>) {
            if (v > 1) fail("a flag reads " + std::to_string(v));
            x = v != 0;
        } else if constexpr (std::is_enum_v<T>) {
            x = static_cast<T>(static_cast<std::underlying_type_t<T>>(v));
        } else {
            x = static_cast<T>(v);
        }
    }
    template <class T>
    void bounded(T& x, u64 limit) {
        value(x);
        if (widen(x) >= limit) fail("a value " + std::to_string(widen(x)) + " is out of range (limit " + std::to_string(limit) + ")");
    }
    template <class T>
    void observer(T& x) { value(x); }
    void bytes(u8* p, size_t n);
    void fixed(u64 v, const char* what);
    template <class C>
    void sequence(C& c, size_t max) {
        const u64 n = get(4);
        if (n > max) fail("a sequence of " + std::to_string(n) + " bytes (at most " + std::to_string(max) + ")");
        need(n);
        c.clear();
        for (u64 i = 0; i < n; ++i) c.push_back(static_cast<typename C::value_type>(data_[pos_ + i]));
        pos_ += n;
    }
    void ram(PhysicalMemory& m);
    std::string text(size_t max = 4096) {
        std::string s;
        sequence(s, max);
        return s;
    }

    size_t remaining() const { return data_.size() - pos_; }
    [[noreturn]] void fail(const std::string& what) const;

private:
    void need(u64 n) const;
    u64 get(unsigned width);

    std::span<const u8> data_;
    size_t pos_ = 0;
};

}  // namespace hm::snap
