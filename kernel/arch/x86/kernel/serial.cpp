// The serial console: COM1, 115200 8N1, polled transmission (no interrupts), so
// it works from the first line of start_kernel to the last line of a panic.
#include <asm/io.hpp>
#include <asm/serial.hpp>
#include <kernel/printk.hpp>

namespace {

constexpr u16 COM1 = 0x3F8;
constexpr u16 UART_TX = 0, UART_IER = 1, UART_FCR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5;
constexpr u8 UART_LSR_THRE = 0x20;
constexpr u8 UART_LCR_DLAB = 0x80;

void serial_putc(char c) {
    // Bounded wait: a missing UART (all-ones reads) must not hang the kernel.
    for (int spins = 0; spins < 100000 && !(inb(COM1 + UART_LSR) & UART_LSR_THRE); ++spins) {
    }
    outb(static_cast<u8>(c), COM1 + UART_TX);
}

void serial_write(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (s[i] == '\n') serial_putc('\r');
        serial_putc(s[i]);
    }
}

constinit console serial_console{"ttyS0", serial_write, nullptr};

}  // namespace

void early_serial_init() {
    outb(0x00, COM1 + UART_IER);        // no interrupts
    outb(UART_LCR_DLAB, COM1 + UART_LCR);
    outb(0x01, COM1 + 0);               // divisor 1: 115200 baud
    outb(0x00, COM1 + 1);
    outb(0x03, COM1 + UART_LCR);        // 8N1
    outb(0xC7, COM1 + UART_FCR);        // FIFO on, cleared
    outb(0x03, COM1 + UART_MCR);        // DTR, RTS
    register_console(&serial_console);
}
