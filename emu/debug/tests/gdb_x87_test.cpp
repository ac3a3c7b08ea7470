// gdb's x87 registers over FpuState (gdb_x87.hpp): stack order from TOP, the
// full tag word, little-endian 80-bit values, and what writes may change.
// Real gdb reads and writes them in gdb_batch_test.sh.
#include <catch2/catch.hpp>

#include "cpu/ops/x87.hpp"
#include "debug/gdb_rsp.hpp"
#include "debug/gdb_x87.hpp"

using namespace hm;
using namespace hm::dbg;

namespace {
// TOP = 6: ST(0) is R6 (1.0), ST(1) is R7 (+0); the rest empty.
FpuState two_pushed() {
    FpuState f;
    f.cw = 0x087F;
    f.sw = static_cast<u16>((6u << 11) | fpu::sw::PE);
    f.tag = 0xFFFF;
    f.st[6] = fpu::Float80{0x8000000000000000ull, 0x3FFF};
    f.st[7] = fpu::Float80{0, 0};
    cpu::x87::set_tag_phys(f, 6, cpu::x87::kTagValid);
    cpu::x87::set_tag_phys(f, 7, cpu::x87::kTagZero);
    f.fcs = 0x08;
    f.fip = 0xC0101234;
    f.fds = 0x10;
    f.fdp = 0xC0205678;
    f.fop = 0x235;
    return f;
}
std::vector<u8> bytes(const std::string& hex) { return *from_hex(hex); }
}  // namespace

TEST_CASE("gdb x87 registers read in stack order with the full tag word", "[unit][debugger][gdb]") {
    const FpuState f = two_pushed();
    CHECK(gdb_x87_read(f, 0) == "0000000000000080ff3f");  // 1.0: significand, then sign+exponent
    CHECK(gdb_x87_read(f, 1) == "00000000000000000000");
    CHECK(gdb_x87_read(f, 8) == le_hex(0x087F, 4));
    CHECK(gdb_x87_read(f, 9) == le_hex(f.sw, 4));
    CHECK(gdb_x87_read(f, 10) == le_hex(cpu::x87::tag_word(f), 4));
    CHECK(cpu::x87::tag_word(f) == 0x4FFF);  // R7 zero (01), R6 valid (00), R0-R5 empty
    CHECK(gdb_x87_read(f, 11) == le_hex(0x08, 4));
    CHECK(gdb_x87_read(f, 12) == le_hex(0xC0101234, 4));
    CHECK(gdb_x87_read(f, 13) == le_hex(0x10, 4));
    CHECK(gdb_x87_read(f, 14) == le_hex(0xC0205678, 4));
    CHECK(gdb_x87_read(f, 15) == le_hex(0x235, 4));
    for (unsigned k = 0; k < kGdbX87Count; ++k) CHECK(gdb_x87_read(f, k).size() == 2 * gdb_x87_size(k));
}

TEST_CASE("gdb x87 register writes", "[unit][debugger][gdb]") {
    FpuState f = two_pushed();
    SECTION("a stack register takes the value and keeps being in use, its class following") {
        REQUIRE(gdb_x87_write(f, 1, bytes("0000000000000080ff3f")));  // ST(1) = R7 := 1.0
        CHECK(f.st[7] == fpu::Float80{0x8000000000000000ull, 0x3FFF});
        CHECK(cpu::x87::tag_of_phys(f, 7) == cpu::x87::kTagValid);
        CHECK(f.st[6] == two_pushed().st[6]);
    }
    SECTION("an empty register stays empty") {
        f.sw = static_cast<u16>(f.sw & ~fpu::sw::kTopMask);  // TOP 0: ST(0) is the empty R0
        REQUIRE(gdb_x87_write(f, 0, bytes("0000000000000080ff3f")));
        CHECK(f.st[0].se == 0x3FFF);
        CHECK(cpu::x87::tag_of_phys(f, 0) == cpu::x87::kTagEmpty);
    }
    SECTION("ftag decides empty or not; the class comes from the value") {
        REQUIRE(gdb_x87_write(f, 10, bytes(le_hex(0x0FFF, 4))));  // R6 and R7 "valid"
        CHECK(cpu::x87::tag_word(f) == 0x4FFF);                   // R7 holds +0: zero
        REQUIRE(gdb_x87_write(f, 10, bytes(le_hex(0xFFFF, 4))));
        CHECK(cpu::x87::tag_word(f) == 0xFFFF);
    }
    SECTION("control registers, and widths refused") {
        REQUIRE(gdb_x87_write(f, 8, bytes(le_hex(0x037F, 4))));
        CHECK(f.cw == 0x037F);
        REQUIRE(gdb_x87_write(f, 12, bytes(le_hex(0x12345678, 4))));
        CHECK(f.fip == 0x12345678);
        REQUIRE(gdb_x87_write(f, 15, bytes(le_hex(0x7FF, 4))));
        CHECK(f.fop == 0x7FF);
        CHECK_FALSE(gdb_x87_write(f, 15, bytes(le_hex(0x800, 4))));
        CHECK_FALSE(gdb_x87_write(f, 8, bytes(le_hex(0x10000, 4))));
        CHECK_FALSE(gdb_x87_write(f, 0, bytes(le_hex(0, 4))));  // 10 bytes wanted
        CHECK_FALSE(gdb_x87_write(f, 16, bytes(le_hex(0, 4))));
        CHECK(f.cw == 0x037F);
        CHECK(f.fop == 0x7FF);
    }
}
