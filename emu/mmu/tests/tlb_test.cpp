// The modelled TLB: stale translations served until INVLPG or an eviction, separate
// I and D TLBs, round-robin replacement, the spurious fault, geometry, the entry view.
#include <catch2/catch.hpp>

#include <string>
#include <tuple>

#include "paging_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {
// Two frames with recognisable contents.
constexpr u64 kOld = 0x00500000, kNew = 0x00600000;
void mark_frames(Bus& bus) {
    bus.write(PhysAddr{kOld}, 0x0000AAAA, 4);
    bus.write(PhysAddr{kNew}, 0x0000BBBB, 4);
}
}  // namespace

TEST_CASE("A cached translation is used after the PTE changed, until INVLPG", "[mmu][tlb]") {
    MmuFixture f;
    mark_frames(f.bus);
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10000000, kOld, P | RW);
    f.enable_two_level(t.cr3());

    f.mmu.write<u32>(LinearAddr{0x10000008}, 0x66, Priv::Supervisor);  // fills the DTLB, dirty
    CHECK(f.mmu.read<u32>(LinearAddr{0x10000000}, Priv::Supervisor) == 0xAAAA);
    t.map_4k(0x10000000, kNew, P | RW);  // remap without INVLPG
    CHECK(f.mmu.read<u32>(LinearAddr{0x10000000}, Priv::Supervisor) == 0xAAAA);
    f.mmu.write<u32>(LinearAddr{0x10000004}, 0x77, Priv::Supervisor);  // the store goes to the old frame too
    CHECK(f.bus.read(PhysAddr{kOld + 4}, 4) == 0x77);
    CHECK(f.bus.read(PhysAddr{kNew + 4}, 4) == 0);
    CHECK(f.mmu.probe(LinearAddr{0x10000000}, Access::Read, Priv::Supervisor) == PhysAddr{kOld});       // as the CPU would
    CHECK(f.mmu.walk(LinearAddr{0x10000000}, Access::Read, Priv::Supervisor).phys == PhysAddr{kNew});  // what memory says

    f.mmu.invlpg(LinearAddr{0x10000FFF});  // any address in the page
    CHECK(f.mmu.read<u32>(LinearAddr{0x10000000}, Priv::Supervisor) == 0xBBBB);
    const MmuStats& s = f.mmu.stats();
    CHECK(s.dtlb.flush_invlpg == 1);
    CHECK(s.itlb.flush_invlpg == 1);
    CHECK(s.dtlb.entries_invalidated == 1);
    CHECK(s.itlb.entries_invalidated == 0);
}

TEST_CASE("Instruction and data TLBs are separate, INVLPG drops the page from both", "[mmu][tlb]") {
    MmuFixture f;
    mark_frames(f.bus);
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10000000, kOld, P | RW);
    f.enable_two_level(t.cr3());

    CHECK(f.mmu.translate_code(LinearAddr{0x10000000}, Priv::Supervisor).phys == PhysAddr{kOld});
    CHECK(f.mmu.probe_tlb(LinearAddr{0x10000000}) == tlb_probe::kItlb);
    t.map_4k(0x10000000, kNew, P | RW);
    // The data TLB misses and sees the new mapping; the ITLB keeps the old one.
    CHECK(f.mmu.read<u32>(LinearAddr{0x10000000}, Priv::Supervisor) == 0xBBBB);
    CHECK(f.mmu.probe_tlb(LinearAddr{0x10000000}) == (tlb_probe::kItlb | tlb_probe::kDtlb));
    CHECK(f.mmu.translate_code(LinearAddr{0x10000000}, Priv::Supervisor).phys == PhysAddr{kOld});
    CHECK(*f.mmu.translate_code(LinearAddr{0x10000000}, Priv::Supervisor).host == 0xAA);

    f.mmu.invlpg(LinearAddr{0x10000000});
    CHECK(f.mmu.probe_tlb(LinearAddr{0x10000000}) == 0);
    CHECK(f.mmu.translate_code(LinearAddr{0x10000000}, Priv::Supervisor).phys == PhysAddr{kNew});
    CHECK(f.mmu.stats().itlb.entries_invalidated == 1);
    CHECK(f.mmu.stats().dtlb.entries_invalidated == 1);
}

