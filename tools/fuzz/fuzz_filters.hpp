// Input filters shared by the debugger-facing targets.
#pragma once
#include <cstddef>
#include <string>

namespace hm::fuzz {

// True when a command script names a command that reads or writes host files
// (sym-file, savevm, loadvm): a fuzzer must not steer file names on the host.
// Such inputs are skipped. (Bracket nesting is no longer filtered: the
// evaluator bounds it, and the fuzzers now check that bound.)
inline bool touches_host_files(const std::string& script) {
    size_t pos = 0;
    while (pos <= script.size()) {
        size_t nl = script.find('\n', pos);
        if (nl == std::string::npos) nl = script.size();
        const size_t b = script.find_first_not_of(" \t", pos);
        if (b != std::string::npos && b < nl) {
            size_t e = script.find_first_of(" \t\n", b);
            if (e == std::string::npos || e > nl) e = nl;
            const std::string w = script.substr(b, e - b);
            if (w == "sym-file" || w == "symbol-file" || w == "savevm" || w == "loadvm") return true;
        }
        pos = nl + 1;
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
