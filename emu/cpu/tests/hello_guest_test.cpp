// Runs the bare-metal hello guest (build/guest/hello.elf, compiled C++) on the
// CPU alone: the test loads its PT_LOAD segments, builds a Multiboot info block,
// enters the Multiboot state and runs with two tiny port devices, a COM1 that
// collects output and a debug-exit port that records the status and stops the CPU.
#include <cstdio>
#include <fstream>
#include <iterator>

#include "cpu_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {

struct Com1Stub : IoDevice {
    std::string out;
    u32 io_read(u16 port, unsigned) override { return port == 0x3FD ? 0x60 : 0; }  // LSR: THR empty
    void io_write(u16 port, u32 value, unsigned) override {
        if (port == 0x3F8) out.push_back(static_cast<char>(value));
    }
};

struct DebugExitStub : IoDevice {
    Cpu* cpu = nullptr;
    bool written = false;
    u32 status = 0;
    u32 io_read(u16, unsigned) override { return 0xFFFFFFFF; }
    void io_write(u16, u32 value, unsigned) override {
        written = true;
        status = value;
        cpu->request_stop();
    }
};

// Loads an ELF32 executable's PT_LOAD segments; returns the entry point.
u32 load_elf(CpuFixture& f, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    INFO("guest image " << path);
    REQUIRE(in.good());
    std::vector<u8> img((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(img.size() > 52);
    REQUIRE(std::memcmp(img.data(), "\x7f" "ELF", 4) == 0);
    REQUIRE(img[4] == 1);  // ELFCLASS32
    auto u32_at = [&](size_t off) {
        u32 v;
        std::memcpy(&v, img.data() + off, 4);
        return v;
    };
    auto u16_at = [&](size_t off) {
        u16 v;
        std::memcpy(&v, img.data() + off, 2);
        return v;
    };
    const u32 entry = u32_at(24), phoff = u32_at(28);
    const u16 phentsize = u16_at(42), phnum = u16_at(44);
    for (unsigned n = 0; n < phnum; ++n) {
        const size_t ph = phoff + size_t{n} * phentsize;
        if (u32_at(ph) != 1) continue;  // PT_LOAD
        const u32 offset = u32_at(ph + 4), paddr = u32_at(ph + 12), filesz = u32_at(ph + 16), memsz = u32_at(ph + 20);
        REQUIRE(size_t{offset} + filesz <= img.size());
        f.poke(paddr, std::vector<u8>(img.begin() + offset, img.begin() + offset + filesz));
        if (memsz > filesz) f.poke(paddr + filesz, std::vector<u8>(memsz - filesz, 0));
    }
    return entry;
}

struct HelloRun {
    std::string output;
    bool exited = false;
    u32 status = 0;
    u64 instructions = 0;
    u64 cycles = 0;
    StopReason reason = StopReason::CycleLimit;
};

HelloRun run_hello(const char* cmdline) {
    CpuFixture f;
    Com1Stub com1;
    DebugExitStub exit_port;
    exit_port.cpu = &f.cpu;
    f.bus.attach_io(0x3F8, 8, com1, "com1-stub");
    f.bus.attach_io(0xF4, 1, exit_port, "debug-exit-stub");
    const u32 entry = load_elf(f, HM386_HELLO_ELF);
    // Multiboot info at 0x9000, command line at 0x9100.
    const u32 mbi = 0x9000, cmd = 0x9100;
    f.poke32(mbi + 0, (1u << 0) | (1u << 2));  // mem_lower/upper and cmdline valid
    f.poke32(mbi + 4, 639);
    f.poke32(mbi + 8, 15 * 1024);
    f.poke32(mbi + 16, cmd);
    std::string c = cmdline;
    f.poke(cmd, std::vector<u8>(c.begin(), c.end() + 1));
    f.cpu.enter_multiboot_state(entry, 0x2BADB002, mbi);
    HelloRun r;
    for (int slices = 0; slices < 100 && !exit_port.written; ++slices) {
        r.reason = f.cpu.run(f.st.cycles + 1'000'000);
        if (r.reason != StopReason::CycleLimit && r.reason != StopReason::StopRequested) break;
    }
    INFO(f.cpu.dump_state());
    r.output = com1.out;
    r.exited = exit_port.written;
    r.status = exit_port.status;
    r.instructions = f.st.instructions;
    r.cycles = f.st.cycles;
    return r;
}

}  // namespace

TEST_CASE("The bare-metal hello guest greets over COM1 and exits with status 0", "[cpu][guest]") {
    HelloRun r = run_hello("hello.elf");
    INFO(r.output);
    CHECK(r.reason == StopReason::StopRequested);
    REQUIRE(r.exited);
    CHECK(r.status == 0);
    CHECK(r.output.find("hello from a highmem386 guest\r\n") != std::string::npos);
    CHECK(r.output.find("lower memory: 639 KiB, upper memory: 15360 KiB") != std::string::npos);
    CHECK(r.output.find("exiting with status 0") != std::string::npos);
}

TEST_CASE("The hello guest reads its exit status from the command line", "[cpu][guest]") {
    HelloRun r = run_hello("hello.elf exit=42");
    INFO(r.output);
    REQUIRE(r.exited);
    CHECK(r.status == 42);
    CHECK(r.output.find("exiting with status 42") != std::string::npos);
}

TEST_CASE("Running the same guest twice gives the same cycle and instruction counts", "[cpu][guest]") {
    HelloRun a = run_hello("hello.elf exit=7");
    HelloRun b = run_hello("hello.elf exit=7");
    REQUIRE(a.exited);
    CHECK(a.instructions > 1000);
    CHECK(a.cycles >= a.instructions);
    CHECK(a.instructions == b.instructions);
    CHECK(a.cycles == b.cycles);
}
