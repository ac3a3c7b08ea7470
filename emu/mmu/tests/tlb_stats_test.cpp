// TLB statistics (front hits folded in, paging off counting nothing, reset), the
// cycle cost of walks and PDPTE loads, and the walk events.
#include <catch2/catch.hpp>

#include "paging_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {
constexpr u64 kOld = 0x00500000;
}  // namespace

TEST_CASE("Statistics: front hits count as TLB hits, paging off counts nothing", "[mmu][tlb][stats]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10000000, kOld, P | RW);
    t.map_4k(0x10001000, kOld + 0x1000, P | RW);

    for (u32 i = 0; i < 50; ++i) f.mmu.read<u32>(LinearAddr{0x1000 + 4 * i}, Priv::Supervisor);  // paging off
    f.mmu.translate_code(LinearAddr{0x1000}, Priv::Supervisor);
    CHECK(f.mmu.stats().dtlb.lookups == 0);
    CHECK(f.mmu.stats().itlb.lookups == 0);

    f.enable_two_level(t.cr3());
    for (u32 i = 0; i < 100; ++i) f.mmu.read<u32>(LinearAddr{0x10000000 + 4 * i}, Priv::Supervisor);
    // Fetches alternate between two pages, so each one consults the ITLB (the
    // fetch-page register only saves lookups within one page).
    for (u32 i = 0; i < 10; ++i) f.mmu.translate_code(LinearAddr{0x10000000 + (i & 1) * 0x1000 + i}, Priv::Supervisor);
    MmuStats s = f.mmu.stats();
    CHECK(s.dtlb.lookups == 100);
    CHECK(s.dtlb.misses == 1);
    CHECK(s.dtlb.hits == 99);
    CHECK(s.dtlb.walks == 1);
    CHECK(s.itlb.lookups == 10);
    CHECK(s.itlb.hits == 8);
    CHECK(s.itlb.misses == 2);

    // Hits made while paging was on survive turning it off; later accesses add nothing.
    for (int i = 0; i < 5; ++i) f.mmu.read<u32>(LinearAddr{0x10000000}, Priv::Supervisor);
    f.mmu.write_cr0(cr0::kPE);
    for (int i = 0; i < 5; ++i) f.mmu.read<u32>(LinearAddr{0x2000}, Priv::Supervisor);
    s = f.mmu.stats();
    CHECK(s.dtlb.hits == 104);
    CHECK(s.dtlb.lookups == s.dtlb.hits + s.dtlb.misses);

    f.mmu.reset_stats();
    s = f.mmu.stats();
    CHECK(s.dtlb.lookups == 0);
    CHECK(s.dtlb.hits == 0);
    CHECK(s.dtlb.flush_cr4_cr0 == 0);
    CHECK(s.itlb.walks == 0);
}

TEST_CASE("Fetch-page register: the ITLB is consulted once per change of fetch page", "[mmu][tlb][stats]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10000000, kOld, P | RW | US);
    t.map_4k(0x10001000, kOld + 0x1000, P | RW | US);
    f.enable_two_level(t.cr3());
    auto lookups = [&] { return f.mmu.stats().itlb.lookups; };

    // Any number of fetches in one page: one lookup (the miss that fills).
    for (u32 i = 0; i < 100; ++i) f.mmu.translate_code(LinearAddr{0x10000000 + i}, Priv::Supervisor);
    CHECK(lookups() == 1);
    CHECK(f.mmu.stats().itlb.misses == 1);
    CHECK(f.mmu.fetch_page_tag() == 0x10000000);
    // Another page: a lookup; back again: another (a hit).
    f.mmu.translate_code(LinearAddr{0x10001000}, Priv::Supervisor);
    f.mmu.translate_code(LinearAddr{0x10000010}, Priv::Supervisor);
    CHECK(lookups() == 3);
    CHECK(f.mmu.stats().itlb.hits == 1);
    // Another privilege in the same page: a lookup.
    f.mmu.translate_code(LinearAddr{0x10000020}, Priv::User);
    CHECK(lookups() == 4);
    // INVLPG (of any page), CR3 writes and A20 changes clear the register.
    f.mmu.translate_code(LinearAddr{0x10000030}, Priv::User);
    CHECK(lookups() == 4);
    f.mmu.invlpg(LinearAddr{0x50000000});
    f.mmu.translate_code(LinearAddr{0x10000030}, Priv::User);
    CHECK(lookups() == 5);
    f.mmu.write_cr3(t.cr3());
    f.mmu.translate_code(LinearAddr{0x10000030}, Priv::User);
    CHECK(lookups() == 6);
    f.mmu.set_a20(false);
    f.mmu.set_a20(true);
    f.mmu.translate_code(LinearAddr{0x10000030}, Priv::User);
    CHECK(lookups() == 7);
    // Data accesses and reading the statistics leave it alone.
    f.mmu.read<u32>(LinearAddr{0x10001000}, Priv::User);
    f.mmu.reset_stats();
    f.mmu.translate_code(LinearAddr{0x10000040}, Priv::User);
    CHECK(lookups() == 0);
}

