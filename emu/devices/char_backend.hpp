// Where character devices (UART, debug console, POST log) send bytes and where
// the UART gets input from. Front ends provide implementations: host files and
// stdio (host_char_backend.hpp), or captures in tests and the GUI.
#pragma once
#include <cstddef>
#include <string>

#include "core/types.hpp"

namespace hm {

class CharSink {
public:
    virtual ~CharSink() = default;
    virtual void write(const u8* data, size_t n) = 0;
    void put(u8 byte) { write(&byte, 1); }
    void write_text(const std::string& s) { write(reinterpret_cast<const u8*>(s.data()), s.size()); }
};

class CharSource {
public:
    virtual ~CharSource() = default;
    // Returns the number of bytes copied (0 when nothing is waiting). Never blocks.
    virtual size_t read(u8* data, size_t max) = 0;
    // True while more input may still arrive (false after end of file).
    virtual bool open() const = 0;
    // Waits up to timeout_ms for input (used only when the guest idles with
    // nothing else to wake it); returns true if input is ready.
    virtual bool wait(int timeout_ms) = 0;
};

// Collects output in memory (tests, GUI panels).
class CaptureSink : public CharSink {
public:
    void write(const u8* data, size_t n) override { text.append(reinterpret_cast<const char*>(data), n); }
    std::string text;
};

}  // namespace hm
