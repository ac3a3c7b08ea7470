// MMU benchmark: host cost of one guest memory access on each path the MMU has, and
// the host memory an 8 GiB guest costs when it touches 100 MiB.
//
//   bench_mmu [--quick]
//
// Paths measured (two-level paging unless said, 4-byte loads, supervisor):
//   paging off        identity translation from the front array
//   front hit         TLB hit served by the front array (the CPU's fast path)
//   TLB hit, slow     the front array misses but the modelled TLB hits
//   TLB hit, checker  the same hit with the coherence checker re-walking it
//   TLB miss          a page walk on every access (two-level, then PAE)
// Figures go to docs/mmu.md; this program only prints them.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "mmu/mmu.hpp"
#include "mmu/paging_bits.hpp"

using namespace hm;

namespace {

constexpr u64 P = pte::kPresent, RW = pte::kWritable, A = pte::kAccessed, D = pte::kDirty, PS = pte::kPageSize;

struct Machine {
    explicit Machine(u64 ram) : mem(ram), bus(mem), mmu(bus, cr, cycles) {}
    PhysicalMemory mem;
    Bus bus;
    ControlRegs cr;
    u64 cycles = 0;
    Mmu mmu;
};

// Identity-maps the first 64 MiB with 4 KiB pages (A and D preset, so walks only read)
// in a two-level layout whose tables sit at 1 MiB.
void two_level_identity(Machine& m) {
    const u64 pd = 0x100000, pts = 0x101000;
    for (u32 t = 0; t < 16; ++t) {
        m.bus.write(PhysAddr{pd + t * 4}, (pts + t * 0x1000) | P | RW | A, 4);
        for (u32 i = 0; i < 1024; ++i) {
            const u64 frame = (u64{t} * 1024 + i) * 0x1000;
            m.bus.write(PhysAddr{pts + t * 0x1000 + i * 4}, frame | P | RW | A | D, 4);
        }
    }
    m.mmu.write_cr3(static_cast<u32>(pd));
    m.mmu.write_cr0(cr0::kPE | cr0::kPG);
}

void pae_identity(Machine& m) {
    const u64 pdpt = 0x100000, pd = 0x101000, pts = 0x102000;
    m.bus.write(PhysAddr{pdpt}, pd | P, 8);
    for (u32 t = 0; t < 32; ++t) {
        m.bus.write(PhysAddr{pd + t * 8}, (pts + t * 0x1000) | P | RW | A, 8);
        for (u32 i = 0; i < 512; ++i) {
            const u64 frame = (u64{t} * 512 + i) * 0x1000;
            m.bus.write(PhysAddr{pts + t * 0x1000 + i * 8}, frame | P | RW | A | D, 8);
        }
    }
    m.mmu.write_cr4(cr4::kPAE);
    m.mmu.write_cr3(static_cast<u32>(pdpt));
    m.mmu.write_cr0(cr0::kPE | cr0::kPG);
}

volatile u32 g_keep;  // keeps the loads from being optimised away

// ns per access of `n` loads at the addresses addr(i).
double time_loads(Mmu& mmu, u64 n, const std::function<u32(u64)>& addr_of, u64 period) {
    // Precompute one period of addresses so address arithmetic stays out of the loop.
    std::vector<u32> addrs(period);  // period: a power of two
    for (u64 i = 0; i < period; ++i) addrs[i] = addr_of(i);
    u32 sink = 0;
    for (u64 i = 0; i < period; ++i) sink += mmu.read<u32>(LinearAddr{addrs[i]}, Priv::Supervisor);  // warm up
    const auto t0 = std::chrono::steady_clock::now();
    const u64 mask = period - 1;
    for (u64 i = 0; i < n; ++i) sink += mmu.read<u32>(LinearAddr{addrs[i & mask]}, Priv::Supervisor);
    const auto t1 = std::chrono::steady_clock::now();
    g_keep = sink;
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n);
}

// ns per 4-byte read-modify-write (an ADD to memory) at the addresses addr(i):
// through Mmu::modify (one front lookup) or as read_for_write + write (two).
double time_rmw(Mmu& mmu, u64 n, const std::function<u32(u64)>& addr_of, u64 period, bool one_lookup) {
    std::vector<u32> addrs(period);
    for (u64 i = 0; i < period; ++i) addrs[i] = addr_of(i);
    const u64 mask = period - 1;
    const auto run = [&](u64 count) {
        for (u64 i = 0; i < count; ++i) {
            const u32 lin = addrs[i & mask];
            if (one_lookup) {
                mmu.modify<u32>(LinearAddr{lin}, Priv::Supervisor, [](u32 v) { return v + 3; });
            } else {
                const u32 v = mmu.read_for_write<u32>(LinearAddr{lin}, Priv::Supervisor);
                mmu.write<u32>(LinearAddr{lin}, v + 3, Priv::Supervisor);
            }
        }
    };
    run(period);  // warm up
    const auto t0 = std::chrono::steady_clock::now();
    run(n);
    const auto t1 = std::chrono::steady_clock::now();
    g_keep = mmu.read<u32>(LinearAddr{addrs[0]}, Priv::Supervisor);
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n);
}

u64 rss_bytes() {
    std::ifstream statm("/proc/self/statm");
    u64 size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<u64>(sysconf(_SC_PAGESIZE));
}

