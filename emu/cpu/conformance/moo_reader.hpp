// Reader for the SingleStepTests "MOO" files (format: dbalsom/moo,
// doc/moo_format_v1.md): a gzipped chunk stream with one TEST chunk per
// instruction execution, each holding the instruction bytes, the initial and
// final register state (final: only the registers that changed) and the RAM
// bytes involved, plus the exception taken, if any.
#pragma once
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/types.hpp"

namespace hm::sst {

// Register order of the REGS chunk bitmask (bit 0 = ax ... bit 13 = flags).
enum Reg16 : u8 { AX, BX, CX, DX, CS, SS, DS, ES, SP, BP, SI, DI, IP, FLAGS, kReg16Count };
const char* reg16_name(unsigned r);

struct RegState {
    u16 mask = 0;  // which registers are present
    u16 v[kReg16Count] = {};
};

struct MooTest {
    u32 index = 0;
    std::string name;
    std::vector<u8> bytes;
    RegState init;
    RegState final;
    std::vector<std::pair<u32, u8>> init_ram;
    std::vector<std::pair<u32, u8>> final_ram;
    int exception = -1;  // vector, or -1
    u32 exception_flags_addr = 0;
    std::string hash;  // hex SHA-1
};

struct MooFile {
    std::string cpu_id;
    std::string mnemonic;
    std::vector<MooTest> tests;
};

class MooError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Reads a .MOO or .MOO.gz file; throws MooError on a malformed file.
MooFile read_moo(const std::string& path);

}  // namespace hm::sst
