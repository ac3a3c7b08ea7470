#include <catch2/catch.hpp>

#include "device_fixture.hpp"
#include "devices/fpu_error_latch.hpp"

using namespace hm;
using hm::test::DeviceFixture;

TEST_CASE("FERR# latches IRQ 13, a write to port F0h clears it and asserts IGNNE# while FERR# lasts", "[fpu-latch]") {
    DeviceFixture f;
    FpuErrorLatch latch{f.irqs.line(13)};
    f.bus.attach_io(FpuErrorLatch::kPort, 1, latch, "fpu-error");
    std::vector<bool> ignne;
    latch.on_ignne = [&](bool l) { ignne.push_back(l); };
    CHECK(f.in8(0xF0) == 0xFF);
    f.out8(0xF0, 0);  // no error: nothing happens
    CHECK(ignne.empty());
    latch.set_ferr(true);
    CHECK(f.irqs.level[13]);
    CHECK(f.irqs.rising[13] == 1);
    latch.set_ferr(true);  // still asserted: no new edge
    CHECK(f.irqs.rising[13] == 1);
    f.out8(0xF0, 0);
    CHECK_FALSE(f.irqs.level[13]);
    CHECK(latch.ignne());
    REQUIRE(ignne == std::vector<bool>{true});
    latch.set_ferr(false);  // the handler's FNCLEX
    CHECK_FALSE(latch.ignne());
    CHECK(ignne == std::vector<bool>{true, false});
    latch.set_ferr(true);  // the next error latches again
    CHECK(f.irqs.rising[13] == 2);
}
