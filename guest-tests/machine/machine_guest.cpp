#include "machine_guest.hpp"

#include "diag_protocol.hpp"

namespace mg {

namespace {
struct __attribute__((packed)) DescriptorPointer {
    uint16_t limit;
    uint32_t base;
};
struct __attribute__((packed)) IdtEntry {
    uint16_t offset_lo, selector;
    uint8_t zero, type;
    uint16_t offset_hi;
};

alignas(8) const uint64_t gdt[3] = {0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull};
alignas(8) IdtEntry idt[256];
}  // namespace

extern "C" void mg_vector_stubs();  // 256 stubs, 16 bytes apart (machine_stubs.S)

void setup_gdt() {
    DescriptorPointer p{sizeof gdt - 1, reinterpret_cast<uint32_t>(gdt)};
    asm volatile(
        "lgdt %0\n"
        "ljmp $0x08, $1f\n"
        "1: mov $0x10, %%ax\n"
        "mov %%ax, %%ds\n"
        "mov %%ax, %%es\n"
        "mov %%ax, %%fs\n"
        "mov %%ax, %%gs\n"
        "mov %%ax, %%ss\n" ::"m"(p)
        : "eax", "memory");
}

void set_gate(uint8_t vector, void (*handler)()) {
    uint32_t a = reinterpret_cast<uint32_t>(handler);
    idt[vector] = IdtEntry{static_cast<uint16_t>(a), 0x08, 0, 0x8E, static_cast<uint16_t>(a >> 16)};
}

void setup_idt() {
    uint32_t base = reinterpret_cast<uint32_t>(&mg_vector_stubs);
    for (unsigned v = 0; v < 256; ++v) set_gate(static_cast<uint8_t>(v), reinterpret_cast<void (*)()>(base + 16 * v));
    DescriptorPointer p{sizeof idt - 1, reinterpret_cast<uint32_t>(idt)};
    asm volatile("lidt %0" ::"m"(p));
}

void remap_pics(uint16_t unmasked) {
    outb(0x20, 0x11);
    outb(0xA0, 0x11);
    outb(0x21, 0x20);
    outb(0xA1, 0x28);
    outb(0x21, 0x04);
    outb(0xA1, 0x02);
    outb(0x21, 0x01);
    outb(0xA1, 0x01);
    outb(0x21, static_cast<uint8_t>(~unmasked));
    outb(0xA1, static_cast<uint8_t>(~unmasked >> 8));
}

void start_pit(uint32_t hz) {
    uint32_t divisor = 1193182 / hz;
    outb(0x43, 0x34);
    outb(0x40, static_cast<uint8_t>(divisor));
    outb(0x40, static_cast<uint8_t>(divisor >> 8));
}

bool diag_present() { return inl(HM386_DIAG_PORT_SIGNATURE) == HM386_DIAG_SIGNATURE; }

uint64_t diag(uint32_t command, uint64_t arg) {
    outl(HM386_DIAG_PORT_ARG_LO, static_cast<uint32_t>(arg));
    outl(HM386_DIAG_PORT_ARG_HI, static_cast<uint32_t>(arg >> 32));
    outl(HM386_DIAG_PORT_COMMAND, command);
    uint64_t lo = inl(HM386_DIAG_PORT_ARG_LO);
    return lo | static_cast<uint64_t>(inl(HM386_DIAG_PORT_ARG_HI)) << 32;
}

unsigned check(const char* name, uint32_t got, uint32_t want) {
    bm::puts(name);
    if (got == want) {
        bm::puts(": ok\n");
        return 0;
    }
    bm::puts(": FAILED (got ");
    bm::put_hex(got);
    bm::puts(", want ");
    bm::put_hex(want);
    bm::puts(")\n");
    return 1;
}

}  // namespace mg

extern "C" void mg_unexpected_vector(uint32_t vector) {
    bm::puts("unexpected interrupt or exception, vector ");
    bm::put_dec(vector);
    bm::putc('\n');
    guest_exit(90);
}
