// Builders that fill a table row's handler grid (Forms::h[o32][a32][mem]) from
// one handler template, so a row names its semantics once and the compiler
// instantiates the widths and forms the row can reach.
//   H::template run<T, Form>  — sized<H>() for v-sized rows, byte<H>() for b rows
//   H::template run<T, A>     — by_addr<H, T>() where A (u16/u32) is the address size
//   plain function            — one<fn>() for rows whose semantics do not vary
#pragma once
#include "cpu/ops/operands.hpp"
#include "decode/opcode_def.hpp"

namespace hm::cpu {

template <class H>
constexpr Forms sized() {
    Forms f{};
    for (int a = 0; a < 2; ++a) {
        f.h[0][a][0] = &H::template run<u16, Form::Reg>;
        f.h[0][a][1] = &H::template run<u16, Form::Mem>;
        f.h[1][a][0] = &H::template run<u32, Form::Reg>;
        f.h[1][a][1] = &H::template run<u32, Form::Mem>;
    }
    return f;
}

template <class H>
constexpr Forms byte() {
    Forms f{};
    for (int o = 0; o < 2; ++o) {
        for (int a = 0; a < 2; ++a) {
            f.h[o][a][0] = &H::template run<u8, Form::Reg>;
            f.h[o][a][1] = &H::template run<u8, Form::Mem>;
        }
    }
    return f;
}

// One fixed width whatever the operand size (e.g. "MOV Ew,Sw", "ARPL Ew,Gw").
template <class H, typename T>
constexpr Forms fixed() {
    Forms f{};
    for (int o = 0; o < 2; ++o) {
        for (int a = 0; a < 2; ++a) {
            f.h[o][a][0] = &H::template run<T, Form::Reg>;
            f.h[o][a][1] = &H::template run<T, Form::Mem>;
        }
    }
    return f;
}

// Memory-only rows: the register form stays empty (#UD).
template <class H>
constexpr Forms sized_mem() {
    Forms f{};
    for (int a = 0; a < 2; ++a) {
        f.h[0][a][1] = &H::template run<u16, Form::Mem>;
        f.h[1][a][1] = &H::template run<u32, Form::Mem>;
    }
    return f;
}

// Rows whose semantics vary with the operand width T and the address size A.
template <class H, typename T>
constexpr Forms by_addr() {
    Forms f{};
    for (int o = 0; o < 2; ++o) {
        for (int m = 0; m < 2; ++m) {
            f.h[o][0][m] = &H::template run<T, u16>;
            f.h[o][1][m] = &H::template run<T, u32>;
        }
    }
    return f;
}

template <class H>
constexpr Forms by_addr_sized() {
    Forms f{};
    for (int m = 0; m < 2; ++m) {
        f.h[0][0][m] = &H::template run<u16, u16>;
        f.h[0][1][m] = &H::template run<u16, u32>;
        f.h[1][0][m] = &H::template run<u32, u16>;
        f.h[1][1][m] = &H::template run<u32, u32>;
    }
    return f;
}

// Rows whose semantics vary only with the operand size.
template <class H>
constexpr Forms by_size() {
    Forms f{};
    for (int a = 0; a < 2; ++a) {
        for (int m = 0; m < 2; ++m) {
            f.h[0][a][m] = &H::template run<u16>;
            f.h[1][a][m] = &H::template run<u32>;
        }
    }
    return f;
}

template <Handler Fn>
constexpr Forms one() {
    Forms f{};
    for (auto& a : f.h)
        for (auto& b : a)
            for (Handler& h : b) h = Fn;
    return f;
}

}  // namespace hm::cpu
