// Fuzz target: the trace reader (emu/debug/trace_reader.cpp) and the record
// formatter behind `hm386 trace`. The input is written to a file (the reader
// opens paths, through zlib, which reads plain and gzip files alike) and read to
// its end; a bad file must be one TraceError, never a crash or a hang.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "debug/trace_format.hpp"
#include "debug/trace_reader.hpp"

namespace {
const std::string& scratch_path() {
    static const std::string p = "/tmp/hm386-fuzz-trace-" + std::to_string(::getpid()) + ".bin";
    return p;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string& path = scratch_path();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) __builtin_trap();
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
    try {
        hm::TraceReader reader(path);
        (void)reader.cpu_hz();
        // A record takes at least one input byte, so a well-formed trace ends
        // well before this bound; more means the reader invents records.
        for (size_t n = 0;; ++n) {
            auto rec = reader.next();
            if (!rec) break;
            (void)hm::format_trace_record(*rec);
            if (n > 64 * (size + 64)) __builtin_trap();
        }
    } catch (const hm::TraceError&) {
    }
    std::remove(path.c_str());
    return 0;
}
