#include <catch2/catch.hpp>

#include "boot/boot_error.hpp"
#include "boot/linux_boot.hpp"
#include "bzimage_builder.hpp"

using namespace hm;
using namespace hm::test;

namespace {
struct Loaded {
    PhysicalMemory ram;
    Bus bus{ram};
    explicit Loaded(u64 size) : ram(size) {}
    u8 r8(u64 pa) { return static_cast<u8>(bus.read(PhysAddr{pa}, 1)); }
    u16 r16(u64 pa) { return static_cast<u16>(bus.read(PhysAddr{pa}, 2)); }
    u32 r32(u64 pa) { return static_cast<u32>(bus.read(PhysAddr{pa}, 4)); }
    u64 r64(u64 pa) { return bus.read(PhysAddr{pa}, 8); }
    std::string str(u64 pa) {
        std::string s;
        for (char c; (c = static_cast<char>(bus.read(PhysAddr{pa++}, 1))) != 0;) s.push_back(c);
        return s;
    }
    // boot_params' e820 table as Linux reads it
    std::vector<MemoryMapEntry> e820() {
        std::vector<MemoryMapEntry> v;
        for (unsigned i = 0; i < r8(kLinuxBootParamsAddr + bp::kE820Entries); ++i) {
            const u64 e = kLinuxBootParamsAddr + bp::kE820Table + 20 * i;
            v.push_back({r64(e), r64(e + 8), r32(e + 16)});
        }
        return v;
    }
};

LinuxBootRequest request(std::vector<u8> kernel, std::string cmdline = "console=ttyS0") {
    LinuxBootRequest r;
    r.kernel_name = "bzImage";
    r.kernel = std::move(kernel);
    r.cmdline = std::move(cmdline);
    return r;
}

std::string error_of(Bus& bus, const LinuxBootRequest& r) {
    try {
        load_linux(bus, r);
    } catch (const BootError& e) {
        return e.what();
    }
    return "";
}

std::string error_of(const BzImageSpec& s, u64 ram = 64 * kMiB) {
    Loaded m(ram);
    return error_of(m.bus, request(make_bzimage(s)));
}

std::string error_of_file(const std::vector<u8>& f) {
    Loaded m(64 * kMiB);
    return error_of(m.bus, request(f));
}

bool same(const std::vector<MemoryMapEntry>& a, const std::vector<MemoryMapEntry>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].base != b[i].base || a[i].length != b[i].length || a[i].type != b[i].type) return false;
    }
    return true;
}

// SeaBIOS's map under QEMU 7.2, as Debian's 6.1 kernel prints it ("BIOS-e820:")
// at -m 3G (docs/linux.md); other sizes follow the same rules.
std::vector<MemoryMapEntry> seabios_map(u64 below_4g, u64 above_4g) {
    std::vector<MemoryMapEntry> v = {{0, 0x9FC00, 1}, {0x9FC00, 0x400, 2}, {0xF0000, 0x10000, 2},
                                     {0x100000, below_4g - 0x20000 - 0x100000, 1}, {below_4g - 0x20000, 0x20000, 2},
                                     {0xFFFC0000, 0x40000, 2}};
    if (above_4g) v.push_back({4 * kGiB, above_4g, 1});
    return v;
}
}  // namespace

TEST_CASE("bzImage header: fields read from the setup header", "[linux]") {
    BzImageSpec s;
    s.setup_sects = 3;
    s.pm.assign(0x2000, 0x90);
    std::vector<u8> f = make_bzimage(s);
    BzImageHeader h = parse_bzimage_header(f, "bzImage");
    CHECK(h.setup_sects == 3);
    CHECK(h.pm_offset == 4 * 512);
    CHECK(h.pm_size == 0x2000);
    CHECK(h.version == 0x020F);
    CHECK(h.code32_start == 0x100000);
    CHECK(h.initrd_addr_max == 0x7FFFFFFF);
    CHECK(h.kernel_alignment == 0x1000000);
    CHECK(h.relocatable);
    CHECK(h.cmdline_size == 2047);
    CHECK(h.pref_address == 0x1000000);
    CHECK(h.init_size == 0x200000);
    CHECK(h.header_end == 0x26C);
    CHECK(has_bzimage_magic(f));
    s.setup_sects = 0;  // means 4
    CHECK(parse_bzimage_header(make_bzimage(s), "bzImage").pm_offset == 5 * 512);
}

