#include <catch2/catch.hpp>

#include "device_fixture.hpp"
#include "devices/debug_console.hpp"
#include "devices/debug_exit.hpp"
#include "devices/post_port.hpp"

using namespace hm;
using hm::test::DeviceFixture;

TEST_CASE("Port 0xE9 prints and identifies itself", "[debugports]") {
    DeviceFixture f;
    CaptureSink out;
    DebugConsole con(&out);
    f.bus.attach_io(0xE9, 1, con, "debugcon");
    for (char c : std::string("ok\n")) f.out8(0xE9, static_cast<u8>(c));
    CHECK(out.text == "ok\n");
    CHECK(f.in8(0xE9) == 0xE9);
    CHECK(con.bytes() == 3);
}

TEST_CASE("POST codes are logged with the cycle, port and value", "[debugports]") {
    DeviceFixture f;
    CaptureSink log;
    PostPort post(f.clock, &log);
    f.bus.attach_io(0x80, 1, post, "post");
    f.bus.attach_io(0x84, 1, post, "post2");
    f.advance(1234);
    f.out8(0x80, 0x55);
    f.advance(1);
    f.bus.io_write(0x84, 0xBEEF, 2);
    CHECK(log.text == "1234 0x0080 0x55\n1235 0x0084 0xbeef\n");
    CHECK(f.bus.io_read(0x80, 2) == 0xBEEF);
    CHECK(post.writes() == 2);
}

TEST_CASE("Debug exit records the first value and maps it to a host status", "[debugports]") {
    DeviceFixture f;
    DebugExit dx;
    u32 seen = 0;
    dx.on_exit = [&](u32 v) { seen = v; };
    f.bus.attach_io(DebugExit::kPort, DebugExit::kPorts, dx, "debug-exit");
    CHECK_FALSE(dx.requested());
    f.out32(0xF4, 42);
    CHECK(dx.requested());
    CHECK(dx.value() == 42);
    CHECK(seen == 42);
    f.out8(0xF7, 7);  // any port of the four
    CHECK(seen == 7);
    CHECK(dx.value() == 42);
    CHECK(DebugExit::host_status(42, DebugExitStyle::Plain) == 42);
    CHECK(DebugExit::host_status(42, DebugExitStyle::Qemu) == 85);
    CHECK(DebugExit::host_status(0x1FF, DebugExitStyle::Plain) == 0xFF);
    CHECK(DebugExit::host_status(0, DebugExitStyle::Qemu) == 1);
}
