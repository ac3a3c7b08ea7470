#include <catch2/catch.hpp>

#include "boot/boot_error.hpp"
#include "boot/elf32.hpp"
#include "elf_builder.hpp"

using namespace hm;
using namespace hm::test;

namespace {
std::string error_of(const std::vector<u8>& f) {
    try {
        parse_elf32_executable(f, "k.elf");
    } catch (const BootError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("A valid i386 executable yields its segments and entry", "[elf]") {
    auto f = simple_kernel();
    Elf32Executable exe = parse_elf32_executable(f, "k.elf");
    REQUIRE(exe.segments.size() == 2);
    CHECK(exe.segments[0].paddr == 0x100000);
    CHECK(exe.segments[0].filesz == 0x40);
    CHECK(exe.segments[0].memsz == 0x2000);
    CHECK(exe.segments[1].memsz == 0x2020);
    CHECK(exe.entry == 0x100010);
    CHECK(exe.low() == 0x100000);
    CHECK(exe.high() == 0x105020);
}

TEST_CASE("A virtual entry point follows its executable segment to the physical address", "[elf]") {
    std::vector<u8> text(0x100, 0x90);
    auto f = build_elf(0xC0100020, {{0x100000, 0xC0100000, text, 0x100, 5}});
    CHECK(parse_elf32_executable(f, "k").entry == 0x100020);
}

TEST_CASE("Each kind of bad ELF gets its own one-line message", "[elf]") {
    auto good = simple_kernel();
    auto with = [&](size_t off, std::initializer_list<u8> bytes) {
        auto f = good;
        size_t i = off;
        for (u8 b : bytes) f[i++] = b;
        return f;
    };
    CHECK(error_of({'M', 'Z', 0, 0}) == "k.elf: not an ELF file");
    CHECK(error_of(std::vector<u8>(good.begin(), good.begin() + 30)).find("truncated ELF header") != std::string::npos);
    CHECK(error_of(with(4, {2})).find("64-bit") != std::string::npos);
    CHECK(error_of(with(5, {2})).find("little-endian") != std::string::npos);
    CHECK(error_of(with(18, {40, 0})).find("not an i386 ELF (e_machine 40)") != std::string::npos);
    CHECK(error_of(with(16, {3, 0})).find("ET_DYN") != std::string::npos);
    CHECK(error_of(with(16, {1, 0})).find("ET_REL") != std::string::npos);
    CHECK(error_of(with(44, {0, 0})).find("no program headers") != std::string::npos);
    CHECK(error_of(with(42, {40, 0})).find("program header size") != std::string::npos);
    CHECK(error_of(with(28, {0xF0, 0xFF, 0, 0})).find("run past the end") != std::string::npos);
    // first program header at 52: p_filesz at +16, p_memsz at +20, p_offset at +4, p_paddr at +12
    CHECK(error_of(with(52 + 20, {0x10, 0, 0, 0})).find("file size") != std::string::npos);
    CHECK(error_of(with(52 + 4, {0, 0, 1, 0})).find("truncated") != std::string::npos);
    CHECK(error_of(with(52 + 12, {0, 0xF0, 0xFF, 0xFF})).find("wraps past 4 GiB") != std::string::npos);
    CHECK(error_of(with(52 + 32 + 12, {0x00, 0x10, 0x10, 0x00})).find("overlap") != std::string::npos);
    CHECK(error_of(with(24, {0, 0, 0, 0x20})).find("entry point 0x20000000 is outside") != std::string::npos);
    CHECK(error_of(with(52, {2, 0, 0, 0}) /* first PT_LOAD becomes PT_DYNAMIC */).find("entry point") != std::string::npos);
    auto none = with(52, {2});
    none[52 + 32] = 2;
    CHECK(error_of(none).find("no loadable") != std::string::npos);
}
