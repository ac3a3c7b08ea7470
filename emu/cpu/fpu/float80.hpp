// The x87 register format as plain data, and the x87 control/status word bits.
// A Float80 is exactly what a register (or an m80 operand) holds: a 64-bit
// significand with an explicit integer bit and a 16-bit sign+exponent field.
// Nothing here computes; arithmetic lives in softfloat.hpp.
#pragma once
#include "core/types.hpp"

namespace hm::fpu {

struct Float80 {
    u64 sig = 0;
    u16 se = 0;  // bit 15 sign, bits 14..0 biased exponent (bias 16383)

    constexpr bool sign() const { return (se >> 15) != 0; }
    constexpr u16 exp() const { return se & 0x7FFF; }
    friend constexpr bool operator==(Float80, Float80) = default;
};

constexpr int kExtBias = 16383;
constexpr u16 kExtExpMax = 0x7FFF;
// The "real indefinite": the QNaN every masked invalid operation produces.
constexpr Float80 kIndefinite{0xC000000000000000ull, 0xFFFF};

// Status word.
namespace sw {
constexpr u16 IE = 1u << 0, DE = 1u << 1, ZE = 1u << 2, OE = 1u << 3, UE = 1u << 4, PE = 1u << 5;
constexpr u16 SF = 1u << 6, ES = 1u << 7, C0 = 1u << 8, C1 = 1u << 9, C2 = 1u << 10, C3 = 1u << 14;
constexpr u16 B = 1u << 15;
constexpr u16 kTopShift = 11, kTopMask = 7u << 11;
constexpr u16 kExceptions = IE | DE | ZE | OE | UE | PE;
}  // namespace sw

// Control word.
namespace cw {
constexpr u16 IM = 1u << 0, DM = 1u << 1, ZM = 1u << 2, OM = 1u << 3, UM = 1u << 4, PM = 1u << 5;
constexpr u16 kMasks = 0x3F;
constexpr u16 kPcShift = 8, kPcMask = 3u << 8;   // 0: 24 bits, 2: 53 bits, 3: 64 bits (1 reserved)
constexpr u16 kRcShift = 10, kRcMask = 3u << 10;  // 0 nearest, 1 down, 2 up, 3 toward zero
constexpr u16 kInit = 0x037F;                     // after FNINIT
}  // namespace cw

enum class Rounding : u8 { Nearest = 0, Down = 1, Up = 2, Zero = 3 };

}  // namespace hm::fpu
