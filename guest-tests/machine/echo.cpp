// Serial input: echoes each line read from COM1 in upper case until a line
// "quit". By default it polls LSR.DR; with "irq=1" it sleeps in HLT and takes
// bytes from the UART's receive interrupt (IRQ 4), so the machine must wait for
// host input while the CPU is halted. Under `hm386 run --serial stdio` the bytes
// come from stdin when it is a terminal or a pipe.
#include "machine_guest.hpp"

extern "C" void mg_irq4_stub();
// IRQ 4 (COM1): call mg_serial_irq() in C, EOI, return.
asm(R"(
    .section .text
    .globl mg_irq4_stub
mg_irq4_stub:
    pushal
    cld
    call mg_serial_irq
    movb $0x20, %al
    outb %al, $0x20
    popal
    iret
)");

namespace {
volatile char rx_ring[256];
volatile uint8_t rx_head, rx_tail;

char next_char(bool irq) {
    if (!irq) {
        while ((bm::inb(0x3FD) & 0x01) == 0) {
        }
        return static_cast<char>(bm::inb(0x3F8));
    }
    for (;;) {
        asm volatile("cli");
        if (rx_head != rx_tail) {
            char c = rx_ring[rx_tail];
            rx_tail = static_cast<uint8_t>(rx_tail + 1);
            asm volatile("sti");
            return c;
        }
        asm volatile("sti; hlt");  // STI's shadow: no interrupt is lost between them
    }
}
}  // namespace

extern "C" void mg_serial_irq() {
    while (bm::inb(0x3FD) & 0x01) {
        rx_ring[rx_head] = static_cast<char>(bm::inb(0x3F8));
        rx_head = static_cast<uint8_t>(rx_head + 1);
    }
}

extern "C" uint32_t guest_main(uint32_t, const bm::MultibootInfo* mbi) {
    bm::serial_init();
    const bool irq = bm::cmdline_uint(mbi, "irq", 0) != 0;
    if (irq) {
        mg::setup_gdt();
        mg::setup_idt();
        mg::set_gate(0x24, mg_irq4_stub);
        mg::remap_pics(0x0010);
        bm::outb(0x3FC, 0x0B);  // DTR, RTS, OUT2 (the IRQ gate)
        bm::outb(0x3F9, 0x01);  // received-data interrupt
    }
    bm::puts(irq ? "echo: type lines, 'quit' ends (interrupt-driven)\n" : "echo: type lines, 'quit' ends\n");
    char line[80];
    unsigned n = 0;
    for (;;) {
        char c = next_char(irq);
        if (c == '\r') continue;
        if (c != '\n' && n < sizeof line - 1) {
            line[n++] = c;
            continue;
        }
        line[n] = 0;
        if (n == 4 && line[0] == 'q' && line[1] == 'u' && line[2] == 'i' && line[3] == 't') break;
        bm::puts("echo: ");
        for (unsigned i = 0; i < n; ++i) bm::putc(line[i] >= 'a' && line[i] <= 'z' ? static_cast<char>(line[i] - 32) : line[i]);
        bm::putc('\n');
        n = 0;
    }
    bm::puts("echo: bye\n");
    return 0;
}
