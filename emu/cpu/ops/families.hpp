// The instruction families, each defined (semantics + opcode rows) in its own
// file under emu/cpu/ops/. families.cpp merges them into the dispatch table.
#pragma once
#include "decode/opcode_def.hpp"

namespace hm::cpu {

extern const OpcodeFamily kAluFamily;       // alu.cpp
extern const OpcodeFamily kMovFamily;       // mov.cpp
extern const OpcodeFamily kStackFamily;     // stack.cpp
extern const OpcodeFamily kControlFamily;   // control.cpp
extern const OpcodeFamily kFarFamily;       // far.cpp
extern const OpcodeFamily kShiftFamily;     // shift.cpp
extern const OpcodeFamily kMulDivFamily;    // muldiv.cpp
extern const OpcodeFamily kBitFamily;       // bit.cpp
extern const OpcodeFamily kStringFamily;    // string.cpp
extern const OpcodeFamily kBcdFamily;       // bcd.cpp
extern const OpcodeFamily kFlagFamily;      // flagops.cpp
extern const OpcodeFamily kIoFamily;        // io.cpp
extern const OpcodeFamily kSystemFamily;    // system.cpp
extern const OpcodeFamily kDescriptorFamily;  // descriptor.cpp
extern const OpcodeFamily kExchangeFamily;  // exchange.cpp
extern const OpcodeFamily kX87Family;       // x87_table.cpp

}  // namespace hm::cpu
