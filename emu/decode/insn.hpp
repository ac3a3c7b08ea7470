// A pre-decoded instruction: everything the decoder extracted once (operands,
// prefixes, length, base cost) plus the handler that executes it. Blocks of these
// live in the decode cache; the run loop calls `fn` and follows the returned
// pointer (the next Insn, or nullptr at the end of the block).
#pragma once
#include "core/types.hpp"

namespace hm::cpu {

struct Core;
struct Insn;

// Executes one instruction; returns the next one to run, or nullptr to leave the
// block. A handler advances EIP itself, and only after its last access that can
// fault: a GuestFault thrown before that leaves EIP on the instruction.
using Handler = const Insn* (*)(Core&, const Insn*);

namespace insn_flag {
constexpr u8 kA32 = 1u << 0;          // 32-bit address size
constexpr u8 kO32 = 1u << 1;          // 32-bit operand size
constexpr u8 kRep = 1u << 2;          // F3 prefix (REP / REPE)
constexpr u8 kRepNe = 1u << 3;        // F2 prefix (REPNE)
constexpr u8 kLock = 1u << 4;         // F0 prefix
constexpr u8 kSegOverride = 1u << 5;  // a segment prefix chose `seg`
constexpr u8 kMem = 1u << 6;          // the ModRM operand is in memory
}  // namespace insn_flag

struct Insn {
    Handler fn = nullptr;
    u32 disp = 0;  // memory displacement, or moffs address
    u32 imm = 0;   // first immediate (sign-extended when the form says so), branch displacement, far offset
    u16 imm2 = 0;  // second immediate: far selector, ENTER nesting level
    u8 len = 0;
    u8 reg = 0;    // ModRM.reg, or the register in the opcode's low bits (byte index for 8-bit operands)
    u8 rm = 0;     // ModRM.rm register for register forms (byte index for 8-bit operands)
    u8 base = 8;   // base register of the memory operand, 8 = none
    u8 index = 8;  // index register, 8 = none
    u8 scale = 0;  // index shift count
    u8 seg = 3;    // segment of the memory operand (sreg number)
    u8 cycles = 0; // base cost from the cycle table
    u8 flags = 0;  // insn_flag bits
    u8 opcode = 0; // last opcode byte (handlers shared between a few encodings use it)
};
static_assert(sizeof(Insn) == 32, "keep Insn at half a cache line");

}  // namespace hm::cpu
