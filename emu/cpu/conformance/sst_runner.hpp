// Runs SingleStepTests real-mode tests on the CPU: a 16 MiB machine whose whole
// address space is RAM (device RAM over the legacy hole), the test's registers
// and RAM loaded, then execution from CS:IP until the HLT that follows the
// instruction (or the HLT at the exception handler). The outcome is compared
// with the captured final state: every register (the final state lists only
// those that changed), and the listed RAM bytes.
//
// Masks applied to every comparison, because they describe the 286 itself
// rather than a bug (docs/conformance.md):
//   * FLAGS bits 12-15: a 286 in real mode always reads them as 0, a 386 keeps
//     IOPL/NT; compared neither in FLAGS nor in a FLAGS image pushed on the stack;
//   * the flags metadata.json marks undefined for the opcode;
//   * the same bits 12-15 of the word PUSHF stores.
#pragma once
#include <memory>
#include <string>

#include "cpu/cpu.hpp"
#include "moo_reader.hpp"

namespace hm::sst {

struct TestOutcome {
    bool passed = false;
    std::string diff;        // human-readable mismatch
    int our_exception = -1;  // first exception or interrupt our CPU delivered
    u16 reg_mismatch = 0;    // bit per Reg16 whose final value differs
    bool ram_mismatch = false;
    bool stopped_early = false;  // the run did not end at a HLT
};

class SstMachine {
public:
    SstMachine();
    ~SstMachine();
    // `flags_mask`: FLAGS bits to compare (from metadata.json).
    TestOutcome run(const MooTest& t, u16 flags_mask);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hm::sst
