#include <catch2/catch.hpp>

#include "boot/boot_error.hpp"
#include "boot/reset_rom.hpp"

using namespace hm;

TEST_CASE("A 64 KiB ROM ends at 4 GiB and is aliased at 0xF0000", "[rom]") {
    PhysicalMemory ram(16 * kMiB);
    Bus bus(ram);
    std::vector<u8> img(64 * 1024);
    for (size_t i = 0; i < img.size(); ++i) img[i] = static_cast<u8>(i * 7);
    RomPlacement p = map_reset_rom(bus, img, "bios.bin");
    CHECK(p.high_base == 0xFFFF0000);
    CHECK(p.low_base == 0xF0000);
    CHECK(bus.read(PhysAddr{0xFFFFFFF0}, 1) == img[img.size() - 16]);  // the reset vector
    CHECK(bus.read(PhysAddr{0xFFFF0}, 1) == img[img.size() - 16]);     // F000:FFF0 after a far jump
    CHECK(bus.read(PhysAddr{0xF0000}, 4) == bus.read(PhysAddr{0xFFFF0000}, 4));
    bus.write(PhysAddr{0xFFFF0}, 0, 1);  // ROM ignores writes
    CHECK(bus.read(PhysAddr{0xFFFF0}, 1) == img[img.size() - 16]);
}

TEST_CASE("Small images are padded in front and large ones alias their last 128 KiB", "[rom]") {
    PhysicalMemory ram(16 * kMiB);
    Bus bus(ram);
    std::vector<u8> tiny = {0xEA, 0x00, 0x00, 0x00, 0xF0};  // jmp far F000:0000
    RomPlacement p = map_reset_rom(bus, tiny, "t.bin");
    CHECK(p.high_base == 0xFFFFF000);
    CHECK(bus.read(PhysAddr{0xFFFFFFFB}, 1) == 0xEA);
    CHECK(bus.read(PhysAddr{0xFFFFFFFF}, 1) == 0xF0);
    CHECK(bus.read(PhysAddr{0xFFFFF000}, 1) == 0xFF);
    CHECK(bus.read(PhysAddr{0xFFFFB}, 1) == 0xEA);

    PhysicalMemory ram2(16 * kMiB);
    Bus bus2(ram2);
    std::vector<u8> big(256 * 1024, 0);
    big[big.size() - 128 * 1024] = 0x42;
    RomPlacement q = map_reset_rom(bus2, big, "big.bin");
    CHECK(q.low_base == 0xE0000);
    CHECK(q.low_size == 128 * 1024);
    CHECK(bus2.read(PhysAddr{0xE0000}, 1) == 0x42);
}

TEST_CASE("Empty and oversized ROM images are refused", "[rom]") {
    PhysicalMemory ram(16 * kMiB);
    Bus bus(ram);
    CHECK_THROWS_AS(map_reset_rom(bus, std::vector<u8>{}, "e.bin"), BootError);
    CHECK_THROWS_WITH(map_reset_rom(bus, std::vector<u8>(kMaxRomBytes + 1), "x.bin"),
                      Catch::Contains("at most 1 MiB"));
}
