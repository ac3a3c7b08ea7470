#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "boot/acpi_tables.hpp"

using namespace hm;

namespace {
struct View {
    const AcpiTables& t;
    const u8* at(u32 pa) const {
        if (pa >= kAcpiBiosAreaBase && pa < kAcpiBiosAreaBase + kAcpiBiosAreaSize) return &t.bios_area[pa - kAcpiBiosAreaBase];
        REQUIRE(pa >= t.tables_base);
        REQUIRE(pa < t.tables_base + t.tables.size());
        return &t.tables[pa - t.tables_base];
    }
    u8 u8_(u32 pa) const { return *at(pa); }
    u16 u16_(u32 pa) const { return static_cast<u16>(u8_(pa) | u8_(pa + 1) << 8); }
    u32 u32_(u32 pa) const { return u16_(pa) | static_cast<u32>(u16_(pa + 2)) << 16; }
    std::string str(u32 pa, size_t n) const { return std::string(reinterpret_cast<const char*>(at(pa)), n); }
    u32 sum(u32 pa, u32 n) const {
        u32 s = 0;
        for (u32 i = 0; i < n; ++i) s += u8_(pa + i);
        return s & 0xFF;
    }
};
}  // namespace

TEST_CASE("ACPI: the RSDP leads to the RSDT, FADT, MADT, DSDT and FACS, and every checksum sums to 0", "[acpi]") {
    const u32 base = 0xBFFE0000;  // 3 GiB: SeaBIOS's reserved top 128 KiB
    AcpiTables t = build_acpi_tables(base);
    View v{t};
    REQUIRE(v.str(kAcpiRsdpAddr, 8) == "RSD PTR ");
    CHECK(kAcpiRsdpAddr % 16 == 0);
    CHECK(v.sum(kAcpiRsdpAddr, 20) == 0);
    CHECK(v.u8_(kAcpiRsdpAddr + 15) == 0);  // revision 0
    const u32 rsdt = v.u32_(kAcpiRsdpAddr + 16);
    CHECK(rsdt == t.rsdt);
    REQUIRE(v.str(rsdt, 4) == "RSDT");
    const u32 rsdt_len = v.u32_(rsdt + 4);
    CHECK(rsdt_len == 44);
    CHECK(v.sum(rsdt, rsdt_len) == 0);
    const u32 fadt = v.u32_(rsdt + 36), madt = v.u32_(rsdt + 40);
    REQUIRE(v.str(fadt, 4) == "FACP");
    REQUIRE(v.str(madt, 4) == "APIC");
    CHECK(v.u32_(fadt + 4) == 116);
    CHECK(v.sum(fadt, 116) == 0);
    const u32 dsdt = v.u32_(fadt + 40), facs = v.u32_(fadt + 36);
    REQUIRE(v.str(dsdt, 4) == "DSDT");
    CHECK(v.sum(dsdt, v.u32_(dsdt + 4)) == 0);
    REQUIRE(v.str(facs, 4) == "FACS");
    CHECK(facs % 64 == 0);
    CHECK(v.u32_(facs + 4) == 64);
    for (u32 table : {rsdt, fadt, madt, dsdt}) {
        CHECK(v.str(table + 10, 6) == "HM386 ");
        CHECK(table >= base);
        CHECK(table + v.u32_(table + 4) <= base + kAcpiTablesSize);
    }
}

TEST_CASE("ACPI FADT: PM ports, SCI, no SMI_CMD", "[acpi]") {
    AcpiTables t = build_acpi_tables(0x3FFE0000);
    View v{t};
    const u32 f = t.fadt;
    CHECK(v.u8_(f + 8) == 1);            // revision 1
    CHECK(v.u16_(f + 46) == 9);          // SCI_INT
    CHECK(v.u32_(f + 48) == 0);          // SMI_CMD
    CHECK(v.u32_(f + 56) == 0x600);      // PM1a_EVT_BLK
    CHECK(v.u32_(f + 64) == 0x604);      // PM1a_CNT_BLK
    CHECK(v.u32_(f + 76) == 0x608);      // PM_TMR_BLK
    CHECK(v.u8_(f + 88) == 4);
    CHECK(v.u8_(f + 89) == 2);
    CHECK(v.u8_(f + 91) == 4);
    CHECK((v.u32_(f + 112) & (1u << 8)) == 0);  // TMR_VAL_EXT clear: a 24-bit timer
}

