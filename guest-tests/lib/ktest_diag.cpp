// Access to hm386's diagnostic device (emu/devices/diag_protocol.hpp). The
// signature port reads all ones where the device is absent (QEMU, real PCs).
#include <asm/io.hpp>
#include <devices/diag_protocol.hpp>

#include "ktest.hpp"

namespace ktest {

bool diag_present() { return inl(HM386_DIAG_PORT_SIGNATURE) == HM386_DIAG_SIGNATURE; }

u64 diag_command(u32 command, u64 arg) {
    outl(static_cast<u32>(arg), HM386_DIAG_PORT_ARG_LO);
    outl(static_cast<u32>(arg >> 32), HM386_DIAG_PORT_ARG_HI);
    outl(command, HM386_DIAG_PORT_COMMAND);
    u64 lo = inl(HM386_DIAG_PORT_ARG_LO);
    u64 hi = inl(HM386_DIAG_PORT_ARG_HI);
    return (hi << 32) | lo;
}

}  // namespace ktest
