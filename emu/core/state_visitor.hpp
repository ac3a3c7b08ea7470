// The one description of the guest-visible state: every component has a
// `template <class V> void visit_state(V& v)` (or a free visit_* function) that
// names its fields, in order, to a visitor V. Three visitors walk the same
// description, so the state hash, the snapshot writer and the reader cannot
// drift apart (docs/snapshots.md). The protocol lives in core so that every
// layer can describe its state; the visitors live in emu/snapshot, above them:
//
//   HashVisitor      (snapshot/hash_visitor.hpp)     feeds every value to the StateHasher
//   SnapshotWriter   (snapshot/snapshot_writer.hpp)  appends every value to a byte stream
//   SnapshotReader   (snapshot/snapshot_reader.hpp)  overwrites every value from a stream
//   LayoutVisitor    (snapshot/layout_visitor.hpp)   hashes the shape (kinds and widths),
//                                                    not the values: the layout fingerprint
//
// What a visitor offers (all take non-const references; only the reader writes):
//   kLoading                    true for the reader: code after a visit may then
//                               rebuild what is derived from the loaded values
//   section(tag)                a label between components
//   value(x)                    an integer, bool or enum, stored at sizeof(x) bytes
//   bounded(x, limit)           the same, but the reader rejects x >= limit (indexes,
//                               modes: values the host would trust)
//   bytes(p, n)                 n raw bytes
//   observer(x)                 observer output (the TLB coherence checker's reports):
//                               saved and restored, but not hashed, because a run
//                               with the checker must hash like one without
//   fixed(v, what)              a value this build and configuration decide (an
//                               array size, a timer count): the reader insists on it
//   sequence(c, max)            a byte container (vector, deque, string): count + bytes
//   ram(memory)                 the RAM pages that hold anything but zeros
#pragma once
#include <array>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "core/types.hpp"

namespace hm::snap {

template <class V, class T, size_t N>
void values(V& v, T (&a)[N]) {
    for (T& x : a) v.value(x);
}
template <class V, class T, size_t N>
void values(V& v, std::array<T, N>& a) {
    for (T& x : a) v.value(x);
}

// An integer, bool or enum as a u64 (enums through their underlying type).
template <class T>
u64 widen(T x) {
    static_assert(std::is_integral_v<T> || std::is_enum_v<T>);
    if constexpr (std::is_enum_v<T>) return static_cast<u64>(static_cast<std::underlying_type_t<T>>(x));
    else return static_cast<u64>(x);
}

}  // namespace hm::snap

namespace hm::snap {

// A counter struct made only of u64 fields (checked: no padding, size a
// multiple of 8), visited field by field in declaration order.
template <class V, class T>
void u64_fields(V& v, T& x) {
    static_assert(std::has_unique_object_representations_v<T> && sizeof(T) % 8 == 0);
    constexpr size_t n = sizeof(T) / 8;
    u64 words[n];
    std::memcpy(words, &x, sizeof(T));
    for (u64& w : words) v.value(w);
    if constexpr (V::kLoading) std::memcpy(&x, words, sizeof(T));
}

}  // namespace hm::snap
