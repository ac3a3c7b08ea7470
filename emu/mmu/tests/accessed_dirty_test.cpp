// Accessed and Dirty bits as hardware sets them: A on every entry a walk uses, D on
// the leaf for writes only, a re-walk when a write hits an entry cached clean, and
// nothing written when the bits are already set.
#include <catch2/catch.hpp>

#include "paging_fixture.hpp"

using namespace hm;
using namespace hm::test;

TEST_CASE("A read sets A on the PDE and the PTE, and no D", "[mmu][ad]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x00800000, 0x00900000, P | RW, P | RW);
    f.enable_two_level(t.cr3());
    f.mmu.read<u32>(LinearAddr{0x00800000}, Priv::Supervisor);
    CHECK(t.read(t.pde_addr(0x00800000)) & A);
    CHECK_FALSE(t.read(t.pde_addr(0x00800000)) & D);
    CHECK(t.read(t.pte_addr(0x00800000)) == (0x00900000 | P | RW | A));
}

TEST_CASE("A write sets D on the leaf only", "[mmu][ad]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x00800000, 0x00900000, P | RW, P | RW);
    f.enable_two_level(t.cr3());
    f.mmu.write<u8>(LinearAddr{0x00800001}, 7, Priv::Supervisor);
    CHECK_FALSE(t.read(t.pde_addr(0x00800000)) & D);
    CHECK(t.read(t.pte_addr(0x00800000)) == (0x00900000 | P | RW | A | D));
}

TEST_CASE("A 4 MiB page's PDE is the leaf: it gets A and D", "[mmu][ad]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4m(0x00C00000, 0x01000000, P | RW);
    f.enable_two_level(t.cr3(), cr4::kPSE);
    f.mmu.read<u8>(LinearAddr{0x00C00000}, Priv::Supervisor);
    CHECK(t.read(t.pde_addr(0x00C00000)) == (0x01000000 | P | RW | PS | A));
    f.mmu.write<u8>(LinearAddr{0x00C00000}, 1, Priv::Supervisor);
    CHECK(t.read(t.pde_addr(0x00C00000)) == (0x01000000 | P | RW | PS | A | D));
}

TEST_CASE("PAE A/D updates leave the high half of the entry (NX, frame bits) alone", "[mmu][ad][pae]") {
    MmuFixture f(6 * kGiB);
    PaeTables t(f.bus, f.alloc);
    t.map_4k(0x00800000, 0x1'2345'6000, P | RW | NX);
    f.enable_pae(t.cr3(), 0, 0, /*nxe=*/true);
    f.mmu.write<u8>(LinearAddr{0x00800000}, 1, Priv::Supervisor);
    CHECK(t.read(t.pte_addr(0x00800000)) == (0x1'2345'6000 | P | RW | NX | A | D));
    CHECK(t.read(t.pde_addr(0x00800000)) & A);
    CHECK(f.bus.read(PhysAddr{0x1'2345'6000}, 1) == 1);
}

TEST_CASE("A write through an entry cached clean walks again and sets D", "[mmu][ad]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x00800000, 0x00900000, P | RW);
    f.enable_two_level(t.cr3());
    RecordingSink sink;
    f.mmu.set_event_sink(&sink);

    f.mmu.read<u32>(LinearAddr{0x00800000}, Priv::Supervisor);  // miss: walk, entry cached with D=0
    f.mmu.read<u32>(LinearAddr{0x00800004}, Priv::Supervisor);  // hit
    REQUIRE(sink.walks.size() == 1);
    CHECK_FALSE(t.read(t.pte_addr(0x00800000)) & D);

    f.mmu.write<u32>(LinearAddr{0x00800008}, 1, Priv::Supervisor);  // D-assist: second walk
    REQUIRE(sink.walks.size() == 2);
    CHECK(sink.walks[1].set_dirty == 1);
    CHECK(sink.walks[1].set_accessed == 0);  // A bits already set
    CHECK(t.read(t.pte_addr(0x00800000)) & D);
    f.mmu.write<u32>(LinearAddr{0x0080000C}, 2, Priv::Supervisor);  // now dirty in the TLB: no walk
    CHECK(sink.walks.size() == 2);

    const MmuStats& s = f.mmu.stats();
    CHECK(s.dtlb.walks == 2);
    CHECK(s.dtlb.misses == 2);
    CHECK(s.dtlb.hits == 2);
    CHECK(s.dtlb.lookups == 4);
    CHECK(s.dtlb.fills_4k == 2);
    CHECK(s.dtlb.evictions == 0);
    CHECK(f.mmu.tlb_entries(TlbKind::Data).size() == 1);  // replaced, not duplicated
}

