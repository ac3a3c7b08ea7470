// The pre-round-3 transcendental functions, kept as the reference the
// optimized ones in transcendental.cpp must match bit for bit
// (transcendental_reference.cpp says why).
#pragma once
#include "cpu/fpu/transcendental.hpp"

namespace hm::fpu::reference {

TrigResult fsin(Env& env, Float80 x);
TrigResult fcos(Env& env, Float80 x);
TrigResult fsincos(Env& env, Float80 x);
TrigResult fptan(Env& env, Float80 x);
Float80 f2xm1(Env& env, Float80 x);
Float80 fpatan(Env& env, Float80 y, Float80 x);
Float80 fyl2x(Env& env, Float80 y, Float80 x);
Float80 fyl2xp1(Env& env, Float80 y, Float80 x);

}  // namespace hm::fpu::reference