TEST_CASE("An eviction makes the new mapping visible, also through the front array", "[mmu][tlb]") {
    MmuFixture f;
    mark_frames(f.bus);
    TlbConfig one;
    one.dtlb_4k = {1, 1};
    f.mmu.configure_tlb(one);
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10000000, kOld, P | RW);
    t.map_4k(0x10001000, 0x00700000, P | RW);
    f.enable_two_level(t.cr3());

    CHECK(f.mmu.read<u32>(LinearAddr{0x10000000}, Priv::Supervisor) == 0xAAAA);
    t.map_4k(0x10000000, kNew, P | RW);
    CHECK(f.mmu.read<u32>(LinearAddr{0x10000000}, Priv::Supervisor) == 0xAAAA);  // stale, from the TLB
    f.mmu.read<u32>(LinearAddr{0x10001000}, Priv::Supervisor);                   // evicts it
    CHECK(f.mmu.stats().dtlb.evictions == 1);
    CHECK(f.mmu.read<u32>(LinearAddr{0x10000000}, Priv::Supervisor) == 0xBBBB);
}

TEST_CASE("Replacement is round-robin per set and ignores hits", "[mmu][tlb]") {
    MmuFixture f;
    TlbConfig cfg;
    cfg.dtlb_4k = {8, 2};  // 4 sets: pages 0, 4, 8, 12 share set 0
    f.mmu.configure_tlb(cfg);
    TwoLevelTables t(f.bus, f.alloc);
    for (u32 page = 0; page < 16; ++page) t.map_4k(0x20000000 + page * 0x1000, 0x00800000 + page * 0x1000, P | RW);
    f.enable_two_level(t.cr3());
    auto touch = [&](u32 page) { f.mmu.read<u8>(LinearAddr{0x20000000 + page * 0x1000}, Priv::Supervisor); };
    auto held = [&](u32 page) { return (f.mmu.probe_tlb(LinearAddr{0x20000000 + page * 0x1000}) & tlb_probe::kDtlb) != 0; };

    touch(0);
    touch(4);
    touch(1);  // another set: no effect on set 0
    CHECK((held(0) && held(4) && held(1)));
    touch(8);  // evicts 0, the first filled
    CHECK((!held(0) && held(4) && held(8)));
    touch(4);  // a hit: does not protect 4
    touch(12);
    CHECK((!held(4) && held(8) && held(12)));
    touch(8);  // hit again
    touch(0);  // evicts 8 (filled before 12), not 12
    CHECK((held(0) && !held(8) && held(12)));
    CHECK(f.mmu.stats().dtlb.evictions == 3);
    CHECK(f.mmu.stats().dtlb.fills_4k == 6);
}

TEST_CASE("Evicting a large entry drops every front entry inside it", "[mmu][tlb][large]") {
    MmuFixture f;
    mark_frames(f.bus);
    TlbConfig cfg;
    cfg.dtlb_large = {1, 1};
    f.mmu.configure_tlb(cfg);
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4m(0x80000000, 0x00400000, P | RW);
    t.map_4m(0x80400000, 0x00C00000, P | RW);
    f.enable_two_level(t.cr3(), cr4::kPSE);
    // 0x80105000 maps to 0x00505000; its front slot differs from 0x80400000's.
    f.bus.write(PhysAddr{0x00505000}, 0xAAAA, 4);
    f.bus.write(PhysAddr{0x00905000}, 0xCCCC, 4);
    CHECK(f.mmu.read<u32>(LinearAddr{0x80105000}, Priv::Supervisor) == 0xAAAA);
    t.map_4m(0x80000000, 0x00800000, P | RW);  // now 0x80105000 -> 0x00905000
    CHECK(f.mmu.read<u32>(LinearAddr{0x80105000}, Priv::Supervisor) == 0xAAAA);  // stale
    f.mmu.read<u32>(LinearAddr{0x80400000}, Priv::Supervisor);                   // evicts the first
    CHECK(f.mmu.stats().dtlb.evictions == 1);
    CHECK(f.mmu.read<u32>(LinearAddr{0x80105000}, Priv::Supervisor) == 0xCCCC);
}

