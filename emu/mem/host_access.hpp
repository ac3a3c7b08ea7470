// Little-endian loads and stores of 1, 2, 4 or 8 bytes through a host pointer.
// A memcpy of a run-time size into a u64 compiles to partial stores followed by a
// full-width load, which stalls store forwarding on every call; dispatching on the
// size keeps each access a single load or store.
#pragma once
#include <cstring>

#include "core/types.hpp"

namespace hm {

HM_ALWAYS_INLINE u64 host_load(const u8* p, unsigned size) {
    switch (size) {
        case 1: return *p;
        case 2: { u16 v; std::memcpy(&v, p, 2); return v; }
        case 4: { u32 v; std::memcpy(&v, p, 4); return v; }
        case 8: { u64 v; std::memcpy(&v, p, 8); return v; }
        default: {
            u64 v = 0;
            for (unsigned i = 0; i < size; ++i) v |= u64{p[i]} << (8 * i);
            return v;
        }
    }
}

HM_ALWAYS_INLINE void host_store(u8* p, u64 value, unsigned size) {
    switch (size) {
        case 1: *p = static_cast<u8>(value); return;
        case 2: { u16 v = static_cast<u16>(value); std::memcpy(p, &v, 2); return; }
        case 4: { u32 v = static_cast<u32>(value); std::memcpy(p, &v, 4); return; }
        case 8: std::memcpy(p, &value, 8); return;
        default:
            for (unsigned i = 0; i < size; ++i) p[i] = static_cast<u8>(value >> (8 * i));
            return;
    }
}

}  // namespace hm
