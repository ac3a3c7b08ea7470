// Serial input: reads COM1 by polling LSR.DR and echoes each line in upper case
// until a line "quit". Under `hm386 run --serial stdio` the bytes come from
// stdin when it is a terminal or a pipe.
#include "machine_guest.hpp"

extern "C" uint32_t guest_main(uint32_t, const bm::MultibootInfo*) {
    bm::serial_init();
    bm::puts("echo: type lines, 'quit' ends\n");
    char line[80];
    unsigned n = 0;
    for (;;) {
        while ((bm::inb(0x3FD) & 0x01) == 0) {
        }
        char c = static_cast<char>(bm::inb(0x3F8));
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
