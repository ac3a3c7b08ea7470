// Capstone behind a small interface: decode one x86 instruction (16- or 32-bit
// code, Intel or AT&T syntax) into the debugger's Instruction. Handles are opened
// once per mode and syntax and reused.
#pragma once
#include <cstddef>
#include <memory>

#include "debug/debugger_types.hpp"

namespace hm::dbg {

class Disassembler {
public:
    Disassembler();
    ~Disassembler();
    Disassembler(const Disassembler&) = delete;
    Disassembler& operator=(const Disassembler&) = delete;

    // Decodes the instruction at the start of `bytes` (n bytes available) located
    // at linear `addr`. Bytes that do not decode give valid == false, length 1.
    Instruction decode(const u8* bytes, size_t n, u32 addr, bool code32, Syntax syntax) const;

private:
    struct Handles;
    std::unique_ptr<Handles> h_;
};

}  // namespace hm::dbg
