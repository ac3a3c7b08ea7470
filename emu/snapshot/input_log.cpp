#include "snapshot/input_log.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "snapshot/snapshot_error.hpp"

namespace hm::snap {

namespace {

constexpr char kMagic[8] = {'H', 'M', '3', '8', '6', 'I', 'N', 'P'};
constexpr u32 kVersion = 1;

template <class T>
void put(std::vector<u8>& out, T v) {
    for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<u8>(static_cast<u64>(v) >> (8 * i)));
}

class Cursor {
public:
    explicit Cursor(const std::vector<u8>& b) : b_(b) {}
    template <class T>
    T get(const char* what) {
        if (b_.size() - at_ < sizeof(T)) throw SnapshotError(std::string("truncated: the file ends in ") + what);
        u64 v = 0;
        for (size_t i = 0; i < sizeof(T); ++i) v |= u64{b_[at_ + i]} << (8 * i);
        at_ += sizeof(T);
        return static_cast<T>(v);
    }
    std::vector<u8> bytes(size_t n, const char* what) {
        if (b_.size() - at_ < n) throw SnapshotError(std::string("truncated: the file ends in ") + what);
        std::vector<u8> v(b_.begin() + static_cast<std::ptrdiff_t>(at_), b_.begin() + static_cast<std::ptrdiff_t>(at_ + n));
        at_ += n;
        return v;
    }
    size_t left() const { return b_.size() - at_; }

private:
    const std::vector<u8>& b_;
    size_t at_ = 0;
};

bool before(u64 c1, u64 i1, u64 c2, u64 i2) { return c1 < c2 || (c1 == c2 && i1 < i2); }

}  // namespace

std::vector<u8> encode_input_log(const InputLog& log) {
    std::vector<u8> out(kMagic, kMagic + 8);
    put<u32>(out, kVersion);
    put<u32>(out, 0);
    put<u64>(out, log.image);
    put<u8>(out, static_cast<u8>(log.end));
    put<u64>(out, log.closed_cycles);
    put<u64>(out, log.closed_instructions);
    put<u64>(out, log.chunks.size());
    for (const InputChunk& c : log.chunks) {
        put<u64>(out, c.cycles);
        put<u64>(out, c.instructions);
        put<u32>(out, static_cast<u32>(c.bytes.size()));
        out.insert(out.end(), c.bytes.begin(), c.bytes.end());
    }
    put<u64>(out, log.edits.size());
    for (const LoggedEdit& e : log.edits) {
        put<u64>(out, e.cycles);
        put<u64>(out, e.instructions);
        put<u8>(out, static_cast<u8>(e.kind));
        put<u8>(out, e.cpu);
        put<u64>(out, e.target);
        put<u32>(out, static_cast<u32>(e.bytes.size()));
        out.insert(out.end(), e.bytes.begin(), e.bytes.end());
    }
    return out;
}

