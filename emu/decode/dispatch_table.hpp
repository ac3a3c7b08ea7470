// The one dispatch table the decoder reads: every family's rows merged into a
// [opcode][ModRM.reg] grid. Building it refuses two rows claiming the same
// encoding and group members that disagree about the ModRM byte, so a table
// mistake stops the program at start-up instead of decoding wrongly. Encodings
// no row claims decode to #UD.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "decode/opcode_def.hpp"
#include "decode/operand_spec.hpp"

namespace hm::cpu {

struct DispatchEntry {
    const OpcodeDef* def = nullptr;  // nullptr: unclaimed (#UD)
    const char* family = nullptr;
    OperandSpec spec;
};

class DispatchTable {
public:
    static constexpr unsigned kOpcodes = 0x200;

    // Throws std::logic_error on duplicates or inconsistent rows, and
    // std::invalid_argument on notation errors (operand_spec.hpp).
    DispatchTable(std::span<const OpcodeFamily> families, Handler undefined_opcode);

    const DispatchEntry& entry(u16 opcode, u8 reg) const { return grid_[opcode][reg & 7]; }
    bool has_modrm(u16 opcode) const { return has_modrm_[opcode]; }
    Handler undefined() const { return undefined_; }

    // Coverage: how many (opcode, reg) cells are claimed, and a readable list.
    unsigned claimed_cells() const;
    std::vector<std::string> describe_claimed() const;

private:
    DispatchEntry grid_[kOpcodes][8];
    bool has_modrm_[kOpcodes] = {};
    Handler undefined_;
};

}  // namespace hm::cpu
