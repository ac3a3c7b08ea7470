// The shape of one row of the opcode table. Rows are data written in the SDM's
// own notation ("ADD Eb,Gb", "SHL Ev,Ib"); the decoder derives from the operand
// letters whether a ModRM byte follows, which immediates to read and which
// register fields name byte registers (operand_spec.hpp). Each instruction
// family keeps its rows next to its semantics (emu/cpu/ops/*.cpp); the dispatch
// table merges them and refuses duplicates (dispatch_table.hpp).
#pragma once
#include <span>

#include "decode/insn.hpp"

namespace hm::cpu {

// Handlers for one row, by operand size, address size and operand form:
// h[o32][a32][mem]. Families fill only what their row can reach; a null slot
// decodes to #UD (e.g. the register form of "LEA Gv,M").
struct Forms {
    Handler h[2][2][2] = {};
};

namespace attr {
constexpr u16 kLock = 1u << 0;       // LOCK allowed (with a memory destination)
constexpr u16 kEndsBlock = 1u << 1;  // control transfer or state change: last in its block
constexpr u16 kRepString = 1u << 2;  // REP-able string instruction: ends its block (resumable)
// May change what the next fetch translates to: CS, CPL, paging, EFER, or (through
// a device) the physical map. The run loop re-translates CS:EIP after such a block
// instead of reusing the page it was just executing from.
constexpr u16 kNewContext = 1u << 3;
}  // namespace attr

// Opcode numbering: 0x000-0x0FF one-byte opcodes, 0x100-0x1FF the 0F xx map.
constexpr u16 k0F = 0x100;

struct OpcodeDef {
    u16 first;         // opcode (or the first of a +r range such as 50-57)
    u16 last;          // equal to first unless the register is in the opcode's low bits
    i8 group;          // ModRM.reg for group members (80 /0 ...), -1 otherwise
    const char* syntax;
    Forms forms;
    u16 attrs;
    u8 cost_reg;       // base cycles, register (or no) operand
    u8 cost_mem;       // base cycles, memory operand
};

struct OpcodeFamily {
    const char* name;
    std::span<const OpcodeDef> defs;
};

}  // namespace hm::cpu
