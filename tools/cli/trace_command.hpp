// `hm386 trace FILE`: prints a trace written by `hm386 run --trace`, one event
// per line (format in emu/debug/trace_format.cpp), optionally filtered.
#pragma once
#include <string>

#include <CLI/CLI.hpp>

#include "core/types.hpp"

namespace hm {

struct TraceOptions {
    std::string file;
    std::string events = "all";
    u64 limit = 0;
};

void add_trace_options(CLI::App& cmd, TraceOptions& o);
int trace_command(const TraceOptions& o);

}  // namespace hm
