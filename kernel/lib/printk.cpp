// printk: formats into a bounded buffer and hands the text to every console.
// Interrupts are disabled for the whole call, so lines from an interrupt handler
// never split a line being printed by a thread (uniprocessor kernel).
#include <asm/irqflags.hpp>
#include <kernel/printk.hpp>
#include <kernel/string.hpp>

namespace {
constinit console* consoles = nullptr;
constexpr size_t kPrintkBuffer = 1024;
constinit char printk_buf[kPrintkBuffer];
}  // namespace

void register_console(console* con) {
    con->next = consoles;
    consoles = con;
}

int vprintk(const char* fmt, va_list ap) {
    unsigned long flags = local_irq_save();
    int n = vsnprintf(printk_buf, sizeof printk_buf, fmt, ap);
    size_t len = strnlen(printk_buf, sizeof printk_buf);
    for (console* c = consoles; c; c = c->next) c->write(printk_buf, len);
    if (static_cast<size_t>(n) >= sizeof printk_buf)
        for (console* c = consoles; c; c = c->next) c->write("[...truncated]\n", 15);
    local_irq_restore(flags);
    return n;
}

extern "C" int printk(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vprintk(fmt, ap);
    va_end(ap);
    return n;
}
