// Minimal support for bare-metal guest programs: port I/O, COM1 output, the
// multiboot command line and the debug-exit device. No kernel underneath.
#pragma once
#include <stdint.h>
#include <stddef.h>

namespace bm {

inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
inline uint8_t inb(uint16_t port) {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

void serial_init();
void putc(char c);
void puts(const char* s);
void put_dec(uint32_t v);
void put_hex(uint32_t v);

// Multiboot v1 info block (the fields bare-metal programs use).
struct MultibootInfo {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
};
constexpr uint32_t kMultibootBootloaderMagic = 0x2BADB002;

// Returns the value of "key=NUMBER" on the command line, or fallback.
uint32_t cmdline_uint(const MultibootInfo* mbi, const char* key, uint32_t fallback);

}  // namespace bm

extern "C" [[noreturn]] void guest_exit(uint32_t status);
