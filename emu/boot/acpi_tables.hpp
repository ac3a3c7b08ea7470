// ACPI tables for a Linux boot, found by Linux's own search (ACPI 1.0b, 5.2):
//
//   RSDP (revision 0, 20 bytes) at kAcpiRsdpAddr, in a 64 KiB ROM at 0xF0000
//        (the BIOS area, reserved in the e820 map; Linux scans 0xE0000-0xFFFFF)
//   in the top 128 KiB of low RAM (e820 reserved, where SeaBIOS puts them too):
//     FACS  +0x000 (64-byte aligned, no checksum; no waking vector, no global lock)
//     DSDT  +0x040 Name (_S5, Package (4) {Zero, Zero, Zero, Zero})
//     FADT  +0x080 revision 1 (116 bytes): SCI 9, no SMI_CMD (always in ACPI
//                  mode), PM1a_EVT 0x600 (4), PM1a_CNT 0x604 (2), PM_TMR 0x608
//                  (4, 24-bit), C2/C3 latencies "unsupported", century CMOS 0x32
//     MADT  +0x100 local APIC at 0xFEE00000, PCAT_COMPAT; one entry per CPU
//                  (-smp N: processor UID = APIC id = 0..N-1, all enabled);
//                  the I/O APIC (id kAcpiIoApicId) at 0xFEC00000, GSI 0; ISA
//                  overrides IRQ 0 -> GSI 2 and IRQ 9 (SCI) level, active high;
//                  local APIC NMI on LINT1
//     RSDT  +0x1C0 -> FADT, MADT  (the MADT of 8 CPUs is 146 bytes)
//
// The values are QEMU's i440FX/PIIX4 machine's (what Linux reports under QEMU:
// "IOAPIC[0]: apic_id 0, version 32, address 0xfec00000, GSI 0-23", the PIIX4 PM
// base 0x600, SCI 9, S5 sleep type 0), so the same kernel sees the same platform.
// Every table's bytes sum to 0.
#pragma once
#include <vector>

#include "core/types.hpp"

namespace hm {

constexpr u32 kAcpiBiosAreaBase = 0xF0000;
constexpr u32 kAcpiBiosAreaSize = 0x10000;
constexpr u32 kAcpiRsdpAddr = 0xF0000;
constexpr u32 kAcpiTablesSize = 0x200;   // what build_acpi_tables lays out
constexpr u64 kAcpiTablesBelowTop = 0x20000;  // the tables start this far below low RAM's top
constexpr u32 kAcpiLocalApicBase = 0xFEE00000;
constexpr u32 kAcpiIoApicBase = 0xFEC00000;
constexpr u8 kAcpiIoApicId = 0;
constexpr u8 kAcpiSciIrq = 9;
constexpr unsigned kAcpiMaxCpus = 8;

struct AcpiTables {
    u32 tables_base = 0;                 // physical address of `tables`
    std::vector<u8> tables;              // FACS, DSDT, FADT, MADT, RSDT
    std::vector<u8> bios_area;           // 64 KiB for 0xF0000, the RSDP inside
    u32 facs = 0, dsdt = 0, fadt = 0, madt = 0, rsdt = 0;  // physical addresses
};

// tables_base: 64-byte aligned, in RAM below 4 GiB, kAcpiTablesSize bytes free.
// cpus: 1..kAcpiMaxCpus processor entries in the MADT.
AcpiTables build_acpi_tables(u32 tables_base, unsigned cpus = 1);

u8 acpi_checksum(const u8* bytes, size_t n);  // the byte that makes the sum 0

}  // namespace hm
