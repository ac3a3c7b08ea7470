// The parts of the suite's metadata.json and revocation_list.txt the harness
// needs: per opcode (and per ModRM.reg for groups) the mask of FLAGS bits that
// are defined, and the hashes of revoked tests.
#pragma once
#include <map>
#include <set>
#include <string>

#include "core/types.hpp"

namespace hm::sst {

struct OpcodeMeta {
    std::string status;      // normal, undocumented, alias, undefined, fpu, prefix ...
    u16 flags_mask = 0xFFFF;  // FLAGS bits with defined results
};

class SuiteMetadata {
public:
    // Throws std::runtime_error with the file name on a parse error.
    static SuiteMetadata load(const std::string& dir);

    // `key` is the opcode as the file names spell it ("80", "0F01"); reg is
    // the group member or -1.
    OpcodeMeta lookup(const std::string& key, int reg) const;
    bool revoked(const std::string& hash) const { return revoked_.count(hash) != 0; }

private:
    std::map<std::string, OpcodeMeta> entries_;  // "80" or "80.3"
    std::set<std::string> revoked_;
};

}  // namespace hm::sst
