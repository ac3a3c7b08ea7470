#include "exclusions.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hm::sst {

namespace {

constexpr int kUD = 6, kNM = 7, kSS = 12, kGP = 13;

bool is_prefix(u8 b) { return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0xF0 || b == 0xF2 || b == 0xF3; }

bool has_lock_prefix(const MooTest& t) {
    for (u8 b : t.bytes) {
        if (b == 0xF0) return true;
        if (!is_prefix(b)) return false;
    }
    return false;
}

// Index of the opcode byte (after prefixes), or bytes.size().
size_t opcode_index(const MooTest& t) {
    size_t i = 0;
    while (i < t.bytes.size() && is_prefix(t.bytes[i])) ++i;
    return i;
}

// Instruction length: the test bytes end with the HLT that stops the run.
size_t instruction_length(const MooTest& t) {
    return t.bytes.empty() ? 0 : t.bytes.size() - (t.bytes.back() == 0xF4 ? 1 : 0);
}

constexpr u16 bit(Reg16 r) { return static_cast<u16>(1u << r); }

const char* const kConditions[] = {"lock-prefix",    "undefined-286", "ss-fault-vector", "fault-partial-update",
                                   "length-limit",   "fs-gs"};

}  // namespace

bool condition_known(const std::string& name) {
    for (const char* c : kConditions)
        if (name == c) return true;
    return false;
}

bool condition_holds(const std::string& name, const MooTest& t, const TestOutcome& r) {
    if (name == "lock-prefix") return has_lock_prefix(t) && r.our_exception == kUD && t.exception != kUD;
    if (name == "undefined-286") return t.name.rfind("(bad)", 0) == 0 && r.our_exception == kUD;
    if (name == "ss-fault-vector") return t.exception == kGP && r.our_exception == kSS;
    if (name == "fault-partial-update") {
        const u16 allowed = bit(SP) | bit(SI) | bit(DI) | bit(CX) | bit(BP);
        return (t.exception == kGP || t.exception == kSS) && r.our_exception == t.exception && !r.stopped_early &&
               (r.reg_mismatch & ~allowed) == 0;
    }
    if (name == "length-limit") return t.exception == kGP && r.our_exception < 0 && instruction_length(t) > 10;
    if (name == "fs-gs") {
        const size_t i = opcode_index(t);
        if (i + 1 >= t.bytes.size()) return false;
        const u8 op = t.bytes[i], sreg = (t.bytes[i + 1] >> 3) & 7;
        return (op == 0x8C || op == 0x8E) && (sreg == 4 || sreg == 5) && t.exception == kUD && r.our_exception < 0;
    }
    return false;
}

ExclusionList ExclusionList::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read exclusion list " + path);
    ExclusionList list;
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ls(line);
        ExclusionRule r;
        ls >> r.id >> r.files >> r.condition;
        std::getline(ls, r.reason);
        if (r.id.empty()) continue;
        if (!condition_known(r.condition)) {
            throw std::runtime_error(path + ":" + std::to_string(n) + ": unknown condition '" + r.condition + "'");
        }
        list.rules_.push_back(r);
    }
    return list;
}

const ExclusionRule* ExclusionList::match(const std::string& file, const MooTest& t, const TestOutcome& r) const {
    for (const ExclusionRule& rule : rules_) {
        if (rule.files != "*" && file.rfind(rule.files, 0) != 0) continue;
        if (condition_holds(rule.condition, t, r)) return &rule;
    }
    return nullptr;
}

}  // namespace hm::sst
