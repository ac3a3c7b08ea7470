#include <catch2/catch.hpp>

#include "mem/phys_memory.hpp"

using namespace hm;

TEST_CASE("RAM below 3.5 GiB is all below 4 GiB, with the legacy hole", "[mem]") {
    PhysicalMemory m(64 * kMiB);
    CHECK(m.below_4g() == 64 * kMiB);
    CHECK(m.above_4g() == 0);
    CHECK(m.is_ram(PhysAddr{0}));
    CHECK(m.is_ram(PhysAddr{0x9FFFF}));
    CHECK_FALSE(m.is_ram(PhysAddr{0xA0000}));
    CHECK_FALSE(m.is_ram(PhysAddr{0xFFFFF}));
    CHECK(m.is_ram(PhysAddr{0x100000}));
    CHECK(m.is_ram(PhysAddr{64 * kMiB - 1}));
    CHECK_FALSE(m.is_ram(PhysAddr{64 * kMiB}));
    auto r = m.ranges();
    REQUIRE(r.size() == 2);
    CHECK(r[0].base == 0);
    CHECK(r[0].size == 0xA0000);
    CHECK(r[1].base == 0x100000);
    CHECK(r[1].size == 63 * kMiB);
}

TEST_CASE("RAM of 3.5 GiB or more splits at 3 GiB as QEMU's i440fx does", "[mem]") {
    PhysicalMemory m(6 * kGiB);
    CHECK(m.below_4g() == 3 * kGiB);
    CHECK(m.above_4g() == 3 * kGiB);
    CHECK_FALSE(m.is_ram(PhysAddr{3 * kGiB}));
    CHECK(m.is_ram(PhysAddr{4 * kGiB}));
    CHECK(m.is_ram(PhysAddr{7 * kGiB - 1}));
    CHECK_FALSE(m.is_ram(PhysAddr{7 * kGiB}));
    // Distinct host bytes for distinct guest pages on both sides of the hole.
    *m.host(PhysAddr{3 * kGiB - 1}) = 0x11;
    *m.host(PhysAddr{4 * kGiB}) = 0x22;
    CHECK(*m.host(PhysAddr{3 * kGiB - 1}) == 0x11);
    CHECK(*m.host(PhysAddr{4 * kGiB}) == 0x22);
}

TEST_CASE("64 GiB leaves the part beyond the 36-bit limit unaddressable", "[mem]") {
    PhysicalMemory m(64 * kGiB);
    CHECK(m.below_4g() == 3 * kGiB);
    CHECK(m.above_4g() == 60 * kGiB);
    CHECK(m.unaddressable() == 1 * kGiB);
    CHECK(m.is_ram(PhysAddr{kMaxPhysAddr - 1}));
}

TEST_CASE("Bad RAM sizes are rejected with a message", "[mem]") {
    CHECK_THROWS_AS(PhysicalMemory(512 * kKiB), std::invalid_argument);
    CHECK_THROWS_AS(PhysicalMemory(65 * kGiB), std::invalid_argument);
    CHECK_THROWS_AS(PhysicalMemory(1 * kMiB + 1), std::invalid_argument);
}

TEST_CASE("Untouched RAM costs no host memory", "[mem]") {
    PhysicalMemory m(8 * kGiB);
    u64 before = m.resident_bytes();
    CHECK(before < 1 * kMiB);
    for (u64 pa = 0x100000; pa < 0x100000 + 4 * kMiB; pa += kPageSize) *m.host(PhysAddr{pa}) = 1;
    u64 after = m.resident_bytes();
    CHECK(after - before >= 4 * kMiB);
    CHECK(after - before < 5 * kMiB);
}

TEST_CASE("Memory sizes parse as QEMU's -m does", "[mem]") {
    u64 b = 0;
    CHECK(parse_memory_size("64", b));
    CHECK(b == 64 * kMiB);
    CHECK(parse_memory_size("6G", b));
    CHECK(b == 6 * kGiB);
    CHECK(parse_memory_size("512M", b));
    CHECK(b == 512 * kMiB);
    CHECK(parse_memory_size("1GiB", b));
    CHECK(b == 1 * kGiB);
    CHECK(parse_memory_size("2048K", b));
    CHECK(b == 2 * kMiB);
    CHECK_FALSE(parse_memory_size("", b));
    CHECK_FALSE(parse_memory_size("G", b));
    CHECK_FALSE(parse_memory_size("12X", b));
    CHECK_FALSE(parse_memory_size("1G5", b));
}
