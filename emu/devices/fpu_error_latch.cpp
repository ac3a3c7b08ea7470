#include "devices/fpu_error_latch.hpp"

namespace hm {

void FpuErrorLatch::set_ferr(bool level) {
    const bool rising = level && !ferr_;
    ferr_ = level;
    if (rising) {
        latched_ = true;
        irq_.set(true);
    }
    if (!level) set_ignne(false);
}

u32 FpuErrorLatch::io_read(u16, unsigned size) { return size == 1 ? 0xFFu : (size == 2 ? 0xFFFFu : 0xFFFFFFFFu); }

void FpuErrorLatch::io_write(u16, u32, unsigned) {
    if (latched_) {
        latched_ = false;
        irq_.set(false);
    }
    if (ferr_) set_ignne(true);
}

void FpuErrorLatch::set_ignne(bool level) {
    if (ignne_ == level) return;
    ignne_ = level;
    if (on_ignne) on_ignne(level);
}

}  // namespace hm
