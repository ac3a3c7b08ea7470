// Input filters shared by the debugger-facing targets.
#pragma once
#include <cstddef>
#include <sstream>
#include <string>

namespace hm::fuzz {

// True when a command script names a command that reads or writes host files
// (sym-file, savevm, loadvm): a fuzzer must not steer file names on the host.
// Such inputs are skipped. Each line is split as CommandInterpreter::execute
// splits it (text after '#' dropped, words separated by any white space,
// "NAME/..." read as NAME): a filter that split on spaces and tabs only let
// "savevm\vFILE" through, and a run wrote snapshots named by the fuzzer into
// its working folder. (Bracket nesting is no longer filtered: the evaluator
// bounds it, and the fuzzers now check that bound.)
inline bool touches_host_files(const std::string& script) {
    std::istringstream lines(script);
    std::string line;
    while (std::getline(lines, line)) {
        if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        std::istringstream words(line);
        std::string w;
        if (!(words >> w)) continue;
        if (size_t slash = w.find('/'); slash != std::string::npos && slash > 0) w.resize(slash);
        if (w == "sym-file" || w == "symbol-file" || w == "savevm" || w == "loadvm") return true;
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
