#include <catch2/catch.hpp>

#include <vector>

#include "mem/bus.hpp"

using namespace hm;

namespace {
struct RecordingPorts : IoDevice {
    std::vector<std::tuple<u16, u32, unsigned>> writes;
    u32 io_read(u16 port, unsigned) override { return 0xABCD0000u | port; }
    void io_write(u16 port, u32 v, unsigned size) override { writes.emplace_back(port, v, size); }
};
struct Registers : MmioDevice {
    u64 last_offset = ~u64{0};
    u64 last_value = 0;
    unsigned last_size = 0;
    u64 mmio_read(u64 offset, unsigned size) override {
        last_offset = offset;
        last_size = size;
        return 0x1122334455667788ull;
    }
    void mmio_write(u64 offset, u64 v, unsigned size) override {
        last_offset = offset;
        last_value = v;
        last_size = size;
    }
};
}  // namespace

TEST_CASE("Port I/O reaches the owning device and unassigned ports float high", "[bus]") {
    PhysicalMemory ram(4 * kMiB);
    Bus bus(ram);
    RecordingPorts dev;
    bus.attach_io(0x3F8, 8, dev, "uart");
    CHECK(bus.io_read(0x3F9, 1) == 0xF9);  // truncated to the access size
    bus.io_write(0x3FA, 0x1234, 1);
    REQUIRE(dev.writes.size() == 1);
    CHECK(std::get<1>(dev.writes[0]) == 0x34);
    CHECK(bus.io_read(0x1234, 2) == 0xFFFF);
    CHECK(bus.io_read(0x1234, 4) == 0xFFFFFFFFu);
    bus.io_write(0x1234, 0, 1);
    CHECK(bus.stats().unassigned_io_reads == 2);
    CHECK(bus.stats().unassigned_io_writes == 1);
    CHECK(std::string(bus.io_owner(0x3F8)) == "uart");
}

TEST_CASE("Overlapping port claims are refused", "[bus]") {
    PhysicalMemory ram(4 * kMiB);
    Bus bus(ram);
    RecordingPorts a, b;
    bus.attach_io(0x60, 1, a, "kbd");
    CHECK_THROWS_AS(bus.attach_io(0x60, 5, b, "other"), std::logic_error);
}

TEST_CASE("Physical accesses route to RAM, ROM, MMIO and open bus", "[bus]") {
    PhysicalMemory ram(4 * kMiB);
    Bus bus(ram);
    Registers regs;
    std::vector<u8> rom(16, 0);
    rom[0] = 0xEA;
    bus.attach_rom(PhysAddr{0xF0000}, rom, "bios");
    bus.attach_mmio(PhysAddr{0xFEC00000}, kPageSize, regs, "ioapic-like");

    bus.write(PhysAddr{0x1000}, 0xDEADBEEF, 4);
    CHECK(bus.read(PhysAddr{0x1000}, 4) == 0xDEADBEEF);
    CHECK(bus.read(PhysAddr{0x1002}, 2) == 0xDEAD);

    CHECK(bus.read(PhysAddr{0xF0000}, 1) == 0xEA);
    CHECK(bus.read(PhysAddr{0xF0010}, 1) == 0xFF);  // padding
    bus.write(PhysAddr{0xF0000}, 0, 1);
    CHECK(bus.read(PhysAddr{0xF0000}, 1) == 0xEA);
    CHECK(bus.stats().rom_writes_ignored == 1);

    CHECK(bus.read(PhysAddr{0xFEC00010}, 4) == 0x1122334455667788ull);
    CHECK(regs.last_offset == 0x10);
    CHECK(regs.last_size == 4);
    bus.write(PhysAddr{0xFEC00020}, 0x55, 4);
    CHECK(regs.last_value == 0x55);

    CHECK(bus.read(PhysAddr{0x80000000}, 4) == 0xFFFFFFFFu);  // above RAM, nothing there
    CHECK(bus.stats().open_bus_reads == 4);
    CHECK(bus.read(PhysAddr{0xA0000}, 1) == 0xFF);  // legacy hole unclaimed
}

TEST_CASE("Page host pointers expose only what may be accessed directly", "[bus]") {
    PhysicalMemory ram(4 * kMiB);
    Bus bus(ram);
    std::vector<u8> vga(32 * kKiB);
    bus.attach_device_ram(PhysAddr{0xB8000}, vga.size(), vga.data(), "vga-text");
    std::vector<u8> rom(kPageSize, 0x90);
    bus.attach_rom(PhysAddr{0xF0000}, rom, "bios");
    Registers regs;
    bus.attach_mmio(PhysAddr{0xFEC00000}, kPageSize, regs, "mmio");

    PageHost h = bus.page_host(PhysAddr{0x2345});
    CHECK(h.read == ram.host(PhysAddr{0x2000}));
    CHECK(h.write == h.read);
    h = bus.page_host(PhysAddr{0xB8123});
    CHECK(h.read == vga.data());
    CHECK(h.write == vga.data());
    h = bus.page_host(PhysAddr{0xF0000});
    CHECK(h.read != nullptr);
    CHECK(h.write == nullptr);
    h = bus.page_host(PhysAddr{0xFEC00000});
    CHECK(h.read == nullptr);
    CHECK(h.write == nullptr);
    h = bus.page_host(PhysAddr{0x90000000});
    CHECK(h.read == nullptr);
}

