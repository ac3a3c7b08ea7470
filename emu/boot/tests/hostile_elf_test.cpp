// Truncated and corrupted kernels: the loader must answer every one of them with
// a BootError or a successful load, never a crash, hang or other exception.
#include <catch2/catch.hpp>

#include <random>

#include "boot/boot_error.hpp"
#include "boot/multiboot.hpp"
#include "elf_builder.hpp"

using namespace hm;
using namespace hm::test;

namespace {
// 0 = loaded, 1 = BootError; anything else escapes and fails the test.
int try_load(Bus& bus, std::vector<u8> kernel) {
    MultibootRequest r;
    r.kernel_name = "fuzz.elf";
    r.kernel = std::move(kernel);
    try {
        load_multiboot(bus, r);
        return 0;
    } catch (const BootError&) {
        return 1;
    }
}
}  // namespace

TEST_CASE("A kernel truncated at every offset is refused cleanly", "[multiboot][fuzz]") {
    PhysicalMemory ram(32 * kMiB);
    Bus bus(ram);
    const auto good = simple_kernel();
    REQUIRE(try_load(bus, good) == 0);
    unsigned refused = 0;
    for (size_t n = 0; n < good.size(); ++n) {
        refused += try_load(bus, std::vector<u8>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n)));
    }
    // Cutting into the headers or segment bytes must always be caught.
    CHECK(refused == good.size());
}

TEST_CASE("Every header byte flipped to hostile values never crashes the loader", "[multiboot][fuzz]") {
    PhysicalMemory ram(32 * kMiB);
    Bus bus(ram);
    const auto good = simple_kernel();
    const size_t headers = 52 + 2 * 32;
    unsigned loaded = 0, refused = 0;
    for (size_t i = 0; i < headers; ++i) {
        for (u8 v : {u8{0x00}, u8{0x01}, u8{0x7F}, u8{0x80}, u8{0xFF}}) {
            auto f = good;
            f[i] = v;
            (try_load(bus, f) == 0 ? loaded : refused)++;
        }
    }
    CHECK(refused > 0);
    CHECK(loaded > 0);  // bytes such as p_align do not matter
}

TEST_CASE("Random corruption anywhere never crashes the loader", "[multiboot][fuzz]") {
    PhysicalMemory ram(32 * kMiB);
    Bus bus(ram);
    const auto good = simple_kernel();
    std::mt19937 rng(4242);
    for (int iter = 0; iter < 3000; ++iter) {
        auto f = good;
        int flips = 1 + static_cast<int>(rng() % 6);
        for (int k = 0; k < flips; ++k) {
            size_t at = rng() % f.size();
            f[at] = static_cast<u8>(rng());
            if (rng() % 3 == 0) {  // sometimes a whole 32-bit field
                at &= ~size_t{3};
                if (at + 4 <= f.size()) put32(f, at, static_cast<u32>(rng()));
            }
        }
        if (rng() % 4 == 0) f.resize(rng() % (f.size() + 1));
        try_load(bus, f);
    }
    SUCCEED("3000 corrupted kernels handled");
}
