// Port I/O instructions.
#pragma once
#include <kernel/types.hpp>

inline void outb(u8 v, u16 port) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
inline void outw(u16 v, u16 port) { asm volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
inline void outl(u32 v, u16 port) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
inline u8 inb(u16 port) {
    u8 v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline u32 inl(u16 port) {
    u32 v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
// A write to an unused port: the traditional ~1 us delay for slow ISA devices.
inline void io_delay() { outb(0, 0x80); }
