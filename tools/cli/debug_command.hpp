// `hm386 debug IMAGE [run options] [--script FILE] [--gdb PORT]`: the debugger's
// command language on a booted machine — a REPL on stdin, a script file, or the
// gdb remote stub (docs/debugger.md).
#pragma once
#include <string>

#include <CLI/CLI.hpp>

#include "run_options.hpp"

namespace hm {

struct DebugOptions {
    RunOptions run;
    std::string script;       // commands to run first
    bool interactive = false; // after the script: read commands from stdin too
    std::string symbols;      // ELF or Linux System.map (default: the kernel, when it is an ELF)
};

void add_debug_options(CLI::App& cmd, DebugOptions& o);
int debug_command(const DebugOptions& options, const ManifestVars& vars);

}  // namespace hm