void report(const char* what, double ns, const Mmu& mmu, u64 cycles) {
    const MmuStats& s = mmu.stats();
    std::printf("  %-34s %7.2f ns/access   (DTLB lookups %llu, hits %llu, misses %llu, guest cycles %llu)\n", what, ns,
                static_cast<unsigned long long>(s.dtlb.lookups), static_cast<unsigned long long>(s.dtlb.hits),
                static_cast<unsigned long long>(s.dtlb.misses), static_cast<unsigned long long>(cycles));
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const u64 n = quick ? 2'000'000 : 50'000'000;
    const u64 n_slow = n / 10;

    std::printf("MMU access cost (host ns per 4-byte guest load; %llu loads per figure)\n",
                static_cast<unsigned long long>(n));
    {
        Machine m(64 * kMiB);
        const double ns = time_loads(m.mmu, n, [](u64 i) { return static_cast<u32>(0x200000 + (i % 1024) * 4); }, 1024);
        report("paging off", ns, m.mmu, m.cycles);
    }
    {
        Machine m(64 * kMiB);
        two_level_identity(m);
        m.mmu.reset_stats();
        const double ns = time_loads(m.mmu, n, [](u64 i) { return static_cast<u32>(0x200000 + (i % 1024) * 4); }, 1024);
        report("front hit (TLB hit, fast path)", ns, m.mmu, m.cycles);
    }
    for (const bool one : {false, true}) {
        Machine m(64 * kMiB);
        two_level_identity(m);
        m.mmu.reset_stats();
        const double ns = time_rmw(m.mmu, n, [](u64 i) { return static_cast<u32>(0x200000 + (i % 1024) * 4); }, 1024, one);
        report(one ? "RMW front hit, one lookup (modify)" : "RMW front hit, read_for_write+write", ns, m.mmu, m.cycles);
    }
    // Pages 0x200 and 0x300 share a front slot (index = page & 255) and a DTLB set
    // (page & 15) with room for both: every access misses the front, hits the TLB.
    const auto front_conflict = [](u64 i) { return static_cast<u32>((i & 1) ? 0x300000 : 0x200000) + static_cast<u32>((i / 2) % 512) * 4; };
    {
        Machine m(64 * kMiB);
        two_level_identity(m);
        m.mmu.reset_stats();
        const double ns = time_loads(m.mmu, n_slow, front_conflict, 1024);
        report("TLB hit, front miss (slow path)", ns, m.mmu, m.cycles);
    }
    {
        Machine m(64 * kMiB);
        two_level_identity(m);
        m.mmu.set_coherence_checker(true);
        m.mmu.reset_stats();
        const double ns = time_loads(m.mmu, n_slow, front_conflict, 1024);
        report("TLB hit with the coherence checker", ns, m.mmu, m.cycles);
    }
    // 256 pages in a row: 4x the DTLB, so round-robin replacement misses every time.
    const auto sweep = [](u64 i) { return static_cast<u32>(0x400000 + (i % 256) * 0x1000); };
    {
        Machine m(64 * kMiB);
        two_level_identity(m);
        m.mmu.reset_stats();
        const double ns = time_loads(m.mmu, n_slow, sweep, 256);
        report("TLB miss, two-level walk", ns, m.mmu, m.cycles);
    }
    {
        Machine m(64 * kMiB);
        pae_identity(m);
        m.mmu.reset_stats();
        const double ns = time_loads(m.mmu, n_slow, sweep, 256);
        report("TLB miss, PAE walk", ns, m.mmu, m.cycles);
    }

    std::printf("\nHost memory of an 8 GiB guest that touches 100 MiB\n");
    {
        const u64 rss_before = rss_bytes();
        Machine m(8 * kGiB);
        const u64 rss_empty = rss_bytes();
        // PAE 2 MiB pages: linear 1 GiB.. -> physical 5 GiB.., 50 pages = 100 MiB of highmem.
        const u64 pdpt = 0x100000, pd = 0x101000;
        m.bus.write(PhysAddr{pdpt + 1 * 8}, pd | P, 8);
        for (u32 i = 0; i < 50; ++i) m.bus.write(PhysAddr{pd + i * 8}, (5 * kGiB + i * 2 * kMiB) | P | RW | PS, 8);
        m.mmu.write_cr4(cr4::kPAE);
        m.mmu.write_cr3(static_cast<u32>(pdpt));
        m.mmu.write_cr0(cr0::kPE | cr0::kPG);
        for (u32 off = 0; off < 100 * kMiB; off += kPageSize) m.mmu.write<u32>(LinearAddr{0x40000000 + off}, off, Priv::Supervisor);
        const u64 rss_after = rss_bytes();
        std::printf("  guest RAM                          %llu MiB (%s)\n",
                    static_cast<unsigned long long>(m.mem.ram_size() >> 20), m.mem.describe().c_str());
        std::printf("  guest RAM resident on the host     %.1f MiB (PhysicalMemory::resident_bytes)\n",
                    static_cast<double>(m.mem.resident_bytes()) / kMiB);
        std::printf("  process RSS: before the machine    %.1f MiB\n", static_cast<double>(rss_before) / kMiB);
        std::printf("               machine created       %.1f MiB\n", static_cast<double>(rss_empty) / kMiB);
        std::printf("               after touching 100 MiB %.1f MiB\n", static_cast<double>(rss_after) / kMiB);
    }
    return 0;
}
