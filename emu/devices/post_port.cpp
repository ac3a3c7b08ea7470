#include "devices/post_port.hpp"

#include <cstdio>

namespace hm {

u32 PostPort::io_read(u16, unsigned) { return last_; }

void PostPort::io_write(u16 port, u32 value, unsigned size) {
    ++writes_;
    last_ = value;
    if (!log_) return;
    char line[64];
    int n = std::snprintf(line, sizeof line, "%llu 0x%04x 0x%0*x\n", static_cast<unsigned long long>(clock_.now()),
                          port, static_cast<int>(size * 2), value);
    log_->write(reinterpret_cast<const u8*>(line), static_cast<size_t>(n));
}

}  // namespace hm
