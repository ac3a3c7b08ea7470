// ConsoleCapture (ktest.hpp): a console that copies what printk writes into a
// buffer while a capture is active, so a case can check that a report (an
// oops, a BUG or WARN line, a segfault line) was really printed.
#include <kernel/bug.hpp>
#include <kernel/printk.hpp>
#include <kernel/string.hpp>

#include "ktest.hpp"

namespace ktest {
namespace {

constexpr size_t CAPTURE_SIZE = 16 * 1024;
constinit char capture_buf[CAPTURE_SIZE + 1];
constinit size_t capture_len = 0;
constinit bool capturing = false;
constinit bool overflowed = false;

// printk calls this with interrupts off.
void capture_write(const char* s, size_t n) {
    if (!capturing) return;
    if (n > CAPTURE_SIZE - capture_len) {
        n = CAPTURE_SIZE - capture_len;
        overflowed = true;
    }
    memcpy(capture_buf + capture_len, s, n);
    capture_len += n;
}

constinit console capture_console{"ktest-capture", capture_write, nullptr};
constinit bool registered = false;

}  // namespace

ConsoleCapture::ConsoleCapture() {
    if (!registered) {
        register_console(&capture_console);
        registered = true;
    }
    BUG_ON(capturing);  // one capture at a time
    IrqSaveGuard guard;
    capture_len = 0;
    overflowed = false;
    capturing = true;
}

ConsoleCapture::~ConsoleCapture() {
    IrqSaveGuard guard;
    capturing = false;
}

bool ConsoleCapture::contains(const char* text) const {
    IrqSaveGuard guard;
    capture_buf[capture_len] = 0;
    if (strstr(capture_buf, text)) return true;
    if (overflowed) printk("# (the console capture overflowed its %u bytes)\n", static_cast<unsigned>(CAPTURE_SIZE));
    return false;
}

bool ConsoleCapture::expect(const char* text, const char* file, int line) const {
    count_expectation();
    if (contains(text)) return true;
    fail_message(file, line, "the console output does not contain \"%s\"", text);
    return false;
}

}  // namespace ktest
