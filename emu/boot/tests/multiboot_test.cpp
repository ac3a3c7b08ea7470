#include <catch2/catch.hpp>

#include "boot/boot_error.hpp"
#include "boot/multiboot.hpp"
#include "elf_builder.hpp"

using namespace hm;
using namespace hm::test;

namespace {
struct Loaded {
    PhysicalMemory ram;
    Bus bus{ram};
    explicit Loaded(u64 size) : ram(size) {}
    u32 r32(u64 pa) { return static_cast<u32>(bus.read(PhysAddr{pa}, 4)); }
    u64 r64(u64 pa) { return bus.read(PhysAddr{pa}, 8); }
    std::string str(u64 pa) {
        std::string s;
        for (char c; (c = static_cast<char>(bus.read(PhysAddr{pa++}, 1))) != 0;) s.push_back(c);
        return s;
    }
};

MultibootRequest request(std::vector<u8> kernel, std::string append = "") {
    MultibootRequest r;
    r.kernel_name = "mbinfo.elf";
    r.kernel = std::move(kernel);
    r.append = std::move(append);
    return r;
}

std::string error_of(Bus& bus, const MultibootRequest& r) {
    try {
        load_multiboot(bus, r);
    } catch (const BootError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("Segments land at their physical addresses with .bss zeroed", "[multiboot]") {
    Loaded m(64 * kMiB);
    m.bus.write(PhysAddr{0x104100}, 0xFFFFFFFF, 4);  // dirt where .bss goes
    MultibootLoad r = load_multiboot(m.bus, request(simple_kernel()));
    CHECK(r.entry == 0x100010);
    CHECK(r.eax == 0x2BADB002);
    CHECK(r.ebx == 0x9500);
    CHECK(m.r32(0x100000) == 0x1BADB002);
    CHECK(m.bus.read(PhysAddr{0x10003F}, 1) == 0x90);
    CHECK(m.bus.read(PhysAddr{0x103000}, 1) == 0xAB);
    CHECK(m.r32(0x104100) == 0);
    CHECK(r.warnings.empty());
}

TEST_CASE("Information block and memory map match QEMU's for 64 MiB", "[multiboot]") {
    Loaded m(64 * kMiB);
    load_multiboot(m.bus, request(simple_kernel(), "a b=c"));
    const u64 mbi = 0x9500;
    CHECK(m.r32(mbi + 0) == 0x24F);
    CHECK(m.r32(mbi + 4) == 639);     // QEMU + SeaBIOS print the same
    CHECK(m.r32(mbi + 8) == 64384);
    CHECK(m.r32(mbi + 12) == 0x8000FFFF);
    CHECK(m.str(m.r32(mbi + 16)) == "mbinfo.elf a b=c");
    CHECK(m.str(m.r32(mbi + 64)) == "hm386");
    CHECK(m.r32(mbi + 48) == 0x9000);
    REQUIRE(m.r32(mbi + 44) == 6 * 24);
    // base, length, type as SeaBIOS reports them under QEMU 7.2 with -m 64M
    const u64 expect[6][3] = {{0, 0x9FC00, 1},          {0x9FC00, 0x400, 2},     {0xF0000, 0x10000, 2},
                              {0x100000, 0x3EE0000, 1}, {0x3FE0000, 0x20000, 2}, {0xFFFC0000, 0x40000, 2}};
    for (int i = 0; i < 6; ++i) {
        const u64 e = 0x9000 + 24 * static_cast<u64>(i);
        CHECK(m.r32(e) == 20);
        CHECK(m.r64(e + 4) == expect[i][0]);
        CHECK(m.r64(e + 12) == expect[i][1]);
        CHECK(m.r32(e + 20) == expect[i][2]);
    }
}

TEST_CASE("RAM above 4 GiB appears in the map and mem_upper stops below the hole", "[multiboot]") {
    Loaded m(8 * kGiB);
    load_multiboot(m.bus, request(simple_kernel()));
    CHECK(m.r32(0x9500 + 8) == 3144576);  // what QEMU reports with -m 8G
    REQUIRE(m.r32(0x9500 + 44) == 7 * 24);
    const u64 last = 0x9000 + 6 * 24;
    CHECK(m.r64(last + 4) == 0x100000000ull);
    CHECK(m.r64(last + 12) == 0x140000000ull);
    CHECK(m.r32(last + 20) == 1);
    CHECK(m.str(m.r32(0x9500 + 16)) == "mbinfo.elf ");  // QEMU keeps the space
}

TEST_CASE("Modules and command lines are laid out exactly as QEMU lays them out", "[multiboot]") {
    // QEMU 7.2: `-kernel mbinfo.elf -append "a b=c" -initrd "mod1 x y,mod2"` with a
    // kernel spanning 0x100000-0x105000 gave these addresses.
    Loaded m(64 * kMiB);
    MultibootRequest r = request(simple_kernel(0x2000, 0x103000, 0x1FE0), "a b=c");
    r.modules.push_back({"mod1 x y", std::vector<u8>{'h', 'e', 'l', 'l', 'o', '\n'}});
    r.modules.push_back({"mod2", std::vector<u8>(5000, 0x5A)});
    load_multiboot(m.bus, r);
    CHECK(m.r32(0x9500 + 20) == 2);
    CHECK(m.r32(0x9500 + 24) == 0x105000);
    CHECK(m.r32(0x105000) == 0x106000);
    CHECK(m.r32(0x105004) == 0x106006);
    CHECK(m.r32(0x105008) == 0x105020);
    CHECK(m.str(0x105020) == "mod1 x y");
    CHECK(m.r32(0x105010) == 0x107000);
    CHECK(m.r32(0x105014) == 0x108388);
    CHECK(m.r32(0x105018) == 0x105029);
    CHECK(m.r32(0x9500 + 16) == 0x10502E);
    CHECK(m.r32(0x9500 + 64) == 0x10503F);
    CHECK(m.str(0x106000) == "hello\n");
    CHECK(m.bus.read(PhysAddr{0x107000 + 4999}, 1) == 0x5A);
}

TEST_CASE("Kernels that do not fit are refused before anything is written", "[multiboot]") {
    Loaded m(4 * kMiB);
    auto text = multiboot_header();
    text.resize(0x40);
    auto k = [&](u32 paddr, u32 memsz) { return build_elf(paddr, {{paddr, paddr, text, memsz, 5}}); };
    CHECK(error_of(m.bus, request(k(0x800000, 0x1000))).find("is not in RAM") != std::string::npos);
    CHECK(error_of(m.bus, request(k(0xA0000, 0x1000))).find("is not in RAM") != std::string::npos);  // VGA hole
    CHECK(error_of(m.bus, request(k(0x3FF000, 0x1000))).find("do not fit in RAM") != std::string::npos);
    MultibootRequest big = request(k(0x100000, 0x1000));
    big.modules.push_back({"huge", std::vector<u8>(4 * kMiB)});
    CHECK(error_of(m.bus, big).find("do not fit in RAM") != std::string::npos);
    CHECK(m.r32(0x9500) == 0);  // nothing was written
    CHECK(m.r32(0x100000) == 0);
}

TEST_CASE("A kernel linked low over 0x9000 gets its information block elsewhere", "[multiboot]") {
    Loaded m(64 * kMiB);
    auto text = multiboot_header();
    text.resize(0x40);
    text[0x3F] = 0x90;
    // Loaded at 0x8000-0xA7FF: over QEMU's 0x9000-0x95FF; the module list and
    // command line follow the image at 0xB000.
    MultibootLoad r = load_multiboot(m.bus, request(build_elf(0x8000, {{0x8000, 0x8000, text, 0x2800, 5}}), "x=1"));
    CHECK(m.r32(0x8000) == 0x1BADB002);  // the image is intact
    CHECK(m.bus.read(PhysAddr{0x803F}, 1) == 0x90);
    CHECK(m.r32(0x9000) == 0);  // .bss, not a memory map
    CHECK(r.ebx == 0x1500);     // the first free page: map at 0x1000, block at 0x1500
    CHECK(m.r32(r.ebx + 48) == 0x1000);
    CHECK(m.r32(0x1000) == 20);  // the first map entry's size field
    CHECK(m.r32(r.ebx + 0) == 0x24F);
    CHECK(m.str(m.r32(r.ebx + 16)) == "mbinfo.elf x=1");
    bool listed = false;
    for (const LoadedRange& lr : r.ranges) listed = listed || (lr.start == 0x1000 && lr.end == 0x1500 + 88);
    CHECK(listed);
    // A kernel that fills conventional memory leaves no room: refused, clearly.
    Loaded full(64 * kMiB);
    CHECK(error_of(full.bus, request(build_elf(0x1000, {{0x1000, 0x1000, text, 0x9E000, 5}})))
              .find("leave no room") != std::string::npos);
}

TEST_CASE("Missing or broken Multiboot headers", "[multiboot]") {
    Loaded m(16 * kMiB);
    std::vector<u8> text(0x40, 0x90);
    auto plain = build_elf(0x100000, {{0x100000, 0x100000, text, 0x40, 5}});
    CHECK(error_of(m.bus, request(plain)).find("no Multiboot header in the first 8 KiB") != std::string::npos);
    auto bad = simple_kernel();
    // The header sits at the first segment's data; find it and break the checksum.
    for (size_t i = 0; i + 4 <= bad.size(); i += 4) {
        if (bad[i] == 0x02 && bad[i + 1] == 0xB0 && bad[i + 2] == 0xAD && bad[i + 3] == 0x1B) {
            bad[i + 8] ^= 1;
            break;
        }
    }
    CHECK(error_of(m.bus, request(bad)).find("bad checksum") != std::string::npos);
    // Header beyond 8 KiB does not count.
    std::vector<u8> far(0x3000, 0);
    auto hdr = multiboot_header();
    std::copy(hdr.begin(), hdr.end(), far.begin() + 0x2000);
    auto late = build_elf(0x100000, {{0x100000, 0x100000, far, 0x3000, 5}});
    CHECK(error_of(m.bus, request(late)).find("no Multiboot header") != std::string::npos);
    // Not ELF and no a.out-kludge addresses.
    std::vector<u8> raw = multiboot_header();
    raw.resize(64);
    CHECK(error_of(m.bus, request(raw)).find("not an ELF file") != std::string::npos);
}

TEST_CASE("The a.out kludge (flag 16) loads a raw image at the header's addresses", "[multiboot]") {
    Loaded m(16 * kMiB);
    // Image loaded at 0x200000; header at file offset 0x10 (address 0x200010).
    std::vector<u8> img(0x100, 0xCC);
    const u32 flags = 0x10003;
    auto hdr = multiboot_header(flags);
    std::copy(hdr.begin(), hdr.end(), img.begin() + 0x10);
    put32(img, 0x1C, 0x200010);  // header_addr
    put32(img, 0x20, 0x200000);  // load_addr
    put32(img, 0x24, 0x200100);  // load_end_addr
    put32(img, 0x28, 0x201000);  // bss_end_addr
    put32(img, 0x2C, 0x200040);  // entry
    m.bus.write(PhysAddr{0x200800}, 0xFFFFFFFF, 4);
    MultibootLoad r = load_multiboot(m.bus, request(img));
    CHECK(r.entry == 0x200040);
    CHECK(m.bus.read(PhysAddr{0x2000FF}, 1) == 0xCC);
    CHECK(m.r32(0x200800) == 0);  // bss
    CHECK(m.r32(0x9500 + 24) == 0x201000);  // info follows bss_end
    auto broken = img;
    put32(broken, 0x24, 0x1FFFFF);  // load_end below load
    CHECK(error_of(m.bus, request(broken)).find("load_end_addr") != std::string::npos);
    broken = img;
    put32(broken, 0x24, 0x300000);  // more than the file holds
    CHECK(error_of(m.bus, request(broken)).find("truncated") != std::string::npos);
    broken = img;
    put32(broken, 0x28, 0x200080);  // bss end before load end
    CHECK(error_of(m.bus, request(broken)).find("bss_end_addr") != std::string::npos);
    broken = img;
    put32(broken, 0x1C, 0x1FFFFF);  // header_addr below load_addr
    CHECK(error_of(m.bus, request(broken)).find("header_addr") != std::string::npos);
    broken = img;
    put32(broken, 0x2C, 0x400000);
    CHECK(error_of(m.bus, request(broken)).find("entry point") != std::string::npos);
}

TEST_CASE("A video-mode request is a warning, as in QEMU", "[multiboot]") {
    Loaded m(16 * kMiB);
    auto text = multiboot_header(0x7);
    text.resize(0x40);
    auto k = build_elf(0x100000, {{0x100000, 0x100000, text, 0x40, 5}});
    MultibootLoad r = load_multiboot(m.bus, request(k));
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("video mode") != std::string::npos);
}

TEST_CASE("The hello guest from the build tree loads", "[multiboot]") {
    Loaded m(64 * kMiB);
    std::vector<u8> elf = read_file_bytes(HM386_HELLO_ELF, 16 * kMiB, "kernel");
    MultibootRequest r = request(elf, "exit=3");
    r.kernel_name = HM386_HELLO_ELF;
    MultibootLoad l = load_multiboot(m.bus, r);
    CHECK(l.entry >= 0x100000);
    CHECK(m.r32(0x100000) == 0x1BADB002);  // the header leads .text
    CHECK(m.str(m.r32(0x9500 + 16)) == std::string(HM386_HELLO_ELF) + " exit=3");
}

TEST_CASE("An empty file and a 64-bit ELF are named for what they are", "[multiboot]") {
    Loaded m(16 * kMiB);
    CHECK(error_of(m.bus, request({})).find("the file is empty") != std::string::npos);
    std::vector<u8> text(0x40, 0x90);
    auto elf64 = build_elf(0x100000, {{0x100000, 0x100000, text, 0x40, 5}});
    elf64[4] = 2;                      // ELFCLASS64
    elf64[18] = 0x3E, elf64[19] = 0;   // EM_X86_64
    const std::string why = error_of(m.bus, request(elf64));
    CHECK(why.find("a 64-bit x86-64 ELF") != std::string::npos);
    CHECK(why.find("no Multiboot header") == std::string::npos);
}
