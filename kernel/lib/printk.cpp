// printk: formats into a bounded buffer and hands the text to every console.
// Interrupts are disabled for the whole call, so lines from an interrupt handler
// never split a line being printed by a thread, and printk_lock keeps other
// CPUs' lines out (and the one buffer theirs). A CPU that holds it already
// (an oops inside printk) goes on without it rather than spin forever.
#include <asm/irqflags.hpp>
#include <asm/percpu.hpp>
#include <kernel/printk.hpp>
#include <kernel/string.hpp>

namespace {
constinit console* consoles = nullptr;
constexpr size_t kPrintkBuffer = 1024;
constinit char printk_buf[kPrintkBuffer];
constinit volatile u32 printk_owner = 0;  // 1 + the CPU printing, 0 when free

// False when this CPU held the lock already (recursion: no unlock then).
bool printk_lock() {
    const u32 me = smp_processor_id() + 1;
    if (__atomic_load_n(&printk_owner, __ATOMIC_RELAXED) == me) return false;
    u32 expected = 0;
    while (!__atomic_compare_exchange_n(&printk_owner, &expected, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        expected = 0;
        asm volatile("pause" ::: "memory");
    }
    return true;
}
}  // namespace

void register_console(console* con) {
    con->next = consoles;
    consoles = con;
}

int vprintk(const char* fmt, va_list ap) {
    unsigned long flags = local_irq_save();
    const bool locked = printk_lock();
    int n = vsnprintf(printk_buf, sizeof printk_buf, fmt, ap);
    size_t len = strnlen(printk_buf, sizeof printk_buf);
    for (console* c = consoles; c; c = c->next) c->write(printk_buf, len);
    if (static_cast<size_t>(n) >= sizeof printk_buf)
        for (console* c = consoles; c; c = c->next) c->write("[...truncated]\n", 15);
    if (locked) __atomic_store_n(&printk_owner, 0u, __ATOMIC_RELEASE);
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
