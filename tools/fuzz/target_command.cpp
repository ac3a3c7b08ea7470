// Fuzz target: the debugger's command language (emu/debug/command_*.cpp,
// commands_*.cpp) over a small running machine (fuzz_machine.hpp). The input is
// a script: one command per line, the first byte choosing paging on or off.
// Every command either works or prints one "error:" line; nothing may crash,
// hang or escape as an exception. HM386_FUZZ_ECHO=1 prints each command and its
// output to stderr. The session's host files are off (fuzz_machine.hpp):
// `savevm`, `loadvm` and `sym-file` answer an error, however they are reached.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "debug/command_interpreter.hpp"
#include "fuzz_machine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string script(reinterpret_cast<const char*>(data) + 1, size - 1);

    // HM386_FUZZ_ECHO=1: print every command and its output (to read what a
    // finding's input does).
    static const bool echo = std::getenv("HM386_FUZZ_ECHO") != nullptr;
    hm::fuzz::FuzzInput in((data[0] & 1) != 0);
    hm::dbg::CommandInterpreter cli(in.debugger());
    size_t pos = 0;
    while (pos <= script.size()) {
        const size_t nl = script.find('\n', pos);
        const std::string line = script.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? script.size() + 1 : nl + 1;
        const auto r = cli.execute(line);
        if (echo) std::fprintf(stderr, "(hm386) %s\n%s", line.c_str(), r.output.c_str());
        if (r.quit) break;
    }
    return 0;
}
