#include "baremetal.hpp"

namespace bm {

constexpr uint16_t kCom1 = 0x3F8;
constexpr uint16_t kDebugExitPort = 0xF4;

void serial_init() {
    outb(kCom1 + 1, 0x00);  // no interrupts
    outb(kCom1 + 3, 0x80);  // DLAB
    outb(kCom1 + 0, 0x01);  // 115200 baud
    outb(kCom1 + 1, 0x00);
    outb(kCom1 + 3, 0x03);  // 8N1
    outb(kCom1 + 2, 0xC7);  // FIFO on, cleared
}

void putc(char c) {
    if (c == '\n') putc('\r');
    while ((inb(kCom1 + 5) & 0x20) == 0) {
    }
    outb(kCom1, static_cast<uint8_t>(c));
}

void puts(const char* s) {
    while (*s) putc(*s++);
}

void put_dec(uint32_t v) {
    char buf[11];
    int n = 0;
    do {
        buf[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) putc(buf[--n]);
}

void put_hex(uint32_t v) {
    puts("0x");
    for (int shift = 28; shift >= 0; shift -= 4) putc("0123456789abcdef"[(v >> shift) & 0xF]);
}

uint32_t cmdline_uint(const MultibootInfo* mbi, const char* key, uint32_t fallback) {
    if (!mbi || !(mbi->flags & (1u << 2)) || !mbi->cmdline) return fallback;
    const char* p = reinterpret_cast<const char*>(mbi->cmdline);
    while (*p) {
        const char* k = key;
        const char* q = p;
        while (*k && *q == *k) ++q, ++k;
        if (*k == 0 && *q == '=' && (p == reinterpret_cast<const char*>(mbi->cmdline) || p[-1] == ' ')) {
            uint32_t v = 0;
            for (++q; *q >= '0' && *q <= '9'; ++q) v = v * 10 + static_cast<uint32_t>(*q - '0');
            return v;
        }
        ++p;
    }
    return fallback;
}

}  // namespace bm

extern "C" [[noreturn]] void guest_exit(uint32_t status) {
    bm::outl(bm::kDebugExitPort, status);
    // Without a debug-exit device, stop here.
    for (;;) asm volatile("cli; hlt");
}
