#include <catch2/catch.hpp>

#include "boot/boot_error.hpp"
#include "boot/manifest.hpp"

using namespace hm;

namespace {
const ManifestVars kVars{"/b"};
std::string error_of(const std::string& text) {
    try {
        parse_manifest(text, "images/x", kVars);
    } catch (const BootError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("A manifest names a kernel, modules, memory, command line and clock", "[manifest]") {
    Manifest m = parse_manifest(
        "# the demo\n"
        "description = demo guest\n"
        "kernel = ${BUILD}/guest/hello.elf\n"
        "\n"
        "module = data/initrd.img root=1 x\n"
        "module = /abs/mod2\n"
        "mem = 64M\n"
        "append =  exit=3 # not a comment=really  \n"
        "cpu-mhz = 50\n",
        "images/demo", kVars);
    CHECK(m.kernel == "/b/guest/hello.elf");
    REQUIRE(m.modules.size() == 2);
    CHECK(m.modules[0] == "images/data/initrd.img root=1 x");
    CHECK(m.modules[1] == "/abs/mod2");
    CHECK(m.mem == "64M");
    CHECK(m.append == "exit=3 # not a comment=really");
    CHECK(m.cpu_mhz == "50");
    CHECK(m.description == "demo guest");
    CHECK_FALSE(m.rom);
}

TEST_CASE("A manifest names the debugger's symbols (a System.map for a Linux bzImage)", "[manifest]") {
    Manifest m = parse_manifest("kernel = ${BUILD}/linux/vmlinuz\nsymbols = ${BUILD}/linux/System.map\n", "images/linux", kVars);
    CHECK(m.symbols == "/b/linux/System.map");
    m = parse_manifest("kernel = k.elf\nsymbols = k.map\n", "/x/images/k", kVars);
    CHECK(m.symbols == "/x/images/k.map");
    CHECK_FALSE(parse_manifest("kernel = k.elf\n", "m", kVars).symbols);
}

TEST_CASE("${HERE} and relative paths resolve against the manifest's folder", "[manifest]") {
    Manifest m = parse_manifest("rom = ${HERE}/fw.bin\n", "/x/images/fw", kVars);
    CHECK(m.rom == "/x/images/fw.bin");
    m = parse_manifest("kernel = k.elf", "m", kVars);
    CHECK(m.kernel == "./k.elf");
}

TEST_CASE("Manifest mistakes are reported with file and line", "[manifest]") {
    CHECK(error_of("kernel = a\nkernal = b\n") ==
          "images/x:2: unknown key 'kernal' (known: kernel, rom, module, initrd, mem, append, cpu-mhz, cpu, smp, symbols, description)");
    CHECK(error_of("kernel = a\nsymbols = s\nsymbols = t\n") == "images/x:3: 'symbols' given twice");
    CHECK(error_of("kernel a\n") == "images/x:1: expected 'key = value', got 'kernel a'");
    CHECK(error_of("kernel = a\nkernel = b\n") == "images/x:2: 'kernel' given twice");
    CHECK(error_of("kernel = ${NOPE}/a\n").find("images/x:1: unknown variable ${NOPE}") == 0);
    CHECK(error_of("kernel = ${BUILD/a\n").find("unterminated") != std::string::npos);
    CHECK(error_of("kernel = a\nrom = b\n") == "images/x: names both a kernel and a rom; choose one");
    CHECK(error_of("mem = 1G\n") == "images/x: names neither a kernel nor a rom");
    CHECK(error_of("kernel =\n") == "images/x:1: 'kernel' has no value");
    CHECK(error_of("rom = r\nmodule = m\n").find("modules need a Multiboot kernel") != std::string::npos);
    CHECK(error_of("= x\n") == "images/x:1: missing key before '='");
}

TEST_CASE("Binary files are not manifests", "[manifest]") {
    CHECK(looks_like_manifest({'k', 'e', 'r', 'n', 'e', 'l'}));
    CHECK_FALSE(looks_like_manifest({0x7F, 'E', 'L', 'F', 1, 1}));
    CHECK_FALSE(looks_like_manifest({'a', 0, 'b'}));
}