TEST_CASE("Evicting a large entry drops the front entries of every page it fed, and only those", "[mmu][tlb][large]") {
    // The eviction visits only the front slots marked as filled from a large entry
    // (Mmu::large_slots_): every page read through the evicted entry must walk again,
    // a page read through a 4 KiB entry that shares a slot index must not.
    MmuFixture f;
    mark_frames(f.bus);
    TlbConfig cfg;
    cfg.dtlb_large = {1, 1};
    f.mmu.configure_tlb(cfg);
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4m(0x80000000, 0x00400000, P | RW);
    t.map_4m(0x80400000, 0x00C00000, P | RW);
    t.map_4k(0x10012000, kOld, P | RW);  // the same front slot (18) as 0x80012000
    f.enable_two_level(t.cr3(), cr4::kPSE);
    f.bus.write(PhysAddr{kOld}, 0x4444, 4);
    for (u32 page = 0; page < 300; page += 3) {  // 100 pages, more than one per slot for some
        f.bus.write(PhysAddr{0x00400000 + page * 0x1000}, page, 4);
        f.bus.write(PhysAddr{0x00800000 + page * 0x1000}, page + 0x10000, 4);
        CHECK(f.mmu.read<u32>(LinearAddr{0x80000000 + page * 0x1000}, Priv::Supervisor) == page);
    }
    CHECK(f.mmu.read<u32>(LinearAddr{0x10012000}, Priv::Supervisor) == 0x4444);
    t.map_4m(0x80000000, 0x00800000, P | RW);  // no INVLPG: the large entry is stale
    t.map_4k(0x10012000, kNew, P | RW);        // stale as well
    CHECK(f.mmu.read<u32>(LinearAddr{0x80003000}, Priv::Supervisor) == 3);
    f.mmu.read<u32>(LinearAddr{0x80400000}, Priv::Supervisor);  // evicts the stale large entry
    CHECK(f.mmu.stats().dtlb.evictions == 1);
    CHECK(f.mmu.check_front_invariant().empty());
    for (u32 page = 0; page < 300; page += 3) {
        INFO("page " << page);
        // Reading through 0x80000000 now walks to 0x00800000, which evicts the other
        // large entry again: each read must see the new mapping.
        CHECK(f.mmu.read<u32>(LinearAddr{0x80000000 + page * 0x1000}, Priv::Supervisor) == page + 0x10000);
    }
    CHECK(f.mmu.read<u32>(LinearAddr{0x10012000}, Priv::Supervisor) == 0x4444);  // its 4 KiB entry is still held
    CHECK(f.mmu.check_front_invariant().empty());
}

TEST_CASE("A stale entry with fewer rights faults once, the #PF drops it and the retry succeeds",
          "[mmu][tlb]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x08000000, kOld, P | US);  // read-only
    f.enable_two_level(t.cr3());
    f.mmu.read<u32>(LinearAddr{0x08000000}, Priv::User);
    t.map_4k(0x08000000, kOld, P | RW | US);  // made writable, no INVLPG (Linux does this)
    const auto fault = fault_of([&] { f.mmu.write<u32>(LinearAddr{0x08000000}, 5, Priv::User); });
    REQUIRE(fault);
    CHECK(fault->error_code == (pf_error::kPresent | pf_error::kWrite | pf_error::kUser));
    CHECK_FALSE(fault_of([&] { f.mmu.write<u32>(LinearAddr{0x08000000}, 5, Priv::User); }));
    CHECK(f.bus.read(PhysAddr{kOld}, 4) == 5);
    CHECK(f.mmu.stats().page_faults == 1);
}

