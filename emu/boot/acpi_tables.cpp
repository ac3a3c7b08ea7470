#include "boot/acpi_tables.hpp"

#include <cstring>
#include <stdexcept>

#include "devices/acpi_pm.hpp"

namespace hm {

namespace {
constexpr u32 kFacs = 0x000, kDsdt = 0x040, kFadt = 0x080, kMadt = 0x100, kRsdt = 0x1C0;
constexpr u32 kHeaderSize = 36;
constexpr u32 kFadtSize = 116;  // ACPI 1.0 FADT
constexpr char kOemId[] = "HM386 ";
constexpr char kOemTableId[] = "HM386PC ";

// \_S5 for the soft power-off: NameOp "_S5_" PackageOp PkgLength(6) NumElements(4)
// ZeroOp x4. SLP_TYPa is element 0, matching AcpiPm::kSlpTypS5.
constexpr u8 kDsdtAml[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00};
static_assert(AcpiPm::kSlpTypS5 == 0, "the DSDT's \\_S5 package holds SLP_TYP 0");

struct Writer {
    std::vector<u8>& b;
    void u8_(u32 off, u8 v) { b.at(off) = v; }
    void u16_(u32 off, u16 v) { u8_(off, static_cast<u8>(v)), u8_(off + 1, static_cast<u8>(v >> 8)); }
    void u32_(u32 off, u32 v) { u16_(off, static_cast<u16>(v)), u16_(off + 2, static_cast<u16>(v >> 16)); }
    void bytes(u32 off, const void* p, size_t n) {
        if (off + n > b.size()) throw std::logic_error("ACPI table overflows its area");
        std::memcpy(b.data() + off, p, n);
    }
    // The common header; the checksum is filled in by seal().
    void header(u32 off, const char sig[4], u32 length, u8 revision) {
        bytes(off, sig, 4);
        u32_(off + 4, length);
        u8_(off + 8, revision);
        bytes(off + 10, kOemId, 6);
        bytes(off + 16, kOemTableId, 8);
        u32_(off + 24, 1);                 // OEM revision
        bytes(off + 28, "HM38", 4);        // creator ID
        u32_(off + 32, 1);                 // creator revision
    }
    void seal(u32 off, u32 length, u32 checksum_at) {
        u8_(checksum_at, 0);
        u8_(checksum_at, acpi_checksum(b.data() + off, length));
    }
};
}  // namespace

u8 acpi_checksum(const u8* bytes, size_t n) {
    u8 sum = 0;
    for (size_t i = 0; i < n; ++i) sum = static_cast<u8>(sum + bytes[i]);
    return static_cast<u8>(-sum);
}

AcpiTables build_acpi_tables(u32 base, unsigned cpus) {
    if (base % 64) throw std::logic_error("ACPI tables base must be 64-byte aligned");
    if (cpus < 1 || cpus > kAcpiMaxCpus) throw std::logic_error("ACPI tables: 1 to 8 CPUs");
    AcpiTables t;
    t.tables_base = base;
    t.tables.assign(kAcpiTablesSize, 0);
    t.facs = base + kFacs, t.dsdt = base + kDsdt, t.fadt = base + kFadt, t.madt = base + kMadt, t.rsdt = base + kRsdt;
    Writer w{t.tables};

    // FACS (no checksum)
    w.bytes(kFacs, "FACS", 4);
    w.u32_(kFacs + 4, 64);

    // DSDT
    const u32 dsdt_len = kHeaderSize + sizeof kDsdtAml;
    w.header(kDsdt, "DSDT", dsdt_len, 1);
    w.bytes(kDsdt + kHeaderSize, kDsdtAml, sizeof kDsdtAml);
    w.seal(kDsdt, dsdt_len, kDsdt + 9);

    // FADT (revision 1)
    w.header(kFadt, "FACP", kFadtSize, 1);
    w.u32_(kFadt + 36, t.facs);           // FIRMWARE_CTRL
    w.u32_(kFadt + 40, t.dsdt);           // DSDT
    w.u8_(kFadt + 44, 1);                 // INT_MODEL: multiple APIC
    w.u16_(kFadt + 46, kAcpiSciIrq);      // SCI_INT
    w.u32_(kFadt + 48, 0);                // SMI_CMD: none, always in ACPI mode
    w.u32_(kFadt + 56, AcpiPm::kPm1aEvt); // PM1a_EVT_BLK
    w.u32_(kFadt + 64, AcpiPm::kPm1aCnt); // PM1a_CNT_BLK
    w.u32_(kFadt + 76, AcpiPm::kPmTmr);   // PM_TMR_BLK
    w.u8_(kFadt + 88, 4);                 // PM1_EVT_LEN
    w.u8_(kFadt + 89, 2);                 // PM1_CNT_LEN
    w.u8_(kFadt + 91, 4);                 // PM_TMR_LEN
    w.u16_(kFadt + 96, 0x0FFF);           // P_LVL2_LAT > 100: no C2
    w.u16_(kFadt + 98, 0x0FFF);           // P_LVL3_LAT > 1000: no C3
    w.u8_(kFadt + 108, 0x32);             // CENTURY: the RTC's CMOS byte
    // WBINVD | PROC_C1 | PWR_BUTTON and SLP_BUTTON (no fixed-feature buttons)
    w.u32_(kFadt + 112, (1u << 0) | (1u << 2) | (1u << 4) | (1u << 5));
    w.seal(kFadt, kFadtSize, kFadt + 9);

    // MADT
    u32 p = kMadt + 44;
    w.u32_(kMadt + 36, kAcpiLocalApicBase);
    w.u32_(kMadt + 40, 1);  // PCAT_COMPAT: the 8259 pair is there too
    // one processor local APIC per CPU: UID = APIC id = the CPU's index, enabled
    // (QEMU lists its CPUs the same way)
    for (unsigned cpu = 0; cpu < cpus; ++cpu) {
        const u8 id = static_cast<u8>(cpu);
        w.u8_(p, 0), w.u8_(p + 1, 8), w.u8_(p + 2, id), w.u8_(p + 3, id), w.u32_(p + 4, 1), p += 8;
    }
    // I/O APIC
    w.u8_(p, 1), w.u8_(p + 1, 12), w.u8_(p + 2, kAcpiIoApicId), w.u8_(p + 3, 0);
    w.u32_(p + 4, kAcpiIoApicBase), w.u32_(p + 8, 0), p += 12;
    // interrupt source overrides: ISA IRQ 0 -> GSI 2 (conforming); IRQ 9 -> GSI 9
    // active high (01), level (11 << 2)
    w.u8_(p, 2), w.u8_(p + 1, 10), w.u8_(p + 2, 0), w.u8_(p + 3, 0), w.u32_(p + 4, 2), w.u16_(p + 8, 0), p += 10;
    w.u8_(p, 2), w.u8_(p + 1, 10), w.u8_(p + 2, 0), w.u8_(p + 3, kAcpiSciIrq), w.u32_(p + 4, kAcpiSciIrq);
    w.u16_(p + 8, 0x000D), p += 10;
    // local APIC NMI: all processors (0xFF), conforming, LINT1
    w.u8_(p, 4), w.u8_(p + 1, 6), w.u8_(p + 2, 0xFF), w.u16_(p + 3, 0), w.u8_(p + 5, 1), p += 6;
    const u32 madt_len = p - kMadt;
    w.header(kMadt, "APIC", madt_len, 1);
    w.seal(kMadt, madt_len, kMadt + 9);
    if (kMadt + madt_len > kRsdt) throw std::logic_error("MADT overlaps the RSDT");

    // RSDT
    const u32 rsdt_len = kHeaderSize + 8;
    w.header(kRsdt, "RSDT", rsdt_len, 1);
    w.u32_(kRsdt + 36, t.fadt);
    w.u32_(kRsdt + 40, t.madt);
    w.seal(kRsdt, rsdt_len, kRsdt + 9);

    // RSDP in the BIOS area
    t.bios_area.assign(kAcpiBiosAreaSize, 0);
    Writer r{t.bios_area};
    const u32 o = kAcpiRsdpAddr - kAcpiBiosAreaBase;
    r.bytes(o, "RSD PTR ", 8);
    r.bytes(o + 9, kOemId, 6);
    r.u8_(o + 15, 0);  // revision 0: ACPI 1.0, RSDT only
    r.u32_(o + 16, t.rsdt);
    r.seal(o, 20, o + 8);
    return t;
}

}  // namespace hm
