#include <catch2/catch.hpp>

#include "device_fixture.hpp"
#include "devices/acpi_pm.hpp"

using namespace hm;
using hm::test::DeviceFixture;

TEST_CASE("ACPI PM timer: 3.579545 MHz from the cycle counter, 24 bits", "[devices][acpi]") {
    DeviceFixture f;  // 100 MHz
    AcpiPm pm(f.clock);
    CHECK(pm.io_read(0x608, 4) == 0);
    f.cycles = 100'000'000;  // one second: 39375000/11 = 3579545.45 ticks
    CHECK(pm.io_read(0x608, 4) == 3579545);
    f.cycles = 1'000'000'000;  // ten seconds: 35795454 ticks, wrapped at 2^24
    CHECK(pm.io_read(0x608, 4) == (35795454u & 0xFFFFFF));
    CHECK(pm.io_read(0x608, 2) == (35795454u & 0xFFFF));
    CHECK(pm.io_read(0x60A, 1) == ((35795454u >> 16) & 0xFF));
    CHECK(pm.io_read(0x60B, 1) == 0);
    pm.io_write(0x608, 0, 4);  // read-only
    CHECK(pm.io_read(0x608, 4) == (35795454u & 0xFFFFFF));
}

TEST_CASE("ACPI PM1a_CNT: SCI_EN reads 1, SLP_EN with SLP_TYP 0 powers off", "[devices][acpi]") {
    DeviceFixture f;
    AcpiPm pm(f.clock);
    int offs = 0;
    pm.on_power_off = [&] { ++offs; };
    CHECK(pm.io_read(0x604, 2) == 0x0001);
    pm.io_write(0x604, 5u << 10, 2);  // SLP_TYP 5 without SLP_EN: nothing yet
    CHECK(pm.io_read(0x604, 2) == (0x0001 | 5u << 10));
    pm.io_write(0x604, 5u << 10 | 1u << 13, 2);  // a sleep type the DSDT does not declare
    CHECK(offs == 0);
    CHECK(pm.stats().other_sleeps == 1);
    CHECK((pm.io_read(0x604, 2) & (1u << 13)) == 0);  // SLP_EN reads 0
    pm.io_write(0x604, 0, 2);
    pm.io_write(0x604, 1u << 13, 2);  // S5: SLP_TYP 0, SLP_EN
    CHECK(offs == 1);
    CHECK(pm.stats().power_offs == 1);
    pm.io_write(0x605, 0x20, 1);  // a byte write of the high half works too
    CHECK(offs == 2);
}

TEST_CASE("ACPI PM1a_STS is write-1-to-clear, PM1a_EN reads back", "[devices][acpi]") {
    DeviceFixture f;
    AcpiPm pm(f.clock);
    CHECK(pm.io_read(0x600, 4) == 0);
    pm.io_write(0x602, 0x0121, 2);
    CHECK(pm.io_read(0x602, 2) == 0x0121);
    CHECK(pm.io_read(0x600, 4) == 0x01210000);
    pm.io_write(0x600, 0xFFFF, 2);
    CHECK(pm.io_read(0x600, 2) == 0);
}
