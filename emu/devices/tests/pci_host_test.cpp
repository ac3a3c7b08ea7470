#include <catch2/catch.hpp>

#include "devices/pci_host.hpp"

using namespace hm;

namespace {
u32 cfg_addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg) {
    return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | reg;
}
}  // namespace

TEST_CASE("PCI mechanism #1: the host bridge 00:00.0 is an i440FX", "[devices][pci]") {
    PciHost pci;
    pci.io_write(0xCF8, cfg_addr(0, 0, 0, 0x00), 4);
    CHECK(pci.io_read(0xCFC, 4) == 0x12378086);
    CHECK(pci.io_read(0xCFC, 2) == 0x8086);
    CHECK(pci.io_read(0xCFE, 2) == 0x1237);
    CHECK(pci.io_read(0xCFF, 1) == 0x12);
    pci.io_write(0xCF8, cfg_addr(0, 0, 0, 0x08), 4);
    CHECK(pci.io_read(0xCFC, 4) == 0x06000002);  // class 06 00 00, revision 2
    CHECK(pci.io_read(0xCFC, 1) == 0x02);
    pci.io_write(0xCF8, cfg_addr(0, 0, 0, 0x04), 4);
    CHECK(pci.io_read(0xCFC, 4) == 0x02800006);  // PCISTS << 16 | PCICMD
    pci.io_write(0xCF8, cfg_addr(0, 0, 0, 0x0C), 4);
    CHECK(pci.io_read(0xCFE, 1) == 0x00);  // header type 0
}

TEST_CASE("PCI mechanism #1: absent functions and a clear enable bit read all ones", "[devices][pci]") {
    PciHost pci;
    pci.io_write(0xCF8, cfg_addr(0, 1, 0, 0), 4);
    CHECK(pci.io_read(0xCFC, 4) == 0xFFFFFFFF);
    pci.io_write(0xCF8, cfg_addr(0, 0, 1, 0), 4);
    CHECK(pci.io_read(0xCFC, 4) == 0xFFFFFFFF);
    pci.io_write(0xCF8, cfg_addr(1, 0, 0, 0), 4);
    CHECK(pci.io_read(0xCFC, 2) == 0xFFFFFFFF);
    pci.io_write(0xCF8, 0x00000000, 4);  // enable clear
    CHECK(pci.io_read(0xCFC, 4) == 0xFFFFFFFF);
    CHECK(pci.stats().absent_reads == 4);
}

TEST_CASE("PCI mechanism #1: CONFIG_ADDRESS latches dword writes only, reserved bits read 0", "[devices][pci]") {
    PciHost pci;
    pci.io_write(0xCF8, 0xFFFFFFFF, 4);
    CHECK(pci.io_read(0xCF8, 4) == 0x80FFFFFC);
    pci.io_write(0xCF8, cfg_addr(0, 0, 0, 0), 4);
    pci.io_write(0xCF8, 0x12, 1);  // a byte write is not CONFIG_ADDRESS
    pci.io_write(0xCFA, 0x3456, 2);
    CHECK(pci.config_address() == 0x80000000);
    CHECK(pci.io_read(0xCFC, 4) == 0x12378086);
    // registers of 00:00.0 are read-only here
    pci.io_write(0xCFC, 0xDEADBEEF, 4);
    CHECK(pci.io_read(0xCFC, 4) == 0x12378086);
    CHECK(pci.stats().ignored_writes == 1);
}

TEST_CASE("Port 0xCF9: RCPU requests a reset, SRST reads back", "[devices][pci]") {
    PciHost pci;
    int resets = 0;
    pci.on_reset = [&] { ++resets; };
    pci.io_write(0xCF9, 0x02, 1);
    CHECK(resets == 0);
    CHECK(pci.io_read(0xCF9, 1) == 0x02);
    pci.io_write(0xCF9, 0x06, 1);  // the usual "hard reset" write
    CHECK(resets == 1);
    CHECK(pci.io_read(0xCF9, 1) == 0x02);
    pci.io_write(0xCF9, 0x04, 1);
    CHECK(resets == 2);
    CHECK(pci.io_read(0xCF9, 1) == 0x00);
    CHECK(pci.config_address() == 0);  // 0xCF9 is not part of CONFIG_ADDRESS
}
