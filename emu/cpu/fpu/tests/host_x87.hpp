// The host's own x87 as a test oracle (x86 hosts only; kHostX87 is false
// elsewhere and the oracle tests skip). Each call starts from FNINIT, loads the
// control word and operands, runs one instruction, and reads the status word
// with FNSTSW before FNCLEX, so unmasked exceptions are observed without ever
// trapping (FNSTSW/FNCLEX/FNINIT do not wait). Test code only: the emulator
// itself never uses host floating point.
#pragma once
#include "cpu/fpu/float80.hpp"

namespace hm::fpu::host {

#if defined(__x86_64__) || defined(__i386__)
constexpr bool kHostX87 = true;

struct Out {
    Float80 value;  // ST(0) after the instruction (or the stored memory operand)
    u16 sw = 0;
};

#define HM_X87_CLOBBERS "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"

// ST(0) = a, ST(1) = b, then the two-byte register-form instruction B0 B1.
template <u8 B0, u8 B1>
Out binary(u16 control, Float80 a, Float80 b) {
    Out o{};
    asm volatile(
        "fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"
        ".byte %c[b0], %c[b1]\n\t"
        "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfninit\n\t"
        : [r] "=m"(o.value), [sw] "=m"(o.sw)
        : [cw] "m"(control), [a] "m"(a), [b] "m"(b), [b0] "i"(B0), [b1] "i"(B1)
        : HM_X87_CLOBBERS);
    return o;
}

// ST(0) = a, then the two-byte instruction B0 B1 (FSQRT, FRNDINT, ...).
template <u8 B0, u8 B1>
Out unary(u16 control, Float80 a) {
    Out o{};
    asm volatile(
        "fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t"
        ".byte %c[b0], %c[b1]\n\t"
        "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfninit\n\t"
        : [r] "=m"(o.value), [sw] "=m"(o.sw)
        : [cw] "m"(control), [a] "m"(a), [b0] "i"(B0), [b1] "i"(B1)
        : HM_X87_CLOBBERS);
    return o;
}

// ST(0) = a, then B0 B1; returns ST(0) and ST(1) afterwards (FXTRACT).
struct Out2 {
    Float80 st0, st1;
    u16 sw = 0;
};
template <u8 B0, u8 B1>
Out2 unary2(u16 control, Float80 a) {
    Out2 o{};
    asm volatile(
        "fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t"
        ".byte %c[b0], %c[b1]\n\t"
        "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r0]\n\tfstpt %[r1]\n\tfninit\n\t"
        : [r0] "=m"(o.st0), [r1] "=m"(o.st1), [sw] "=m"(o.sw)
        : [cw] "m"(control), [a] "m"(a), [b0] "i"(B0), [b1] "i"(B1)
        : HM_X87_CLOBBERS);
    return o;
}

// Status word after comparing ST(0) = a with ST(1) = b by B0 B1 (FCOM/FUCOM ST(1)).
template <u8 B0, u8 B1>
u16 compare(u16 control, Float80 a, Float80 b) {
    return binary<B0, B1>(control, a, b).sw;
}

// Stores ST(0) = a to memory with the given store mnemonic; returns the status word.
#define HM_X87_STORE(NAME, INSN, TYPE)                                                     \
    inline u16 NAME(u16 control, Float80 a, TYPE& out) {                                 \
        u16 sw = 0;                                                                       \
        asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" INSN " %[m]\n\t"            \
                     "fnstsw %[sw]\n\tfninit\n\t"                                         \
                     : [m] "+m"(out), [sw] "=m"(sw)                                       \
                     : [cw] "m"(control), [a] "m"(a)                                      \
                     : HM_X87_CLOBBERS);                                                  \
        return sw;                                                                        \
    }
HM_X87_STORE(store_f32, "fstps", u32)
HM_X87_STORE(store_f64, "fstpl", u64)
HM_X87_STORE(store_i16, "fistps", i16)
HM_X87_STORE(store_i32, "fistpl", i32)
HM_X87_STORE(store_i64, "fistpll", i64)
struct Bcd {
    u8 b[10];
};
HM_X87_STORE(store_bcd, "fbstp", Bcd)
#undef HM_X87_STORE

// Loads a memory operand with the given load mnemonic; returns ST(0) and the status word.
#define HM_X87_LOAD(NAME, INSN, TYPE)                                                     \
    inline Out NAME(u16 control, TYPE in) {                                              \
        Out o{};                                                                          \
        asm volatile("fninit\n\tfldcw %[cw]\n\t" INSN " %[m]\n\t"                        \
                     "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfninit\n\t"                 \
                     : [r] "=m"(o.value), [sw] "=m"(o.sw)                                 \
                     : [cw] "m"(control), [m] "m"(in)                                     \
                     : HM_X87_CLOBBERS);                                                  \
        return o;                                                                         \
    }
HM_X87_LOAD(load_f32, "flds", u32)
HM_X87_LOAD(load_f64, "fldl", u64)
HM_X87_LOAD(load_i16, "filds", i16)
HM_X87_LOAD(load_i32, "fildl", i32)
HM_X87_LOAD(load_i64, "fildll", i64)
HM_X87_LOAD(load_bcd, "fbld", Bcd)
#undef HM_X87_LOAD
#undef HM_X87_CLOBBERS

#else
constexpr bool kHostX87 = false;
#endif

}  // namespace hm::fpu::host