TEST_CASE("Accesses that cross into another region are split correctly", "[bus]") {
    PhysicalMemory ram(4 * kMiB);
    Bus bus(ram);
    // Last RAM bytes then open bus.
    bus.write(PhysAddr{4 * kMiB - 2}, 0xBBAA, 2);
    CHECK(bus.read(PhysAddr{4 * kMiB - 2}, 4) == 0xFFFFBBAAu);
}

// The bus skips its region scan inside the region-free span around 1 MiB: a region
// attached there later (or detached) must still win over RAM at once.
TEST_CASE("Regions attached or detached inside RAM take effect at once", "[bus]") {
    PhysicalMemory ram(4 * kMiB);
    Bus bus(ram);
    Registers dev;
    bus.write(PhysAddr{0x200010}, 0xCAFEF00D, 4);
    CHECK(bus.read(PhysAddr{0x200010}, 4) == 0xCAFEF00D);
    CHECK(bus.page_host(PhysAddr{0x200000}).write != nullptr);

    bus.attach_mmio(PhysAddr{0x200000}, kPageSize, dev, "late");
    CHECK(bus.read(PhysAddr{0x200010}, 4) == 0x1122334455667788ull);
    CHECK(dev.last_offset == 0x10);
    bus.write(PhysAddr{0x200020}, 0x99, 1);
    CHECK(dev.last_offset == 0x20);
    CHECK(dev.last_value == 0x99);
    CHECK(bus.page_host(PhysAddr{0x200000}).read == nullptr);
    CHECK(bus.read(PhysAddr{0x201000}, 4) == 0);  // RAM on both sides of the region
    CHECK(bus.read(PhysAddr{0x1FF000}, 4) == 0);

    bus.detach_mmio(dev);
    CHECK(bus.read(PhysAddr{0x200010}, 4) == 0xCAFEF00D);  // RAM again, never written by the device
    CHECK(bus.page_host(PhysAddr{0x200000}).write != nullptr);

    // A region covering 1 MiB itself leaves no span: everything goes through the scan.
    bus.attach_mmio(PhysAddr{0x100000}, kPageSize, dev, "at-1m");
    CHECK(bus.read(PhysAddr{0x100004}, 4) == 0x1122334455667788ull);
    CHECK(dev.last_offset == 4);
    CHECK(bus.read(PhysAddr{0x200010}, 4) == 0xCAFEF00D);
}

// write_bytes and load_bytes copy whole pages of RAM at once (bus.cpp): every
// byte must still land where a byte-by-byte copy puts it, with each region's
// meaning, across page and region boundaries and the end of RAM.
TEST_CASE("Bulk copies keep every region's meaning across pages", "[bus]") {
    PhysicalMemory ram(4 * kMiB);
    Bus bus(ram);
    std::vector<u8> rom(kPageSize, 0x90);
    bus.attach_rom(PhysAddr{0xF0000}, rom, "bios");
    Registers regs;
    bus.attach_mmio(PhysAddr{0x201000}, kPageSize, regs, "mmio in RAM");
    std::vector<u8> src(3 * kPageSize + 100);
    for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<u8>(i * 7 + 1);

    SECTION("RAM across pages") {
        bus.write_bytes(PhysAddr{0x10FF0}, src.data(), src.size());
        for (size_t i = 0; i < src.size(); ++i) REQUIRE(bus.read(PhysAddr{0x10FF0 + i}, 1) == src[i]);
        CHECK(bus.read(PhysAddr{0x10FEF}, 1) == 0);
        CHECK(bus.read(PhysAddr{0x10FF0 + src.size()}, 1) == 0);
    }
    SECTION("into an MMIO page between RAM pages: the device sees each byte") {
        bus.write_bytes(PhysAddr{0x200F00}, src.data(), 0x100 + kPageSize + 0x10);
        CHECK(bus.read(PhysAddr{0x200F00}, 1) == src[0]);
        CHECK(regs.last_offset == kPageSize - 1);  // the last byte the device got
        CHECK(regs.last_value == src[0x100 + kPageSize - 1]);
        CHECK(regs.last_size == 1);
        CHECK(bus.stats().mmio_writes == kPageSize);
        CHECK(bus.read(PhysAddr{0x202000}, 1) == src[0x100 + kPageSize]);
        CHECK(bus.read(PhysAddr{0x20200F}, 1) == src[0x100 + kPageSize + 0xF]);
    }
    SECTION("ROM: dropped by write_bytes, written by load_bytes") {
        bus.write_bytes(PhysAddr{0xEFF00}, src.data(), 0x200);
        CHECK(bus.read(PhysAddr{0xEFF00}, 1) == 0xFF);  // the legacy hole: open bus
        CHECK(bus.read(PhysAddr{0xF0000}, 1) == 0x90);
        CHECK(bus.stats().rom_writes_ignored == 0x100);
        bus.load_bytes(PhysAddr{0xEFF00}, src.data(), 0x200);
        CHECK(bus.read(PhysAddr{0xF0000}, 1) == src[0x100]);
        CHECK(bus.read(PhysAddr{0xF00FF}, 1) == src[0x1FF]);
        CHECK(bus.read(PhysAddr{0xF0100}, 1) == 0x90);
    }
    SECTION("past the end of RAM: open bus") {
        bus.write_bytes(PhysAddr{4 * kMiB - 16}, src.data(), 32);
        CHECK(bus.read(PhysAddr{4 * kMiB - 16}, 1) == src[0]);
        CHECK(bus.read(PhysAddr{4 * kMiB - 1}, 1) == src[15]);
        CHECK(bus.stats().open_bus_writes == 16);
    }
}
