// The kernel tick: the 8253/8254 PIT's channel 0 in mode 2 (rate generator)
// at HZ, interrupting on IRQ 0; with "apic", the local APIC timer, periodic at
// HZ after calibration against the PIT (apic.cpp).
#include <asm/apic.hpp>
#include <asm/io.hpp>
#include <asm/irq.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/printk.hpp>

namespace {
constexpr u32 PIT_TICK_RATE = 1193182;  // Hz of the PIT's input clock
constexpr u16 PIT_CH0 = 0x40, PIT_MODE = 0x43;
constexpr u32 LATCH = (PIT_TICK_RATE + HZ / 2) / HZ;
static_assert(LATCH <= 0xFFFF, "the PIT divisor is 16 bits");

void timer_interrupt(unsigned, pt_regs*) { do_timer(); }
}  // namespace

void time_init() {
    if (apic_mode) return setup_apic_timer();
    outb(0x34, PIT_MODE);  // channel 0, lobyte/hibyte, mode 2, binary
    outb(LATCH & 0xFF, PIT_CH0);
    outb(LATCH >> 8, PIT_CH0);
    request_irq(0, timer_interrupt, "timer");
    printk("PIT: %u Hz tick (divisor %u)\n", HZ, LATCH);
}