InputLog decode_input_log(const std::vector<u8>& file) {
    if (file.size() < 8 || std::memcmp(file.data(), kMagic, 8) != 0) {
        throw SnapshotError("not an hm386 input record (no HM386INP magic)");
    }
    Cursor c(file);
    c.bytes(8, "the magic");
    const u32 version = c.get<u32>("the version");
    if (version != kVersion) {
        throw SnapshotError("input record format version " + std::to_string(version) + ", this build reads version " +
                            std::to_string(kVersion));
    }
    if (c.get<u32>("the flags") != 0) throw SnapshotError("unknown flags in the input record's header");
    InputLog log;
    log.image = c.get<u64>("the image identity");
    const u8 end = c.get<u8>("the end-of-input flag");
    if (end > 2) throw SnapshotError("corrupt: the end-of-input flag is " + std::to_string(end) + " (0..2)");
    log.end = static_cast<InputLog::End>(end);
    log.closed_cycles = c.get<u64>("the end of input");
    log.closed_instructions = c.get<u64>("the end of input");
    const u64 n = c.get<u64>("the chunk count");
    // Each chunk takes at least 21 bytes: a count the file cannot hold is refused before allocating.
    if (n > c.left() / 21) throw SnapshotError("corrupt: " + std::to_string(n) + " chunks cannot fit in the file");
    log.chunks.reserve(n);
    for (u64 i = 0; i < n; ++i) {
        InputChunk ch;
        ch.cycles = c.get<u64>("a chunk's position");
        ch.instructions = c.get<u64>("a chunk's position");
        const u32 len = c.get<u32>("a chunk's length");
        if (len == 0 || len > kMaxInputChunk) {
            throw SnapshotError("corrupt: chunk " + std::to_string(i) + " has " + std::to_string(len) + " bytes (1.." +
                                std::to_string(kMaxInputChunk) + ")");
        }
        ch.bytes = c.bytes(len, "a chunk's bytes");
        if (!log.chunks.empty() && before(ch.cycles, ch.instructions, log.chunks.back().cycles, log.chunks.back().instructions)) {
            throw SnapshotError("corrupt: chunk " + std::to_string(i) + " lies before the one ahead of it");
        }
        if (ch.instructions > ch.cycles) {
            throw SnapshotError("corrupt: chunk " + std::to_string(i) + " has more instructions than cycles");
        }
        log.chunks.push_back(std::move(ch));
    }
    const u64 ne = c.get<u64>("the edit count");
    // Each edit takes at least 31 bytes.
    if (ne > c.left() / 31) throw SnapshotError("corrupt: " + std::to_string(ne) + " edits cannot fit in the file");
    for (u64 i = 0; i < ne; ++i) {
        LoggedEdit e;
        e.cycles = c.get<u64>("an edit's position");
        e.instructions = c.get<u64>("an edit's position");
        const u8 kind = c.get<u8>("an edit's kind");
        if (kind > 2) throw SnapshotError("corrupt: edit " + std::to_string(i) + " is of kind " + std::to_string(kind) + " (0..2)");
        e.kind = static_cast<LoggedEdit::Kind>(kind);
        e.cpu = c.get<u8>("an edit's CPU");
        e.target = c.get<u64>("an edit's target");
        const u32 len = c.get<u32>("an edit's length");
        const bool reg = e.kind == LoggedEdit::Kind::Register;
        if (reg ? len != 8 : (len == 0 || len > (1u << 20))) {
            throw SnapshotError("corrupt: edit " + std::to_string(i) + " has " + std::to_string(len) + " bytes");
        }
        e.bytes = c.bytes(len, "an edit's bytes");
        if (!log.edits.empty() && before(e.cycles, e.instructions, log.edits.back().cycles, log.edits.back().instructions)) {
            throw SnapshotError("corrupt: edit " + std::to_string(i) + " lies before the one ahead of it");
        }
        log.edits.push_back(std::move(e));
    }
    if (c.left()) throw SnapshotError(std::to_string(c.left()) + " bytes follow the last edit");
    if (log.end != InputLog::End::Open && !log.chunks.empty() &&
        before(log.closed_cycles, log.closed_instructions, log.chunks.back().cycles, log.chunks.back().instructions)) {
        throw SnapshotError("corrupt: the input ends before its last chunk");
    }
    return log;
}

size_t InputRecorder::read(u8* data, size_t max) {
    if (!host_) return 0;
    const size_t n = host_->read(data, std::min<size_t>(max, kMaxInputChunk));
    const u64 cycles = s_ ? s_->cycles : 0, instructions = s_ ? s_->instructions : 0;
    if (n) log_.chunks.push_back({cycles, instructions, std::vector<u8>(data, data + n)});
    if (!host_->open() && log_.end == InputLog::End::Open) {
        log_.end = InputLog::End::InRead;
        log_.closed_cycles = cycles;
        log_.closed_instructions = instructions;
    }
    return n;
}

bool InputRecorder::open() const {
    const bool o = host_ && host_->open();
    if (!o && log_.end == InputLog::End::Open) {  // closed before the machine ever read: no host input at all
        log_.end = InputLog::End::BeforeReading;
        log_.closed_cycles = s_ ? s_->cycles : 0;
        log_.closed_instructions = s_ ? s_->instructions : 0;
    }
    return o;
}

bool InputPlayer::reached(u64 cycles, u64 instructions) const {
    return s_ && !before(s_->cycles, s_->instructions, cycles, instructions);
}

size_t InputPlayer::read(u8* data, size_t max) {
    if (next_ >= log_.chunks.size()) {
        if (log_.end == InputLog::End::InRead && reached(log_.closed_cycles, log_.closed_instructions)) end_read_ = true;
        return 0;
    }
    const InputChunk& c = log_.chunks[next_];
    if (!reached(c.cycles, c.instructions)) return 0;
    if (s_->cycles != c.cycles || s_->instructions != c.instructions) diverged_ = true;
    const size_t n = std::min(max, c.bytes.size() - offset_);
    std::memcpy(data, c.bytes.data() + offset_, n);
    offset_ += n;
    if (offset_ == c.bytes.size()) {
        ++next_;
        offset_ = 0;
    }
    return n;
}

bool InputPlayer::open() const {
    switch (log_.end) {
        case InputLog::End::Open: return true;
        case InputLog::End::BeforeReading: return !reached(log_.closed_cycles, log_.closed_instructions);
        case InputLog::End::InRead: return !end_read_;
    }
    return true;
}

bool InputPlayer::wait(int timeout_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::max(timeout_ms, 0)));
    return false;
}

}  // namespace hm::snap