TEST_CASE("TLB geometry is validated with a readable reason", "[mmu][tlb]") {
    MmuFixture f;
    TlbConfig bad;
    bad.dtlb_4k = {48, 4};  // 12 sets
    CHECK_THROWS_WITH(f.mmu.configure_tlb(bad), Catch::Contains("dtlb 4k") && Catch::Contains("power of two"));
    bad = {};
    bad.itlb_large = {0, 1};
    CHECK_THROWS_AS(f.mmu.configure_tlb(bad), std::invalid_argument);
    bad = {};
    bad.itlb_4k = {6, 4};
    CHECK_THROWS_WITH(f.mmu.configure_tlb(bad), Catch::Contains("multiple"));
    TlbConfig ok;
    ok.dtlb_4k = {128, 4};
    CHECK_NOTHROW(f.mmu.configure_tlb(ok));
    CHECK(f.mmu.tlb_config().dtlb_4k.entries == 128);
}

TEST_CASE("tlb_entries() lists entries with their set and way and marks stale ones", "[mmu][tlb]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10003000, kOld, P | RW | US);
    t.map_4m(0x80000000, 0x00800000, P | RW | G);
    f.enable_two_level(t.cr3(), cr4::kPSE | cr4::kPGE);
    f.mmu.write<u8>(LinearAddr{0x10003000}, 1, Priv::User);
    f.mmu.read<u8>(LinearAddr{0x80000000}, Priv::Supervisor);

    auto entries = f.mmu.tlb_entries(TlbKind::Data);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].lin_base == 0x10003000);
    CHECK(entries[0].frame == kOld);
    CHECK_FALSE(entries[0].large);
    CHECK(entries[0].set == 3);  // 16 sets, page 0x10003
    CHECK(entries[0].way == 0);
    CHECK(entries[0].dirty);
    CHECK(entries[0].user);
    CHECK(entries[0].matches_memory);
    CHECK(entries[1].large);
    CHECK(entries[1].page_size_log2 == 22);
    CHECK(entries[1].global);
    CHECK(f.mmu.tlb_entries(TlbKind::Instruction).empty());

    t.map_4k(0x10003000, kNew, P | RW | US | D);
    entries = f.mmu.tlb_entries(TlbKind::Data);
    CHECK_FALSE(entries[0].matches_memory);
    CHECK(entries[1].matches_memory);
}

