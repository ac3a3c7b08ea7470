// Guest-visible faults are thrown as GuestFault values. Code deep in an instruction
// (a segment check, the MMU after a walk that faulted) throws one; the CPU's
// execution loop catches it and delivers the exception. Nothing is rolled back:
// instructions write EIP only when they complete, so it still names the faulting
// instruction, and the loop takes the cycles and instruction counts of the block's
// unretired instructions back (run_loop.cpp, fix_counts_after_fault). Only the page
// walk itself returns its fault as data (WalkResult, mmu/page_walk.hpp); the MMU
// turns that into a throw. Throwing keeps every memory access on the hot path free
// of error checks: a C++ throw is costly, but only on the rare path where the guest
// really faults.
#pragma once
#include "core/types.hpp"

namespace hm {

enum class Vector : u8 {
    DE = 0,   // divide error
    DB = 1,   // debug
    NMI = 2,
    BP = 3,   // breakpoint (INT3)
    OF = 4,   // overflow (INTO)
    BR = 5,   // BOUND range exceeded
    UD = 6,   // invalid opcode
    NM = 7,   // device not available
    DF = 8,   // double fault
    TS = 10,  // invalid TSS
    NP = 11,  // segment not present
    SS = 12,  // stack-segment fault
    GP = 13,  // general protection
    PF = 14,  // page fault
    MF = 16,  // x87 error
    AC = 17,  // alignment check
    MC = 18,  // machine check
};

// Page-fault error code bits (SDM Vol. 3A, 4.7).
namespace pf_error {
constexpr u32 kPresent = 1u << 0;  // 0: not present; 1: protection violation
constexpr u32 kWrite = 1u << 1;
constexpr u32 kUser = 1u << 2;
constexpr u32 kReservedBit = 1u << 3;
constexpr u32 kInstructionFetch = 1u << 4;
}  // namespace pf_error

struct GuestFault {
    Vector vector;
    bool has_error_code;
    u32 error_code;

    static GuestFault with_code(Vector v, u32 code) { return {v, true, code}; }
    static GuestFault without_code(Vector v) { return {v, false, 0}; }
};

[[noreturn]] inline void raise(Vector v) { throw GuestFault::without_code(v); }
[[noreturn]] inline void raise(Vector v, u32 error_code) { throw GuestFault::with_code(v, error_code); }

const char* vector_name(Vector v);

}  // namespace hm
