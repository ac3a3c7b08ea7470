// Reads a trace written by TraceWriter, one record at a time.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>

#include "debug/trace_format.hpp"

namespace hm {

class TraceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class TraceReader {
public:
    // Throws TraceError if the file cannot be opened or is not a trace.
    explicit TraceReader(const std::string& path);
    ~TraceReader();
    TraceReader(const TraceReader&) = delete;
    TraceReader& operator=(const TraceReader&) = delete;

    u64 cpu_hz() const { return cpu_hz_; }
    // The next record; nullopt at the clean end. Throws TraceError for a cut-off
    // or corrupt record.
    std::optional<TraceRecord> next();

private:
    TraceRecord parse(u8 kind);        // the rest of a record after its kind byte
    bool read(void* dst, unsigned n);  // false at a clean end before the first byte
    u8 r8();
    u16 r16();
    u32 r32();
    u64 r64();

    void* gz_ = nullptr;
    u64 cpu_hz_ = 0;
    u64 records_ = 0;  // whole records read so far
    std::string path_;
};

}  // namespace hm