TEST_CASE("Random remaps, flushes and accesses never leave a front entry the TLB does not back",
          "[mmu][tlb][invariant]") {
    // A tiny TLB so that evictions are frequent; pages in few front slots so that
    // front conflicts are too. Deterministic: a fixed linear congruential sequence.
    auto run = [](bool checker) {
        MmuFixture f;
        TlbConfig cfg;
        cfg.dtlb_4k = {4, 2};
        cfg.itlb_4k = {2, 1};
        cfg.dtlb_large = {1, 1};
        cfg.itlb_large = {1, 1};
        f.mmu.configure_tlb(cfg);
        f.mmu.set_coherence_checker(checker);
        TwoLevelTables t(f.bus, f.alloc);
        auto lin_of = [](u32 n) { return 0x10000000 + (n % 4) * 0x1000 + (n / 4) * 0x100000; };  // 16 pages
        for (u32 n = 0; n < 16; ++n) t.map_4k(lin_of(n), 0x00800000 + n * 0x1000, P | RW | US | (n % 3 ? 0 : G));
        t.map_4m(0x40000000, 0x00C00000, P | RW | US);
        f.enable_two_level(t.cr3(), cr4::kPSE | cr4::kPGE);
        u32 x = 12345;
        auto next = [&] { return x = x * 1103515245u + 12345u, x >> 8; };
        std::string broken;
        u64 faults = 0;
        for (int step = 0; step < 4000 && broken.empty(); ++step) {
            const u32 r = next();
            const u32 lin = (r & 64) ? 0x40000000 + (r % 1024) * 0x1000 : lin_of(r % 16);
            const Priv p = (r & 1) ? Priv::User : Priv::Supervisor;
            switch ((r >> 4) % 10) {
                case 0: case 1: case 2: if (fault_of([&] { f.mmu.read<u32>(LinearAddr{lin}, p); })) ++faults; break;
                case 3: case 4: if (fault_of([&] { f.mmu.write<u32>(LinearAddr{lin}, r, p); })) ++faults; break;
                case 5: if (fault_of([&] { f.mmu.translate_code(LinearAddr{lin}, p); })) ++faults; break;
                case 6: {  // remap or change rights without a flush
                    const u32 n = next() % 16;
                    const u32 flags = next();
                    t.map_4k(lin_of(n), 0x00800000 + (flags % 16) * 0x1000,
                             (flags & 8 ? 0 : P) | (flags & 16 ? RW : 0) | (flags & 32 ? US : 0) | (flags & 64 ? G : 0));
                    break;
                }
                case 7: f.mmu.invlpg(LinearAddr{lin}); break;
                case 8: f.mmu.write_cr3(t.cr3()); break;
                case 9: f.mmu.write_cr0(f.cr.cr0 ^ cr0::kWP); break;
            }
            broken = f.mmu.check_front_invariant();
        }
        const MmuStats& s = f.mmu.stats();
        return std::tuple{broken, s.dtlb.hits, s.dtlb.misses, s.itlb.hits, s.itlb.misses, s.dtlb.evictions, faults,
                          f.cycles};
    };
    const auto off = run(false);
    const auto on = run(true);
    CHECK(std::get<0>(off) == "");
    CHECK(std::get<0>(on) == "");
    CHECK(std::get<1>(off) == std::get<1>(on));
    CHECK(std::get<2>(off) == std::get<2>(on));
    CHECK(std::get<3>(off) == std::get<3>(on));
    CHECK(std::get<4>(off) == std::get<4>(on));
    CHECK(std::get<5>(off) == std::get<5>(on));
    CHECK(std::get<6>(off) == std::get<6>(on));
    CHECK(std::get<7>(off) == std::get<7>(on));
    CHECK(std::get<5>(off) > 20);   // the run really exercised evictions
    CHECK(std::get<6>(off) > 100);  // and faults
}

TEST_CASE("Hit tracking counts every data access an entry serves, which the front array otherwise serves",
          "[mmu][tlb]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10003000, kOld, P | RW);
    f.enable_two_level(t.cr3());
    auto hits_now = [&] {
        auto entries = f.mmu.tlb_entries(TlbKind::Data);
        REQUIRE(entries.size() == 1);
        return entries[0].hits;
    };

    f.mmu.read<u32>(LinearAddr{0x10003000}, Priv::Supervisor);  // miss: fills, no hit yet
    CHECK(hits_now() == 0);
    for (int i = 0; i < 5; ++i) f.mmu.read<u32>(LinearAddr{0x10003004}, Priv::Supervisor);
    // Off: the fill also put the page in the front array, which serves every
    // repeat without reaching the entry.
    CHECK(hits_now() == 0);
    const u64 stats_hits_off = f.mmu.stats().dtlb.hits;

    f.mmu.set_hit_tracking(true);
    for (int i = 0; i < 5; ++i) f.mmu.read<u32>(LinearAddr{0x10003008}, Priv::Supervisor);
    CHECK(hits_now() == 5);
    CHECK(f.mmu.stats().dtlb.hits == stats_hits_off + 5);  // the totals agree either way
    CHECK(f.mmu.check_front_invariant().empty());

    f.mmu.invlpg(LinearAddr{0x10003000});
    f.mmu.read<u32>(LinearAddr{0x10003000}, Priv::Supervisor);  // a fresh fill starts from zero
    CHECK(hits_now() == 0);
}
