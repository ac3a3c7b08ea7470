// hm386's diagnostic device (emu/devices/diag_protocol.hpp, docs/diag-device.md):
// TLB probes and statistics, the cycle counter. Absent on QEMU and real PCs,
// where the signature port reads all ones.
#pragma once
#include <devices/diag_protocol.hpp>
#include <kernel/types.hpp>

bool hm386_diag_present();
// A command with its 64-bit argument; the 64-bit result.
u64 hm386_diag_command(u32 command, u64 arg);
// Whether the data TLB holds a translation for va now.
bool hm386_dtlb_holds(unsigned long va);
