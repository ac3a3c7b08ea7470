// Helpers for the machine's own guest programs (guest-tests/machine): a flat
// GDT, an IDT whose unexpected vectors report themselves and exit, the 8259 and
// 8254 programmed as every PC kernel does, and access to hm386's diagnostic
// device. Built on the bare-metal support in guest-tests/baremetal.
#pragma once
#include "baremetal.hpp"

namespace mg {

using bm::inb;
using bm::outb;
using bm::outl;

inline uint32_t inl(uint16_t port) {
    uint32_t v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

// Loads a flat GDT (0x08 code, 0x10 data) and reloads every segment register:
// Multiboot leaves GDTR undefined, and IRET reloads CS from it.
void setup_gdt();
// An IDT with every vector pointing at a stub that prints the vector and exits
// with status 90; `set_gate` installs a handler for one vector.
void setup_idt();
void set_gate(uint8_t vector, void (*handler)());
// Both PICs initialised with vectors 0x20 and 0x28, everything masked except `unmasked`.
void remap_pics(uint16_t unmasked);
// PIT channel 0 in mode 2 at `hz`.
void start_pit(uint32_t hz);

// hm386's diagnostic device (emu/devices/diag_protocol.hpp).
bool diag_present();
uint64_t diag(uint32_t command, uint64_t arg = 0);

// Prints "name: ok" or "name: FAILED (got X, want Y)"; returns 1 on failure.
unsigned check(const char* name, uint32_t got, uint32_t want);

}  // namespace mg

extern "C" void mg_unexpected_vector(uint32_t vector);