TEST_CASE("Walks cost cycles per memory access, hits cost none, PAE CR3 loads read 4 PDPTEs",
          "[mmu][tlb][cycles]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10000000, kOld, P | RW | A | D, P | RW | A);
    f.enable_two_level(t.cr3());
    const u64 before = f.cycles;
    f.mmu.read<u32>(LinearAddr{0x10000000}, Priv::Supervisor);
    CHECK(f.cycles - before == 2 * kWalkAccessCycles);
    f.mmu.read<u32>(LinearAddr{0x10000004}, Priv::Supervisor);
    CHECK(f.cycles - before == 2 * kWalkAccessCycles);
    CHECK(f.mmu.stats().dtlb.walk_memory_accesses == 2);

    MmuFixture g;
    PaeTables p(g.bus, g.alloc);
    p.map_4k(0x10000000, kOld, P | RW | A | D, P | RW | A);
    g.enable_pae(p.cr3());
    CHECK(g.cycles == 4 * kWalkAccessCycles);  // the PDPTE load when PG was set
    g.mmu.read<u32>(LinearAddr{0x10000000}, Priv::Supervisor);
    CHECK(g.cycles == 6 * kWalkAccessCycles);  // PAE walk: two 8-byte reads
    g.mmu.write_cr3(p.cr3());
    CHECK(g.cycles == 10 * kWalkAccessCycles);
}

TEST_CASE("Each walk is reported to the event sink with its entries", "[mmu][tlb][events]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10000000, kOld, P | RW, P | RW);
    f.enable_two_level(t.cr3());
    RecordingSink sink;
    f.mmu.set_event_sink(&sink);
    f.mmu.write<u32>(LinearAddr{0x10000010}, 1, Priv::Supervisor);
    CHECK(fault_of([&] { f.mmu.read<u32>(LinearAddr{0x10000010}, Priv::User); }));  // cached: no walk
    CHECK(fault_of([&] { f.mmu.read<u32>(LinearAddr{0x20000000}, Priv::User); }));  // walk, not present

    REQUIRE(sink.walks.size() == 2);
    const PageWalkEvent& w = sink.walks[0];
    CHECK(w.linear == 0x10000010);
    CHECK(w.access == static_cast<u8>(Access::Write));
    CHECK(w.user == 0);
    CHECK(w.pae == 0);
    CHECK(w.levels == 2);
    CHECK(w.entry_addr[1] == t.pte_addr(0x10000000));
    CHECK(w.entry_value[1] == (kOld | P | RW));
    CHECK(w.set_accessed == 0b11);
    CHECK(w.set_dirty == 1);
    CHECK(w.faulted == 0);
    CHECK(w.page_size_log2 == 12);
    CHECK(w.phys == kOld + 0x10);
    const PageWalkEvent& miss = sink.walks[1];
    CHECK(miss.faulted == 1);
    CHECK(miss.levels == 1);
    CHECK(miss.error_code == pf_error::kUser);
}
