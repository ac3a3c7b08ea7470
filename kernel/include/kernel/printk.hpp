// Kernel console output. printk formats like printf (%d %i %u %x %X %p %s %c %%,
// flags '-' '0' '+' ' ' '#', field width and precision, length modifiers hh h l
// ll z) and writes to every registered console (the serial port). Output of one
// call is never interleaved with another's: interrupts are off while it prints.
#pragma once
#include <stdarg.h>
#include <kernel/compiler.hpp>
#include <kernel/types.hpp>

extern "C" int printk(const char* fmt, ...) __printf(1, 2);
int vprintk(const char* fmt, va_list ap);

// Formats into buf (at most size bytes, always terminated); returns the length
// the full output would have had.
int snprintf(char* buf, size_t size, const char* fmt, ...) __printf(3, 4);
int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap);

// Where printk output goes. Consoles register themselves at boot.
struct console {
    const char* name;
    void (*write)(const char* s, size_t n);
    console* next;
};
void register_console(console* con);

// printk level helpers in Linux's spelling; the level is part of the text.
#define pr_emerg(fmt, ...) printk(fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(fmt, ##__VA_ARGS__)
