// CPU benchmark: guest MIPS for a CPU-bound integer program with paging on.
//
//   bench_cpu [--iters N] [--repeat R] [--elf FILE]
//
// Runs build/bench/cpu_workload.elf (bench/guest/cpu_workload.cpp: compiled C++
// that maps its memory with 4 KiB pages and runs sieve, CRC-32, sorts, a matrix
// product, copies and recursion) on the CPU, MMU and bus alone, with a stub COM1
// and debug-exit port. It prints the guest's instruction and cycle counts, the
// host CPU time (process CPU time: stable on a shared machine) and wall time,
// and the resulting guest MIPS (best of R runs). Every run must print
// the same checksum and take the same number of cycles (determinism).
// docs/cpu.md records the figure.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cpu/cpu.hpp"

using namespace hm;

namespace {

struct Com1Stub : IoDevice {
    std::string out;
    u32 io_read(u16 port, unsigned) override { return port == 0x3FD ? 0x60 : 0; }
    void io_write(u16 port, u32 value, unsigned) override {
        if (port == 0x3F8 && value != '\r') out.push_back(static_cast<char>(value));
    }
};

struct DebugExitStub : IoDevice {
    Cpu* cpu = nullptr;
    bool exited = false;
    u32 io_read(u16, unsigned) override { return 0xFFFFFFFF; }
    void io_write(u16, u32, unsigned) override {
        exited = true;
        cpu->request_stop();
    }
};

bool load_elf(Bus& bus, const std::string& path, u32& entry) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::vector<u8> img((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (img.size() < 52 || std::memcmp(img.data(), "\x7f" "ELF", 4) != 0 || img[4] != 1) return false;
    auto rd32 = [&](size_t o) {
        u32 v;
        std::memcpy(&v, img.data() + o, 4);
        return v;
    };
    auto rd16 = [&](size_t o) {
        u16 v;
        std::memcpy(&v, img.data() + o, 2);
        return v;
    };
    entry = rd32(24);
    const u32 phoff = rd32(28);
    for (unsigned n = 0; n < rd16(44); ++n) {
        const size_t ph = phoff + size_t{n} * rd16(42);
        if (ph + 32 > img.size() || rd32(ph) != 1) continue;
        const u32 off = rd32(ph + 4), pa = rd32(ph + 12), filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if (size_t{off} + filesz > img.size()) return false;
        bus.load_bytes(PhysAddr{pa}, img.data() + off, filesz);
        std::vector<u8> zeros(memsz - filesz, 0);
        bus.load_bytes(PhysAddr{pa + filesz}, zeros.data(), zeros.size());
    }
    return true;
}

// CPU time of this process: on a shared machine it excludes the time other
// jobs hold the core, so it varies far less than wall time.
double cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct RunResult {
    bool ok = false;
    double seconds = 0;
    double cpu = 0;
    u64 instructions = 0;
    u64 cycles = 0;
    std::string output;
    CpuStats stats;
};

RunResult run_once(const std::string& elf, u32 iters) {
    RunResult r;
    PhysicalMemory ram(128 * kMiB);
    Bus bus(ram);
    CpuState st;
    Mmu mmu(bus, st.cr, st.cycles);
    Cpu cpu(st, mmu, bus);
    Com1Stub com1;
    DebugExitStub exit_port;
    exit_port.cpu = &cpu;
    bus.attach_io(0x3F8, 8, com1, "com1-stub");
    bus.attach_io(0xF4, 1, exit_port, "debug-exit-stub");
    u32 entry = 0;
    if (!load_elf(bus, elf, entry)) {
        std::fprintf(stderr, "bench_cpu: cannot load %s\n", elf.c_str());
        return r;
    }
    const std::string cmdline = "cpu_workload iters=" + std::to_string(iters);
    const u32 mbi = 0x9000, cmd = 0x9100;
    bus.write(PhysAddr{mbi}, (1u << 0) | (1u << 2), 4);
    bus.write(PhysAddr{mbi + 4}, 639, 4);
    bus.write(PhysAddr{mbi + 8}, (128 - 1) * 1024, 4);
    bus.write(PhysAddr{mbi + 16}, cmd, 4);
    bus.load_bytes(PhysAddr{cmd}, reinterpret_cast<const u8*>(cmdline.c_str()), cmdline.size() + 1);
    cpu.reset();
    cpu.enter_multiboot_state(entry, 0x2BADB002, mbi);

    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    while (!exit_port.exited) {
        const StopReason why = cpu.run(st.cycles + 100'000'000);
        if (why != StopReason::CycleLimit && why != StopReason::StopRequested) {
            std::fprintf(stderr, "bench_cpu: guest stopped: %s\n%s\n", stop_reason_name(why), cpu.dump_state().c_str());
            return r;
        }
    }
    const auto t1 = std::chrono::steady_clock::now();
    r.cpu = cpu_seconds() - c0;
    r.ok = true;
    r.seconds = std::chrono::duration<double>(t1 - t0).count();
    r.instructions = st.instructions;
    r.cycles = st.cycles;
    r.output = com1.out;
    r.stats = cpu.stats();
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    std::string elf = HM386_CPU_BENCH_ELF;
    u32 iters = 20;
    int repeat = 3;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--iters" && i + 1 < argc) iters = static_cast<u32>(std::atoi(argv[++i]));
        else if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
        else if (a == "--elf" && i + 1 < argc) elf = argv[++i];
        else {
            std::fprintf(stderr, "usage: bench_cpu [--iters N] [--repeat R] [--elf FILE]\n");
            return 2;
        }
    }
    RunResult best;
    for (int n = 0; n < repeat; ++n) {
        RunResult r = run_once(elf, iters);
        if (!r.ok) return 1;
        if (n > 0 && (r.cycles != best.cycles || r.output != best.output)) {
            std::fprintf(stderr, "bench_cpu: runs differ (cycles %llu vs %llu): not deterministic\n",
                         static_cast<unsigned long long>(r.cycles), static_cast<unsigned long long>(best.cycles));
            return 1;
        }
        if (n == 0 || r.cpu < best.cpu) best = r;
    }
    const double mips = static_cast<double>(best.instructions) / best.cpu / 1e6;
    std::printf("guest output        %s", best.output.c_str());
    std::printf("paging              on (4 KiB pages, 64 MiB identity map)\n");
    std::printf("instructions        %llu\n", static_cast<unsigned long long>(best.instructions));
    std::printf("cycles              %llu (%.2f cycles/instruction)\n", static_cast<unsigned long long>(best.cycles),
                static_cast<double>(best.cycles) / static_cast<double>(best.instructions));
    std::printf("blocks executed     %llu (%.2f instructions/block)\n",
                static_cast<unsigned long long>(best.stats.blocks_executed),
                static_cast<double>(best.instructions) / static_cast<double>(best.stats.blocks_executed));
    std::printf("blocks decoded      %llu\n", static_cast<unsigned long long>(best.stats.blocks_built));
    std::printf("host CPU time       %.3f s (best of %d; wall %.3f s)\n", best.cpu, repeat, best.seconds);
    std::printf("guest MIPS          %.1f (per CPU second; %.1f per wall second)\n", mips,
                static_cast<double>(best.instructions) / best.seconds / 1e6);
    std::printf("guest cycles/s      %.1f M\n", static_cast<double>(best.cycles) / best.cpu / 1e6);
    return 0;
}