TEST_CASE("The D re-walk reads memory: if the page is gone meanwhile, the write faults", "[mmu][ad]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x00800000, 0x00900000, P | RW);
    f.enable_two_level(t.cr3());
    f.mmu.read<u32>(LinearAddr{0x00800000}, Priv::Supervisor);
    t.write(t.pte_addr(0x00800000), 0);  // unmapped without INVLPG
    CHECK(f.mmu.read<u32>(LinearAddr{0x00800000}, Priv::Supervisor) == 0);  // stale read still works
    const auto fault = fault_of([&] { f.mmu.write<u32>(LinearAddr{0x00800000}, 1, Priv::Supervisor); });
    REQUIRE(fault);
    CHECK(fault->error_code == pf_error::kWrite);  // not present
    CHECK(f.mmu.probe_tlb(LinearAddr{0x00800000}) == 0);       // and the #PF dropped the entry
}

TEST_CASE("Bits already set are not written again: only reads count as walk accesses", "[mmu][ad]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x00800000, 0x00900000, P | RW | A | D, P | RW | A);
    f.enable_two_level(t.cr3());
    f.mmu.write<u32>(LinearAddr{0x00800000}, 1, Priv::Supervisor);
    CHECK(f.mmu.stats().dtlb.walk_memory_accesses == 2);
    CHECK(f.cycles == 2 * kWalkAccessCycles);

    MmuFixture g;
    TwoLevelTables u(g.bus, g.alloc);
    u.map_4k(0x00800000, 0x00900000, P | RW, P | RW);
    g.enable_two_level(u.cr3());
    g.mmu.write<u32>(LinearAddr{0x00800000}, 1, Priv::Supervisor);
    CHECK(g.mmu.stats().dtlb.walk_memory_accesses == 4);  // 2 reads, A on the PDE, A+D on the PTE
    CHECK(g.cycles == 4 * kWalkAccessCycles);
}

TEST_CASE("A walk that faults still sets A on the PDE it used, never on the leaf", "[mmu][ad]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x00800000, 0x00900000, 0, P | RW);         // PTE not present
    t.map_4k(0x00C00000, 0x00A00000, P, P | RW | US);    // read-only, supervisor PDE
    f.enable_two_level(t.cr3(), 0, cr0::kWP);

    CHECK(fault_of([&] { f.mmu.read<u8>(LinearAddr{0x00800000}, Priv::Supervisor); }));
    CHECK(t.read(t.pde_addr(0x00800000)) & A);

    CHECK(fault_of([&] { f.mmu.write<u8>(LinearAddr{0x00C00000}, 1, Priv::Supervisor); }));  // WP: protection
    CHECK(t.read(t.pde_addr(0x00C00000)) & A);
    CHECK(t.read(t.pte_addr(0x00C00000)) == (0x00A00000 | P));
}

TEST_CASE("A/D writes into a page that holds decoded code reach the code-write hook", "[mmu][ad]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x00800000, 0x00900000, P | RW);
    f.enable_two_level(t.cr3());
    std::vector<u64> hits;
    f.mmu.set_code_write_hook([](void* ctx, PhysAddr phys, unsigned) { static_cast<std::vector<u64>*>(ctx)->push_back(phys.value); },
                              &hits);
    f.mmu.protect_code_page(PhysAddr{t.pte_addr(0x00800000)});
    f.mmu.read<u8>(LinearAddr{0x00800000}, Priv::Supervisor);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0] == t.pte_addr(0x00800000));
}
