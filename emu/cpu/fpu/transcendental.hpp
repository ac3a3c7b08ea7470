// FSIN, FCOS, FSINCOS, FPTAN and F2XM1 (transcendental.cpp): special operands
// as the SDM's tables give them, finite ones through a 128-bit series and one
// rounding to 64 bits. An operand with |x| >= 2^63 is out of range for the
// trigonometric functions: in_range = false and nothing is computed (C2 = 1).
#pragma once
#include "cpu/fpu/softfloat.hpp"

namespace hm::fpu {

struct TrigResult {
    Float80 first;   // sin, cos or tan; the sine for FSINCOS
    Float80 second;  // FSINCOS: the cosine; FPTAN: the 1.0 it pushes
    bool in_range = true;
};

TrigResult fsin(Env& env, Float80 x);
TrigResult fcos(Env& env, Float80 x);
TrigResult fsincos(Env& env, Float80 x);
TrigResult fptan(Env& env, Float80 x);
Float80 f2xm1(Env& env, Float80 x);
Float80 fpatan(Env& env, Float80 y, Float80 x);   // atan(y / x) in the quadrant of (x, y)
Float80 fyl2x(Env& env, Float80 y, Float80 x);    // y * log2(x)
Float80 fyl2xp1(Env& env, Float80 y, Float80 x);  // y * log2(x + 1), |x| < 1 - sqrt(2)/2  // defined for |x| <= 1 (larger arguments are undefined on the x87)

// Rounds sign * m * 2^(e - 127) (m with bit 127 set) to 64 bits with the
// rounding control, raising PE/UE/OE as any extended result (softfloat.cpp).
Float80 round_wide(Env& env, bool sign, i32 e, unsigned __int128 m);

}  // namespace hm::fpu
