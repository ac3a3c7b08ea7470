// Reads the operand part of an opcode-table row, written in the SDM's opcode-map
// notation (Vol. 2, Appendix A.2): an addressing letter followed by a size letter.
//   E  ModRM r/m (register or memory)    G  ModRM reg (general register)
//   M  ModRM r/m, memory only            R  ModRM r/m, register only (mod ignored)
//   S  ModRM reg names a segment reg.    C / D  ModRM reg names a control / debug reg.
//   I  immediate                         J  relative branch displacement
//   O  moffs (address-size offset)       A  far pointer (offset then selector)
//   X  DS:(E)SI, Y ES:(E)DI (string operands, no encoding bytes)
// Size letters: b byte, w word, d dword, v/z word or dword by operand size,
// p far pointer, a BOUND pair, s pseudo-descriptor, q qword.
// Departures from the SDM, to keep rows one per encoding:
//   Zb/Zv  register in the opcode's low three bits (sandpile.org's letter), so that
//          "PUSH Zv" stands for the SDM's eight rows 50-57;
//   Ibs    an immediate byte sign-extended to the operand size (the SDM marks
//          this in a footnote of the opcode map instead of in the operand);
//   Iv     the SDM's Iv (MOV r,imm): word or dword, like Iz on a 32-bit CPU.
// Anything else (AL, eAX, DX, CL, 1, CS ...) is an implicit operand: no bytes.
#pragma once
#include <string>

#include "core/types.hpp"

namespace hm::cpu {

enum class ModrmUse : u8 { None, Any, MemOnly, RegOnly };

enum class ImmKind : u8 {
    None,
    Ib,   // byte, zero-extended
    Ibs,  // byte, sign-extended
    Iw,   // word
    Iz,   // word or dword by operand size, zero-extended
    Jb,   // byte displacement, sign-extended
    Jz,   // word or dword displacement by operand size, sign-extended
    Ap,   // far pointer: word or dword offset (imm), then word selector (imm2)
    O,    // moffs: word or dword by address size, stored as the displacement
};

struct OperandSpec {
    ModrmUse modrm = ModrmUse::None;
    bool rm_byte = false;     // the E/R operand is a byte register when in a register
    bool reg_byte = false;    // the G/Z operand is a byte register
    bool opcode_reg = false;  // Z: register in the opcode's low three bits
    ImmKind imm1 = ImmKind::None;
    ImmKind imm2 = ImmKind::None;  // only ENTER (Iw,Ib)
};

// Parses "MNEMONIC op,op,op". Throws std::invalid_argument naming the row on
// notation it does not understand, so a typo in a table fails at start-up.
OperandSpec parse_operand_spec(const std::string& syntax);

}  // namespace hm::cpu
