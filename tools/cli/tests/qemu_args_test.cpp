#include <catch2/catch.hpp>

#include "qemu_args.hpp"

using namespace hm;
using V = std::vector<std::string>;

TEST_CASE("QEMU's single-dash options become hm386's", "[cli]") {
    CHECK(translate_qemu_args({"run", "-kernel", "k.elf", "-append", "a=1 b", "-m", "64M", "-initrd", "m1 x,m2"}) ==
          V{"run", "--kernel", "k.elf", "--append", "a=1 b", "-m", "64M", "--initrd", "m1 x,m2"});
    CHECK(translate_qemu_args({"run", "-bios", "fw.bin", "-serial", "file:out.txt", "-debugcon", "stdio"}) ==
          V{"run", "--rom", "fw.bin", "--serial", "file:out.txt", "--debugcon", "stdio"});
    CHECK(translate_qemu_args({"run", "-no-reboot", "-nographic", "-display", "none", "k"}) == V{"run", "k"});
    CHECK(translate_qemu_args({"run", "-rtc", "base=2020-02-02T10:00:00,clock=vm", "k"}) ==
          V{"run", "--rtc-base", "2020-02-02T10:00:00", "k"});
    CHECK(translate_qemu_args({"run", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "k"}) ==
          V{"run", "--debug-exit-qemu", "k"});
    CHECK(translate_qemu_args({"run", "-device", "pc-testdev", "k"}) == V{"run", "--device", "pc-testdev", "k"});
    CHECK(translate_qemu_args({"run", "--", "-kernel"}) == V{"run", "--", "-kernel"});
    CHECK(translate_qemu_args({"run", "-smp", "4", "k"}) == V{"run", "--smp", "4", "k"});
    CHECK(translate_qemu_args({"run", "-s", "-S", "k"}) == V{"run", "--gdb", "1234", "k"});
    CHECK(translate_qemu_args({"run", "-gdb", "tcp::4321", "k"}) == V{"run", "--gdb", "4321", "k"});
    CHECK(translate_qemu_args({"run", "-gdb", "tcp:localhost:4321", "k"}) == V{"run", "--gdb", "4321", "k"});
}

TEST_CASE("QEMU options hm386 cannot honour are usage errors", "[cli]") {
    CHECK_THROWS_WITH(translate_qemu_args({"run", "-device", "isa-debug-exit,iobase=0x501"}), Catch::Contains("0xf4"));
    CHECK_THROWS_WITH(translate_qemu_args({"run", "-device", "e1000"}), Catch::Contains("fixed"));
    CHECK_THROWS_WITH(translate_qemu_args({"run", "-rtc", "base=utc"}), Catch::Contains("irreproducible"));
    CHECK_THROWS_WITH(translate_qemu_args({"run", "-display", "gtk"}), Catch::Contains("no display"));
    CHECK_THROWS_WITH(translate_qemu_args({"run", "-display"}), Catch::Contains("needs a value"));
    CHECK_THROWS_WITH(translate_qemu_args({"run", "-gdb", "tcp:0.0.0.0:1234"}), Catch::Contains("localhost only"));
    CHECK_THROWS_WITH(translate_qemu_args({"run", "-gdb", "unix:/tmp/s"}), Catch::Contains("localhost only"));
}

TEST_CASE("QEMU initrd lists split on commas, with ,, for a literal comma", "[cli]") {
    CHECK(split_initrd_list("a x,b") == V{"a x", "b"});
    CHECK(split_initrd_list("a x=1,,2,b") == V{"a x=1,2", "b"});
    CHECK(split_initrd_list("single") == V{"single"});
}
