// The x87's extended-precision arithmetic, in integers only, so results never
// depend on the host's floating point. Every operation follows what a P6 x87
// does (SDM vol. 1 ch. 4 and 8): precision control (24/53/64 bits) and the four
// rounding modes from the control word, denormal operands (DE) and results,
// pseudo-denormals read as denormals, unnormals/pseudo-NaNs/pseudo-infinities
// rejected as invalid, NaN propagation with the x87's rules, the real
// indefinite, and the masked/unmasked responses to overflow and underflow.
//
// An operation returns the value an instruction would write when the
// exceptions it raises are masked, and adds the raised exception bits to
// Env::flags. For an unmasked overflow/underflow of a register result it
// returns the exponent-wrapped value (the x87's 24576 bias adjustment); for the
// unmasked IE/DE/ZE cases the caller must not write the value at all.
// Env::c1 says the result was rounded up in magnitude (C1 of the status word).
#pragma once
#include "cpu/fpu/float80.hpp"

namespace hm::fpu {

struct Env {
    u16 cw = cw::kInit;  // control word: masks, precision and rounding control
    u16 flags = 0;       // exception bits raised (sw::IE..sw::PE)
    bool c1 = false;     // the last rounding went up in magnitude
    // Input: the memory operand of an arithmetic instruction was a denormal in
    // its own format (f32/f64), so the operation reports DE although the
    // widened value is normal (see widen_f32/widen_f64).
    bool mem_denormal = false;
};

// An unmasked invalid-operation, denormal-operand or zero-divide exception
// leaves the destination untouched (the operation does not complete).
inline bool result_suppressed(const Env& e) { return (e.flags & ~e.cw & (sw::IE | sw::DE | sw::ZE)) != 0; }

// Arithmetic honouring precision and rounding control.
Float80 add(Env& env, Float80 a, Float80 b);
Float80 sub(Env& env, Float80 a, Float80 b);  // a - b
Float80 mul(Env& env, Float80 a, Float80 b);
Float80 div(Env& env, Float80 a, Float80 b);  // a / b
Float80 sqrt(Env& env, Float80 a);

// Round to an integral value with the rounding control (FRNDINT).
Float80 round_to_integral(Env& env, Float80 a);

// FXTRACT: a = significand (exponent 0, a's sign) * 2^exponent.
struct Extracted {
    Float80 exponent;
    Float80 significand;
};
Extracted extract(Env& env, Float80 a);

// FSCALE: a * 2^trunc(b), rounded (with the rounding control, at 64 bits) only
// when the result is tiny.
Float80 scale(Env& env, Float80 a, Float80 b);

// FPREM (ieee = false: the quotient truncated) and FPREM1 (ieee: rounded to
// nearest even). An exponent difference of 64 or more gives a partial
// remainder (reduced by N = 32 + difference mod 32 bits, as the host x87 does)
// and `complete` = false (C2); otherwise `quotient_low` holds the quotient's
// three low bits (C0 = bit 2, C3 = bit 1, C1 = bit 0).
struct Remainder {
    Float80 value;
    bool complete = true;
    bool has_quotient = true;  // false for NaN and invalid operands (C0/C3 keep their values)
    u8 quotient_low = 0;
};
Remainder partial_remainder(Env& env, Float80 a, Float80 b, bool ieee);

// Loads from memory formats (exact; f32/f64 raise IE for a signalling NaN and
// DE for a denormal).
Float80 from_int(i64 v);
Float80 from_f32(Env& env, u32 bits);
Float80 from_f64(Env& env, u64 bits);

// Widening of an arithmetic instruction's memory operand: exact, a signalling
// NaN stays signalling (the operation reports it), and `denormal` says the
// source was a denormal (the operation reports DE through Env::mem_denormal).
Float80 widen_f32(u32 bits, bool& denormal);
Float80 widen_f64(u64 bits, bool& denormal);

// Stores to memory formats, rounding with the rounding control. An integer
// that does not fit (or a NaN/infinity) raises IE and gives the integer
// indefinite (the most negative value).
u32 to_f32(Env& env, Float80 a);
u64 to_f64(Env& env, Float80 a);
i64 to_int(Env& env, Float80 a, int bits);  // bits = 16, 32 or 64

// Packed BCD: 18 digits in bytes 0..8 (two per byte, low digit first), sign in bit 7 of byte 9.
Float80 from_bcd(const u8 bcd[10]);
void to_bcd(Env& env, Float80 a, u8 bcd[10]);

enum class Order : u8 { Less, Equal, Greater, Unordered };
// quiet = true: only signalling NaNs raise IE (FUCOM); false: any NaN does (FCOM).
Order compare(Env& env, Float80 a, Float80 b, bool quiet);

// Helpers shared with the instruction layer.
enum class Class : u8 { Zero, Normal, Denormal, Infinity, QNaN, SNaN, Unsupported };
Class classify(Float80 a);
constexpr bool is_nan(Class c) { return c == Class::QNaN || c == Class::SNaN; }

}  // namespace hm::fpu
