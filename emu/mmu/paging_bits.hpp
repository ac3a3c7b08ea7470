// Names for every bit of the paging-structure entries this MMU understands, and the
// reserved-bit masks that make a present entry fault with RSVD (SDM Vol. 3A 4.3, 4.4,
// and the reserved-bit table of 4.13 in older editions). MAXPHYADDR is 36.
//
//   32-bit PDE (table)   no reserved bits
//   32-bit PDE (4 MiB)   PSE-36: bits 16:13 are physical bits 35:32; bits 21:17 reserved
//   32-bit PTE           no reserved bits (bit 7 is PAT, not modelled: caching is not)
//   PAE PDPTE            bits 2:1, 8:5, 63:36 reserved (no NX bit at this level)
//   PAE PDE (table)      bits 62:36 reserved; bit 63 is XD with EFER.NXE, else reserved
//   PAE PDE (2 MiB)      as above plus bits 20:13
//   PAE PTE              bits 62:36 reserved; bit 63 as above
#pragma once
#include "core/types.hpp"

namespace hm::pte {

constexpr u64 kPresent = 1u << 0;
constexpr u64 kWritable = 1u << 1;
constexpr u64 kUser = 1u << 2;
constexpr u64 kWriteThrough = 1u << 3;
constexpr u64 kCacheDisable = 1u << 4;
constexpr u64 kAccessed = 1u << 5;
constexpr u64 kDirty = 1u << 6;
constexpr u64 kPageSize = 1u << 7;  // in a PDE: maps a large page
constexpr u64 kGlobal = 1u << 8;
constexpr u64 kNoExecute = u64{1} << 63;  // PAE only, with EFER.NXE

// Physical-address fields.
constexpr u64 kTwoLevelFrame = 0xFFFFF000;             // 4 KiB frame or table, 32-bit
constexpr u64 kTwoLevelLargeFrame = 0xFFC00000;        // 4 MiB frame, bits 31:22
constexpr u64 kPse36HighBits = u64{0xF} << 13;         // physical bits 35:32 of a 4 MiB frame
constexpr u64 kPaeFrame = 0x0000000FFFFFF000;          // bits 35:12
constexpr u64 kPaeLargeFrame = 0x0000000FFFE00000;     // bits 35:21
constexpr u64 kPaePdptBase = 0xFFFFFFE0;               // CR3 bits 31:5 under PAE

// Reserved bits.
constexpr u64 kTwoLevelLargeReserved = u64{0x1F} << 17;                // bits 21:17
constexpr u64 kPaeAboveMaxPhys = 0x7FFFFFF000000000;                  // bits 62:36
constexpr u64 kPaePdpteReserved = kPaeAboveMaxPhys | kNoExecute | 0x1E6;  // 63:36, 8:5, 2:1
constexpr u64 kPaeLargeReserved = u64{0xFF} << 13;                     // bits 20:13

// Permission-relevant bits kept together, e.g. in reports.
constexpr u32 kFlagsMask = kPresent | kWritable | kUser | kAccessed | kDirty | kGlobal;
// Reports carry NX in bit 31 of a 32-bit flags word (bit 63 does not fit).
constexpr u32 kFlagNoExecute = 1u << 31;

}  // namespace hm::pte
