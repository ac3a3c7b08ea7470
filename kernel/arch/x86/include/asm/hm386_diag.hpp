// hm386's diagnostic device (emu/devices/diag_protocol.hpp, docs/diag-device.md):
// TLB probes and statistics, the cycle counter. Absent on QEMU and real PCs,
// where the signature port reads all ones.
#pragma once
#include <asm/io.hpp>
#include <devices/diag_protocol.hpp>
#include <kernel/types.hpp>

bool hm386_diag_present();
// A command with its 64-bit argument; the 64-bit result.
u64 hm386_diag_command(u32 command, u64 arg);
// Whether the data TLB holds a translation for va now.
bool hm386_dtlb_holds(unsigned long va);
// Whether the device has the CPU_CYCLES ports (protocol version 2).
bool hm386_cpu_cycles_present();
// This CPU's own cycle counter from the CPU_CYCLES ports: unlike RDTSC under
// hm386 -smp N, never held at the TSC floor another CPU raised, and unlike the
// CYCLES command, this CPU's and not CPU 0's. Only when present. Inline, so
// that timing code with it touches no code page of its own (a TLB miss of the
// clock's would land in the figure); two 32-bit reads of a running counter:
// the high half again, and once more if the low half wrapped between them.
// No device state, so no interrupt guard.
inline u64 hm386_cpu_cycles() {
    u32 hi = inl(HM386_DIAG_PORT_CPU_CYCLES_HI);
    for (;;) {
        const u32 lo = inl(HM386_DIAG_PORT_CPU_CYCLES_LO);
        const u32 again = inl(HM386_DIAG_PORT_CPU_CYCLES_HI);
        if (again == hi) return (u64{hi} << 32) | lo;
        hi = again;
    }
}
