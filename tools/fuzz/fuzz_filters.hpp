// Input filters shared by the debugger-facing targets.
//
// The command-language evaluator recurses once per bracket without a depth bound
// (issue 22's first item, fixed separately by bounding the nesting); an input
// nesting brackets deeper than 200 would only find that known stack overflow
// again and again, masking anything else, so such inputs are skipped.
#pragma once
#include <cstddef>
#include <string>

namespace hm::fuzz {

inline bool nests_too_deep(const std::string& s, int limit = 200) {
    int depth = 0;
    for (char c : s) {
        if (c == '(' || c == '[') {
            if (++depth > limit) return true;
        } else if ((c == ')' || c == ']') && depth > 0) {
            --depth;
        } else if (c == '\n') {
            depth = 0;
        }
    }
    return false;
}

// The commands inside gdb `monitor` packets (qRcmd,HEX): the hex decoded up to
// the first character that is not a hex digit.
inline std::string monitor_commands(const std::string& stream) {
    auto digit = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (size_t at = stream.find("qRcmd,"); at != std::string::npos; at = stream.find("qRcmd,", at + 1)) {
        for (size_t i = at + 6; i + 1 < stream.size() && digit(stream[i]) >= 0 && digit(stream[i + 1]) >= 0; i += 2)
            out += static_cast<char>(digit(stream[i]) * 16 + digit(stream[i + 1]));
        out += '\n';
    }
    return out;
}

}  // namespace hm::fuzz
