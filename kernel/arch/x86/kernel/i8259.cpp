// 8259A PIC: initialisation (ICW1-4), masking and end-of-interrupt.
#include <asm/desc.hpp>
#include <asm/i8259.hpp>
#include <asm/io.hpp>

namespace {
constexpr u16 PIC_MASTER_CMD = 0x20, PIC_MASTER_DATA = 0x21;
constexpr u16 PIC_SLAVE_CMD = 0xA0, PIC_SLAVE_DATA = 0xA1;
constexpr u8 PIC_CASCADE_IR = 2;
constexpr u8 OCW2_EOI = 0x20;
constexpr u8 OCW3_READ_ISR = 0x0B;
constinit u16 cached_irq_mask = 0xFFFF;  // 1 = masked

void write_mask() {
    outb(static_cast<u8>(cached_irq_mask), PIC_MASTER_DATA);
    outb(static_cast<u8>(cached_irq_mask >> 8), PIC_SLAVE_DATA);
}
}  // namespace

void init_8259A() {
    outb(0xFF, PIC_MASTER_DATA);  // mask everything while programming
    outb(0xFF, PIC_SLAVE_DATA);
    outb(0x11, PIC_MASTER_CMD);   // ICW1: edge triggered, cascade, ICW4 needed
    io_delay();
    outb(FIRST_EXTERNAL_VECTOR, PIC_MASTER_DATA);  // ICW2: vector base
    io_delay();
    outb(1u << PIC_CASCADE_IR, PIC_MASTER_DATA);   // ICW3: slave on IR2
    io_delay();
    outb(0x01, PIC_MASTER_DATA);  // ICW4: 8086 mode, normal EOI
    io_delay();
    outb(0x11, PIC_SLAVE_CMD);
    io_delay();
    outb(FIRST_EXTERNAL_VECTOR + 8, PIC_SLAVE_DATA);
    io_delay();
    outb(PIC_CASCADE_IR, PIC_SLAVE_DATA);  // slave identity
    io_delay();
    outb(0x01, PIC_SLAVE_DATA);
    io_delay();
    cached_irq_mask = 0xFFFF & ~(1u << PIC_CASCADE_IR);
    write_mask();
}

void mask_8259A() {
    cached_irq_mask = 0xFFFF;
    write_mask();
}

void enable_8259A_irq(unsigned irq) {
    cached_irq_mask &= static_cast<u16>(~(1u << irq));
    write_mask();
}

void disable_8259A_irq(unsigned irq) {
    cached_irq_mask |= static_cast<u16>(1u << irq);
    write_mask();
}

void ack_8259A_irq(unsigned irq) {
    if (irq >= 8) outb(OCW2_EOI, PIC_SLAVE_CMD);
    outb(OCW2_EOI, PIC_MASTER_CMD);
}

bool i8259A_irq_in_service(unsigned irq) {
    u16 port = irq >= 8 ? PIC_SLAVE_CMD : PIC_MASTER_CMD;
    outb(OCW3_READ_ISR, port);
    return inb(port) & (1u << (irq & 7));
}
