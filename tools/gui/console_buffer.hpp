// Guest console output for the GUI: a CharSink the machine writes into from the
// command worker's thread while the UI thread reads it, so the console panel is
// live during a long `c`. Keeps the last `capacity` bytes (older text is dropped
// at a line boundary). An optional tee forwards every byte (--serial file:PATH).
#pragma once
#include <mutex>
#include <string>

#include "devices/char_backend.hpp"

namespace hm::gui {

class ConsoleBuffer : public CharSink {
public:
    explicit ConsoleBuffer(size_t capacity = 256 << 10) : capacity_(capacity) {}

    void write(const u8* data, size_t n) override {
        std::lock_guard lock(mu_);
        text_.append(reinterpret_cast<const char*>(data), n);
        total_ += n;
        if (text_.size() > capacity_) {
            size_t cut = text_.size() - capacity_;
            // Already at a line's start: keep that line; else drop the cut line's rest.
            if (text_[cut - 1] != '\n') {
                const size_t nl = text_.find('\n', cut);
                if (nl != std::string::npos) cut = nl + 1;
            }
            text_.erase(0, cut);
        }
        if (tee_) tee_->write(data, n);
    }

    // A copy of the kept text; `total` counts every byte ever written (the UI
    // redraws only when it changed).
    std::string text() const {
        std::lock_guard lock(mu_);
        return text_;
    }
    size_t total() const {
        std::lock_guard lock(mu_);
        return total_;
    }
    void clear() {
        std::lock_guard lock(mu_);
        text_.clear();
    }
    void set_tee(CharSink* tee) { tee_ = tee; }

private:
    mutable std::mutex mu_;
    std::string text_;
    size_t total_ = 0;
    size_t capacity_;
    CharSink* tee_ = nullptr;
};

}  // namespace hm::gui
