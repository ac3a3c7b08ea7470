// Host implementations of the character back ends: `--serial stdio|none|file:PATH`.
// Output goes straight to the file descriptor with write(2), byte for byte as the
// guest produced it, so nothing is buffered in hm386 when it exits or dies.
// Input is read from stdin only when it is a terminal or a pipe, polled without
// blocking (the descriptor's flags are left alone, so a shared terminal is not
// disturbed); a terminal stays in its normal line-buffered mode.
#pragma once
#include <memory>
#include <string>

#include "devices/char_backend.hpp"

namespace hm {

class FdSink : public CharSink {
public:
    // owns: close the descriptor on destruction.
    enum class Owns { No, Yes };
    FdSink(int fd, Owns owns) : fd_(fd), owns_(owns) {}
    ~FdSink() override;
    void write(const u8* data, size_t n) override;

private:
    int fd_;
    Owns owns_;
};

class NullSink : public CharSink {
public:
    void write(const u8*, size_t) override {}
};

class StdinSource : public CharSource {
public:
    // True when stdin is a terminal or a pipe (not /dev/null, not a regular file).
    static bool usable();
    size_t read(u8* data, size_t max) override;
    bool open() const override { return open_; }
    bool wait(int timeout_ms) override;

private:
    bool open_ = true;
};

// Parses "stdio", "none" or "file:PATH" (QEMU's -serial spelling) and opens the
// sink. Throws std::invalid_argument with a one-line message on a bad spec or an
// unwritable file.
std::unique_ptr<CharSink> open_char_sink(const std::string& spec);
bool char_spec_is_stdio(const std::string& spec);

}  // namespace hm
