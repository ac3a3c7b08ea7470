// The exclusion list: rules that mark a failing test as a true 286/386
// difference rather than a bug. A rule names the files it applies to (a prefix
// of the file name, or *), and a condition from the fixed set below, each of
// which recognises one documented difference from the test and from what our
// CPU did. Rules live in a text file (emu/cpu/conformance/exclusions.txt),
// one per line:   id  files  condition  reason...
// Conditions (each one a documented 286/386 difference):
//   lock-prefix        LOCK on a form the 386 does not allow: the 386 raises
//                      #UD, the 286 ignores the prefix
//   undefined-286      an encoding the suite calls undefined on the 286 (test
//                      name "(bad)"); the 386 defines it as #UD
//   ss-fault-vector    a stack access past offset FFFFh: the 386 raises #SS,
//                      the 286 (real mode) #GP
//   fault-partial-update  both CPUs fault on a segment wrap, but the 286 has
//                      already advanced SP/SI/DI/CX/BP (so its exception frame
//                      also lands elsewhere); the 386 changes nothing
//   length-limit       the 286 rejects instructions longer than 10 bytes with
//                      #GP; the 386 allows 15
//   fs-gs              MOV to/from sreg 4/5 (FS/GS) is #UD on the 286
#pragma once
#include <string>
#include <vector>

#include "moo_reader.hpp"
#include "sst_runner.hpp"

namespace hm::sst {

struct ExclusionRule {
    std::string id;
    std::string files;      // file-name prefix, or "*"
    std::string condition;
    std::string reason;
};

class ExclusionList {
public:
    // Throws std::runtime_error naming the line for an unknown condition.
    static ExclusionList load(const std::string& path);
    const ExclusionRule* match(const std::string& file, const MooTest& t, const TestOutcome& r) const;
    const std::vector<ExclusionRule>& rules() const { return rules_; }

private:
    std::vector<ExclusionRule> rules_;
};

bool condition_known(const std::string& name);
bool condition_holds(const std::string& name, const MooTest& t, const TestOutcome& r);

}  // namespace hm::sst