TEST_CASE("bzImage header: bad images are exact one-line errors", "[linux]") {
    BzImageSpec s;
    {
        std::vector<u8> f = make_bzimage(s);
        f[0x202] = 'X';
        CHECK_FALSE(has_bzimage_magic(f));
        CHECK(error_of_file(f) == "bzImage: not a Linux bzImage (no \"HdrS\" at 0x202)");
    }
    {
        std::vector<u8> f = make_bzimage(s);
        f[0x1FE] = 0;
        CHECK(error_of_file(f) == "bzImage: not a Linux bzImage (no 0xAA55 boot flag at 0x1fe)");
    }
    {
        std::vector<u8> f(0x100, 0);
        CHECK(error_of_file(f) == "bzImage: truncated: 256 bytes, too short for a Linux setup header");
    }
    for (size_t cut : {size_t{0x206}, size_t{0x207}}) {
        // The magic is whole, the version word (0x206) is not: the loader read past
        // the end of the file (seen while writing the bzimage fuzz target).
        const std::vector<u8> full = make_bzimage(s);
        const std::vector<u8> f(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
        CHECK(has_bzimage_magic(f));
        CHECK(error_of_file(f) == "bzImage: truncated: " + std::to_string(cut) + " bytes, too short for a Linux setup header");
    }
    {
        std::vector<u8> f = make_bzimage(s);
        f.resize(f.size() - 16);  // the last paragraph of the kernel missing
        CHECK(error_of_file(f) ==
              "bzImage: truncated: 5104 bytes, the header describes 5120 (1 setup sectors + syssize 256 paragraphs)");
    }
    {
        std::vector<u8> f = make_bzimage(s);
        f.resize(0x240);  // inside the setup header
        CHECK(error_of_file(f) == "bzImage: truncated: 576 bytes, the setup header ends at 0x0000026c");
    }
    BzImageSpec old = s;
    old.version = 0x0204;
    CHECK(error_of(old) == "bzImage: Linux boot protocol 2.04 is too old (hm386 needs 2.10 or later)");
    old.version = 0x0209;
    CHECK(error_of(old) == "bzImage: Linux boot protocol 2.09 is too old (hm386 needs 2.10 or later)");
    BzImageSpec zimage = s;
    zimage.loadflags = 0;
    CHECK(error_of(zimage) == "bzImage: a zImage (LOADED_HIGH clear); hm386 loads only bzImages");
    BzImageSpec short_hdr = s;
    short_hdr.header_len_byte = 0x40;
    CHECK(error_of(short_hdr) == "bzImage: the setup header ends at 0x00000242, before the 2.10 fields it claims");
    BzImageSpec entry = s;
    entry.code32_start = 0x200000;
    CHECK(error_of(entry) == "bzImage: code32_start 0x00200000 is outside the kernel loaded at 0x00100000");
    // A preferred address past 4 GiB made "pref_address + init_size" wrap to a
    // small number, and such a kernel was loaded as if its area fitted.
    for (u8 relocatable : {u8{0}, u8{1}}) {
        BzImageSpec far = s;
        far.relocatable = relocatable;
        far.pref_address = 0xFFFFFFFFFFF00000ull;
        CHECK(error_of(far) == "bzImage: pref_address 0xfffffffffff00000 is above 4 GiB, where a 32-bit kernel cannot run");
        far.pref_address = 0x100000000ull;
        CHECK(error_of(far) == "bzImage: pref_address 0x100000000 is above 4 GiB, where a 32-bit kernel cannot run");
        far.pref_address = 0xFFF00000ull;  // below 4 GiB but past this machine's RAM: the fit check's error
        CHECK(error_of(far) ==
              "bzImage: the kernel needs RAM up to 0x1000fffff (init_size 2 MiB at 0xfff00000), more than this machine has "
              "(RAM 64 MiB: 64 MiB below 4 GiB, 0 MiB above)");
    }
    BzImageSpec empty = s;
    empty.pm.clear();
    CHECK(error_of(empty) == "bzImage: the setup header gives syssize 0 (no protected-mode kernel)");
}

TEST_CASE("bzImage: too little RAM, too long a command line, too big an initrd", "[linux]") {
    BzImageSpec s;  // decompresses at 16 MiB and needs 2 MiB there
    CHECK(error_of(s, 16 * kMiB) ==
          "bzImage: the kernel needs RAM up to 0x011fffff (init_size 2 MiB at 0x01000000), more than this machine has "
          "(RAM 16 MiB: 16 MiB below 4 GiB, 0 MiB above)");
    CHECK(error_of(s, 19 * kMiB) == "");  // 18 MiB + SeaBIOS's top 128 KiB
    {
        Loaded m(64 * kMiB);
        CHECK(error_of(m.bus, request(make_bzimage(s), std::string(2048, 'x'))) ==
              "bzImage: the command line is 2048 bytes; this kernel takes at most 2047");
        CHECK(error_of(m.bus, request(make_bzimage(s), std::string(2047, 'x'))) == "");
    }
    {
        Loaded m(24 * kMiB);  // usable RAM ends at 24 MiB - 128 KiB; the kernel's area at 18 MiB
        m.bus.write(PhysAddr{0x100000}, 0xDEADBEEF, 4);
        LinuxBootRequest r = request(make_bzimage(s));
        r.initrd_name = "initrd.gz";
        r.initrd.assign(6 * kMiB, 0xA5);
        CHECK(error_of(m.bus, r) ==
              "initrd.gz: the initrd (6291456 bytes) does not fit between the kernel's end (0x01200000) and 0x017e0000 "
              "(initrd_addr_max, low memory, RAM: RAM 24 MiB: 24 MiB below 4 GiB, 0 MiB above)");
        CHECK(m.r32(0x100000) == 0xDEADBEEF);  // nothing written when validation fails
        r.initrd.assign(5 * kMiB, 0xA5);
        CHECK(error_of(m.bus, r) == "");
        r.initrd.clear();
        CHECK(error_of(m.bus, r) == "initrd.gz: the initrd is empty");
    }
}

TEST_CASE("bzImage: kernel, command line and boot_params as the protocol wants them", "[linux]") {
    Loaded m(64 * kMiB);
    BzImageSpec s;
    for (size_t i = 0; i < s.pm.size(); ++i) s.pm[i] = static_cast<u8>(i * 7);
    std::vector<u8> f = make_bzimage(s);
    m.bus.write(PhysAddr{kLinuxBootParamsAddr + 0x100}, 0xFFFFFFFF, 4);  // dirt in the zero page
    LinuxBootLoad l = load_linux(m.bus, request(f, "console=ttyS0 earlyprintk=serial"));
    CHECK(l.entry == 0x100000);
    CHECK(l.boot_params == kLinuxBootParamsAddr);
    for (u64 i : {u64{0}, u64{1}, u64{0x7FF}, u64{0xFFF}}) CHECK(m.r8(0x100000 + i) == static_cast<u8>(i * 7));
    const u64 zp = kLinuxBootParamsAddr;
    CHECK(m.r32(zp + 0x100) == 0);
    CHECK(m.r32(zp + bp::kHeader) == 0x53726448);  // the header copied in
    CHECK(m.r16(zp + bp::kVersion) == 0x020F);
    CHECK(m.r32(zp + bp::kSyssize) == 256);
    CHECK(m.r32(zp + bp::kCode32Start) == 0x100000);
    CHECK(m.r8(zp + bp::kTypeOfLoader) == 0xFF);
    CHECK(m.r8(zp + bp::kLoadflags) == (bp::kLoadedHigh | bp::kCanUseHeap));
    CHECK(m.r16(zp + bp::kHeapEndPtr) == 0xFC00);
    CHECK(m.r32(zp + bp::kCmdLinePtr) == kLinuxCmdlineAddr);
    CHECK(m.str(kLinuxCmdlineAddr) == "console=ttyS0 earlyprintk=serial");
    CHECK(m.r32(zp + bp::kRamdiskImage) == 0);
    CHECK(m.r32(zp + bp::kRamdiskSize) == 0);
    CHECK(m.r8(zp + 0x26C) == 0);  // past the header: boot_params' own (zero) fields
    // GDT: __BOOT_CS flat execute/read, __BOOT_DS flat read/write
    CHECK(l.gdt_base == kLinuxGdtAddr);
    CHECK(l.gdt_limit == 31);
    CHECK(m.r64(kLinuxGdtAddr + kLinuxBootCs) == 0x00CF9B000000FFFFull);
    CHECK(m.r64(kLinuxGdtAddr + kLinuxBootDs) == 0x00CF93000000FFFFull);
}

TEST_CASE("bzImage: e820 map for 1, 3, 6 and 16 GiB is SeaBIOS's", "[linux]") {
    struct Case {
        u64 ram, below, above;
    };
    for (Case c : {Case{1 * kGiB, 1 * kGiB, 0}, Case{3 * kGiB, 3 * kGiB, 0}, Case{6 * kGiB, 3 * kGiB, 3 * kGiB},
                   Case{16 * kGiB, 3 * kGiB, 13 * kGiB}}) {
        INFO("RAM " << (c.ram >> 20) << " MiB");
        Loaded m(c.ram);
        LinuxBootLoad l = load_linux(m.bus, request(make_bzimage(BzImageSpec{})));
        CHECK(same(m.e820(), seabios_map(c.below, c.above)));
        CHECK(same(l.e820, m.e820()));
    }
    // 3 GiB exactly as QEMU 7.2 reports it (BIOS-e820 lines in docs/linux.md)
    Loaded m(3 * kGiB);
    load_linux(m.bus, request(make_bzimage(BzImageSpec{})));
    std::vector<MemoryMapEntry> e = m.e820();
    REQUIRE(e.size() == 6);
    CHECK(e[3].base == 0x100000);
    CHECK(e[3].base + e[3].length - 1 == 0xBFFDFFFF);
    CHECK(e[4].base == 0xBFFE0000);
    CHECK(e[4].type == 2);
}

TEST_CASE("bzImage: initrd placed page aligned, as high as allowed", "[linux]") {
    BzImageSpec s;
    std::vector<u8> initrd(1 * kMiB + 123, 0);
    for (size_t i = 0; i < initrd.size(); ++i) initrd[i] = static_cast<u8>(i * 13 + 1);
    auto boot = [&](u64 ram, const BzImageSpec& spec) {
        auto m = std::make_unique<Loaded>(ram);
        LinuxBootRequest r = request(make_bzimage(spec));
        r.initrd_name = "initramfs.cpio.gz";
        r.initrd = initrd;
        LinuxBootLoad l = load_linux(m->bus, r);
        const u64 zp = kLinuxBootParamsAddr;
        CHECK(m->r32(zp + bp::kRamdiskImage) == l.initrd_addr);
        CHECK(m->r32(zp + bp::kRamdiskSize) == initrd.size());
        CHECK(l.initrd_addr % kPageSize == 0);
        CHECK(m->r8(l.initrd_addr) == initrd[0]);
        CHECK(m->r8(l.initrd_addr + initrd.size() - 1) == initrd.back());
        return l.initrd_addr;
    };
    const u64 size = initrd.size();
    // 3 and 16 GiB: under Linux's low memory (kLinuxInitrdCeiling), not up at 2 GiB
    CHECK(boot(3 * kGiB, s) == ((kLinuxInitrdCeiling - size) & ~u64{0xFFF}));
    CHECK(boot(16 * kGiB, s) == ((kLinuxInitrdCeiling - size) & ~u64{0xFFF}));
    // 64 MiB: below the 128 KiB SeaBIOS keeps at the top of RAM
    CHECK(boot(64 * kMiB, s) == ((64 * kMiB - 0x20000 - size) & ~u64{0xFFF}));
    // a kernel that allows less
    BzImageSpec low = s;
    low.initrd_addr_max = 0x03FFFFFF;
    CHECK(boot(1 * kGiB, low) == ((0x04000000 - size) & ~u64{0xFFF}));
}
