// gdb's x87 registers (the i386 core feature's numbers 16-31) over
// CpuState::fpu: st0-st7 as 80-bit values in stack order (st0 is ST(0), the
// physical register TOP), then fctrl, fstat (TOP included), ftag (the full
// two-bit-per-register tag word FSTENV stores), fiseg, fioff, foseg, fooff
// and fop, 32 bits each in the packets, as gdb's i386 target and QEMU's stub
// lay them out.
#pragma once
#include <string>
#include <vector>

#include "cpu/state.hpp"

namespace hm::dbg {

constexpr unsigned kGdbX87Count = 16;
// Bytes of x87 register k (0-15) in the g/p packets.
constexpr unsigned gdb_x87_size(unsigned k) { return k < 8 ? 10 : 4; }
// Register k as little-endian hex.
std::string gdb_x87_read(const FpuState& f, unsigned k);
// Writes register k from its little-endian bytes (gdb_x87_size(k) of them).
// The control-type registers are 16 bits (fop 11): a wider value is refused.
// A stack register keeps its empty/non-empty tag (its class follows the new
// value); ftag decides empty or not per physical register, the rest of each
// tag follows the value, as FLDENV does. Nothing else changes.
bool gdb_x87_write(FpuState& f, unsigned k, const std::vector<u8>& bytes);

}  // namespace hm::dbg