TEST_CASE("ACPI DSDT: the _S5 package with SLP_TYP 0", "[acpi]") {
    AcpiTables t = build_acpi_tables(0x3FFE0000);
    View v{t};
    const u32 d = t.dsdt;
    REQUIRE(v.u32_(d + 4) == 36 + 12);
    const u8 aml[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00};
    CHECK(std::memcmp(v.at(d + 36), aml, sizeof aml) == 0);
}

TEST_CASE("ACPI MADT: one CPU, the I/O APIC, IRQ0 -> GSI 2, SCI level high, LINT1 NMI", "[acpi]") {
    AcpiTables t = build_acpi_tables(0xBFFE0000);
    View v{t};
    const u32 m = t.madt;
    const u32 len = v.u32_(m + 4);
    CHECK(v.sum(m, len) == 0);
    CHECK(v.u32_(m + 36) == 0xFEE00000);
    CHECK(v.u32_(m + 40) == 1);
    struct Entry {
        u8 type, length;
        u32 at;
    };
    std::vector<Entry> e;
    for (u32 p = m + 44; p < m + len; p += v.u8_(p + 1)) {
        REQUIRE(v.u8_(p + 1) >= 2);
        e.push_back({v.u8_(p), v.u8_(p + 1), p});
    }
    REQUIRE(e.size() == 5);
    CHECK(e[0].type == 0);
    CHECK(v.u8_(e[0].at + 3) == 0);        // APIC id 0
    CHECK(v.u32_(e[0].at + 4) == 1);       // enabled
    CHECK(e[1].type == 1);
    CHECK(v.u8_(e[1].at + 2) == kAcpiIoApicId);
    CHECK(v.u32_(e[1].at + 4) == 0xFEC00000);
    CHECK(v.u32_(e[1].at + 8) == 0);       // GSI base
    CHECK(e[2].type == 2);
    CHECK(v.u8_(e[2].at + 3) == 0);        // IRQ 0
    CHECK(v.u32_(e[2].at + 4) == 2);       // -> GSI 2
    CHECK(e[3].type == 2);
    CHECK(v.u8_(e[3].at + 3) == 9);
    CHECK(v.u16_(e[3].at + 8) == 0x000D);  // active high, level
    CHECK(e[4].type == 4);
    CHECK(v.u8_(e[4].at + 5) == 1);        // LINT1
}

TEST_CASE("ACPI MADT: -smp N lists N enabled processors, APIC ID = UID = index, and still sums to 0", "[acpi]") {
    for (unsigned n : {1u, 2u, 4u, 8u}) {
        INFO(n << " CPUs");
        AcpiTables t = build_acpi_tables(0xBFFE0000, n);
        View v{t};
        const u32 m = t.madt;
        const u32 len = v.u32_(m + 4);
        CHECK(v.sum(m, len) == 0);
        CHECK(m + len <= t.rsdt);
        CHECK(v.sum(t.rsdt, v.u32_(t.rsdt + 4)) == 0);
        unsigned cpus = 0;
        for (u32 p = m + 44; p < m + len; p += v.u8_(p + 1)) {
            REQUIRE(v.u8_(p + 1) >= 2);
            if (v.u8_(p) != 0) continue;
            CHECK(v.u8_(p + 2) == cpus);  // ACPI processor UID
            CHECK(v.u8_(p + 3) == cpus);  // APIC ID
            CHECK(v.u32_(p + 4) == 1);    // enabled
            ++cpus;
        }
        CHECK(cpus == n);
    }
    CHECK_THROWS(build_acpi_tables(0xBFFE0000, 9));
    CHECK_THROWS(build_acpi_tables(0xBFFE0000, 0));
}
