// --record FILE / --replay FILE (docs/snapshots.md, "Record and replay"): the
// input that is not deterministic by construction — serial bytes from the host,
// which arrive when the host happens to deliver them — logged with the machine's
// position (cycles, instructions) at which the machine read them, and fed back
// at the same positions. Everything else the guest sees depends only on the
// cycle counter, so a replay runs through the recorded run's states (its
// --state-hash-every lines are the same).
//
// The log sits where the machine reads its serial input (a CharSource): the
// machine asks for bytes at points of its run loop that depend only on its
// state, and buffers what it gets; so the same answers at the same points give
// the same run. The end of the input (the pipe closed) is a recorded point too.
#pragma once
#include <string>
#include <vector>

#include "cpu/state.hpp"
#include "devices/char_backend.hpp"

namespace hm::snap {

struct InputChunk {
    u64 cycles = 0, instructions = 0;  // where the machine read it
    std::vector<u8> bytes;              // 1..kMaxInputChunk
};

// An edit by a debugger (gdb's G/P/M/X, `monitor set`/`write`) at a position:
// memory (linear or physical: the bytes) or a register (its number in
// dbg::Reg and its value as 8 little-endian bytes, on CPU `cpu`).
struct LoggedEdit {
    enum class Kind : u8 { LinearMemory = 0, PhysicalMemory = 1, Register = 2 };
    u64 cycles = 0, instructions = 0;
    Kind kind = Kind::LinearMemory;
    u8 cpu = 0;
    u64 target = 0;  // address, or the register's number
    std::vector<u8> bytes;
};

struct InputLog {
    u64 image = 0;  // the image identity (snapshot_options: image_identity)
    std::vector<InputChunk> chunks;
    // How the input ended (end of file), and where. A host source learns of the
    // end in a read, and says so from then on; the replay's source does the same.
    enum class End : u8 { Open = 0, BeforeReading = 1, InRead = 2 };
    End end = End::Open;
    u64 closed_cycles = 0, closed_instructions = 0;
    std::vector<LoggedEdit> edits;  // in order
};

constexpr u32 kMaxInputChunk = 4096;

// The file (little-endian): "HM386INP", u32 version 1, u32 flags 0, u64 image
// identity, u8 end (0 open, 1 closed before any read, 2 closed in a read), u64 closed cycles, u64 closed instructions, u64 chunk
// count, then per chunk u64 cycles, u64 instructions, u32 n, n bytes; then u64
// edit count, per edit u64 cycles, u64 instructions, u8 kind, u8 CPU, u64
// target, u32 n, n bytes (1..1 MiB; a register: 8). Nothing may follow. decode throws SnapshotError saying what is wrong.
std::vector<u8> encode_input_log(const InputLog& log);
InputLog decode_input_log(const std::vector<u8>& file);

// Passes the host's input through (nullptr: none) and logs what the machine read.
class InputRecorder : public CharSource {
public:
    explicit InputRecorder(CharSource* host) : host_(host) {}
    void set_host(CharSource* host) { host_ = host; }
    void attach(const CpuState& s) { s_ = &s; }
    InputLog& log() { return log_; }

    size_t read(u8* data, size_t max) override;
    bool open() const override;
    bool wait(int timeout_ms) override { return host_ && host_->wait(timeout_ms); }

private:
    CharSource* host_;
    const CpuState* s_ = nullptr;
    mutable InputLog log_;
};

// Gives the machine the logged bytes at their positions, and nothing else.
class InputPlayer : public CharSource {
public:
    explicit InputPlayer(InputLog log) : log_(std::move(log)) {}
    void attach(const CpuState& s) { s_ = &s; }

    size_t read(u8* data, size_t max) override;
    bool open() const override;
    // The recorded run waited for the host here; the replay waits as long (the
    // guest's idle loop paces itself on host time, so the same waits keep the
    // same host-time decisions), then says nothing arrived.
    bool wait(int timeout_ms) override;

    const std::vector<LoggedEdit>& edits() const { return log_.edits; }
    // Chunks not delivered yet (the replay ended early or went elsewhere).
    size_t undelivered() const { return log_.chunks.size() - next_; }
    // A chunk was delivered later than its recorded position: the run diverged
    // (another build, another command line).
    bool diverged() const { return diverged_; }

private:
    bool reached(u64 cycles, u64 instructions) const;
    InputLog log_;
    const CpuState* s_ = nullptr;
    size_t next_ = 0, offset_ = 0;
    bool diverged_ = false;
    bool end_read_ = false;  // the read that met the end of the input has been made
};

}  // namespace hm::snap
