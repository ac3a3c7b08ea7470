// Fixed-width integer names and the two address types that must never mix silently:
// a linear address is what segmentation produces (32 bits); a physical address is
// what paging produces (up to 36 bits under PAE, so it is 64 bits wide).
#pragma once
#include <compare>
#include <cstddef>
#include <cstdint>

namespace hm {

using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using i8 = std::int8_t;
using i16 = std::int16_t;
using i32 = std::int32_t;
using i64 = std::int64_t;

// Strong types: construction from an integer is explicit, neither converts to the
// other or back to an integer (`.value` leaves), and both are trivially copyable
// wrappers of one integer, passed in a register like the integer itself. The MMU
// takes LinearAddr and produces PhysAddr; the bus and physical memory take
// PhysAddr (mmu/tests/address_types_test.cpp checks all of it at compile time).
struct LinearAddr {
    u32 value = 0;
    constexpr LinearAddr() = default;
    constexpr explicit LinearAddr(u32 v) : value(v) {}
    constexpr u32 page_base() const { return value & ~0xFFFu; }
    constexpr u32 page_offset() const { return value & 0xFFFu; }
    // A byte offset from this address (wraps at 4 GiB, as linear addresses do).
    constexpr LinearAddr operator+(u32 offset) const { return LinearAddr{value + offset}; }
    friend constexpr auto operator<=>(LinearAddr, LinearAddr) = default;
};

struct PhysAddr {
    u64 value = 0;
    constexpr PhysAddr() = default;
    constexpr explicit PhysAddr(u64 v) : value(v) {}
    constexpr u64 page_base() const { return value & ~u64{0xFFF}; }
    constexpr u64 page_number() const { return value >> 12; }
    constexpr u32 page_offset() const { return static_cast<u32>(value & 0xFFF); }
    // A byte offset from this address.
    constexpr PhysAddr operator+(u64 offset) const { return PhysAddr{value + offset}; }
    friend constexpr auto operator<=>(PhysAddr, PhysAddr) = default;
};

constexpr u32 kPageSize = 4096;
constexpr u32 kPageShift = 12;
constexpr u64 kKiB = 1024;
constexpr u64 kMiB = 1024 * kKiB;
constexpr u64 kGiB = 1024 * kMiB;
// PAE gives 36 physical address bits.
constexpr u64 kMaxPhysAddrBits = 36;
constexpr u64 kMaxPhysAddr = (u64{1} << kMaxPhysAddrBits);

#if defined(__GNUC__)
#define HM_LIKELY(x) __builtin_expect(!!(x), 1)
#define HM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define HM_ALWAYS_INLINE inline __attribute__((always_inline))
#define HM_NOINLINE __attribute__((noinline))
#else
#define HM_LIKELY(x) (x)
#define HM_UNLIKELY(x) (x)
#define HM_ALWAYS_INLINE inline
#define HM_NOINLINE
#endif

}  // namespace hm
