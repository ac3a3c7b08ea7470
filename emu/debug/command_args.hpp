// The words of one command line and the small parsers the commands share:
// numbers, options (--name VALUE), flags (--name) and fixed keywords. Every
// parser throws DebugError with the word that is wrong.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "debug/command_interpreter.hpp"

namespace hm::dbg {

struct CommandInterpreter::Args {
    std::string command;             // the name as typed
    std::vector<std::string> words;  // after the command name
    size_t pos = 0;

    bool empty() const { return pos >= words.size(); }
    size_t left() const { return words.size() - pos; }
    const std::string& peek() const { return words[pos]; }
    std::string next(const char* what) {
        if (empty()) throw DebugError(command + ": missing " + what);
        return words[pos++];
    }
    // Removes "--name" if present.
    bool flag(const std::string& name) {
        auto it = std::find(words.begin() + static_cast<std::ptrdiff_t>(pos), words.end(), name);
        if (it == words.end()) return false;
        words.erase(it);
        return true;
    }
    // Removes "--name VALUE" if present and returns VALUE.
    std::optional<std::string> option(const std::string& name) {
        auto it = std::find(words.begin() + static_cast<std::ptrdiff_t>(pos), words.end(), name);
        if (it == words.end()) return std::nullopt;
        if (it + 1 == words.end()) throw DebugError(command + ": " + name + " needs a value");
        std::string v = *(it + 1);
        words.erase(it, it + 2);
        return v;
    }
    // The rest of the line, joined by single spaces.
    std::string rest() {
        std::string s;
        for (; pos < words.size(); ++pos) s += (s.empty() ? "" : " ") + words[pos];
        return s;
    }
    void done() const {
        if (!empty()) throw DebugError(command + ": unexpected '" + words[pos] + "' (see: help " + command + ")");
    }
};

}  // namespace hm::dbg
