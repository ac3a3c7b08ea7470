// The modelled TLB: stale translations served until INVLPG, a flush or an eviction;
// each flush cause and what it drops; replacement; statistics; cycles; events.
#include <catch2/catch.hpp>

#include "paging_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {
// Two frames with recognisable contents.
constexpr u64 kOld = 0x00500000, kNew = 0x00600000;
void mark_frames(Bus& bus) {
    bus.write(kOld, 0x0000AAAA, 4);
    bus.write(kNew, 0x0000BBBB, 4);
}
}  // namespace

TEST_CASE("A cached translation is used after the PTE changed, until INVLPG", "[mmu][tlb]") {
    MmuFixture f;
    mark_frames(f.bus);
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10000000, kOld, P | RW);
    f.enable_two_level(t.cr3());

    f.mmu.write<u32>(0x10000008, 0x66, Priv::Supervisor);  // fills the DTLB, dirty
    CHECK(f.mmu.read<u32>(0x10000000, Priv::Supervisor) == 0xAAAA);
    t.map_4k(0x10000000, kNew, P | RW);  // remap without INVLPG
    CHECK(f.mmu.read<u32>(0x10000000, Priv::Supervisor) == 0xAAAA);
    f.mmu.write<u32>(0x10000004, 0x77, Priv::Supervisor);  // the store goes to the old frame too
    CHECK(f.bus.read(kOld + 4, 4) == 0x77);
    CHECK(f.bus.read(kNew + 4, 4) == 0);
    CHECK(f.mmu.probe(0x10000000, Access::Read, Priv::Supervisor) == kOld);       // as the CPU would
    CHECK(f.mmu.walk(0x10000000, Access::Read, Priv::Supervisor).phys == kNew);  // what memory says

    f.mmu.invlpg(0x10000FFF);  // any address in the page
    CHECK(f.mmu.read<u32>(0x10000000, Priv::Supervisor) == 0xBBBB);
    const MmuStats& s = f.mmu.stats();
    CHECK(s.dtlb.flush_invlpg == 1);
    CHECK(s.itlb.flush_invlpg == 1);
    CHECK(s.dtlb.entries_invalidated == 1);
    CHECK(s.itlb.entries_invalidated == 0);
}

TEST_CASE("Instruction and data TLBs are separate; INVLPG drops the page from both", "[mmu][tlb]") {
    MmuFixture f;
    mark_frames(f.bus);
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10000000, kOld, P | RW);
    f.enable_two_level(t.cr3());

    CHECK(f.mmu.translate_code(0x10000000, Priv::Supervisor).phys == kOld);
    CHECK(f.mmu.probe_tlb(0x10000000) == HM386_DIAG_PROBE_ITLB);
    t.map_4k(0x10000000, kNew, P | RW);
    // The data TLB misses and sees the new mapping; the ITLB keeps the old one.
    CHECK(f.mmu.read<u32>(0x10000000, Priv::Supervisor) == 0xBBBB);
    CHECK(f.mmu.probe_tlb(0x10000000) == (HM386_DIAG_PROBE_ITLB | HM386_DIAG_PROBE_DTLB));
    CHECK(f.mmu.translate_code(0x10000000, Priv::Supervisor).phys == kOld);
    CHECK(*f.mmu.translate_code(0x10000000, Priv::Supervisor).host == 0xAA);

    f.mmu.invlpg(0x10000000);
    CHECK(f.mmu.probe_tlb(0x10000000) == 0);
    CHECK(f.mmu.translate_code(0x10000000, Priv::Supervisor).phys == kNew);
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

    CHECK(f.mmu.read<u32>(0x10000000, Priv::Supervisor) == 0xAAAA);
    t.map_4k(0x10000000, kNew, P | RW);
    CHECK(f.mmu.read<u32>(0x10000000, Priv::Supervisor) == 0xAAAA);  // stale, from the TLB
    f.mmu.read<u32>(0x10001000, Priv::Supervisor);                   // evicts it
    CHECK(f.mmu.stats().dtlb.evictions == 1);
    CHECK(f.mmu.read<u32>(0x10000000, Priv::Supervisor) == 0xBBBB);
}

TEST_CASE("Replacement is round-robin per set and ignores hits", "[mmu][tlb]") {
    MmuFixture f;
    TlbConfig cfg;
    cfg.dtlb_4k = {8, 2};  // 4 sets: pages 0, 4, 8, 12 share set 0
    f.mmu.configure_tlb(cfg);
    TwoLevelTables t(f.bus, f.alloc);
    for (u32 page = 0; page < 16; ++page) t.map_4k(0x20000000 + page * 0x1000, 0x00800000 + page * 0x1000, P | RW);
    f.enable_two_level(t.cr3());
    auto touch = [&](u32 page) { f.mmu.read<u8>(0x20000000 + page * 0x1000, Priv::Supervisor); };
    auto held = [&](u32 page) { return (f.mmu.probe_tlb(0x20000000 + page * 0x1000) & HM386_DIAG_PROBE_DTLB) != 0; };

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

TEST_CASE("A CR3 write drops non-global entries; global ones need CR4.PGE and G", "[mmu][tlb][flush]") {
    MmuFixture f;
    mark_frames(f.bus);
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0xC0000000, kOld, P | RW | G);  // kernel, global
    t.map_4k(0x08000000, kOld, P | RW | US);  // user, not global
    f.enable_two_level(t.cr3(), cr4::kPGE);
    f.mmu.reset_stats();  // count from here
    RecordingSink sink;
    f.mmu.set_event_sink(&sink);

    f.mmu.read<u32>(0xC0000000, Priv::Supervisor);
    f.mmu.read<u32>(0x08000000, Priv::User);
    CHECK((f.mmu.probe_tlb(0xC0000000) & HM386_DIAG_PROBE_GLOBAL));
    t.map_4k(0xC0000000, kNew, P | RW | G);
    t.map_4k(0x08000000, kNew, P | RW | US);

    f.mmu.write_cr3(t.cr3());
    CHECK(f.mmu.read<u32>(0xC0000000, Priv::Supervisor) == 0xAAAA);  // global: still stale
    CHECK(f.mmu.read<u32>(0x08000000, Priv::User) == 0xBBBB);        // reloaded
    REQUIRE(sink.flushes.size() == 1);
    CHECK(sink.flushes[0].cause == TlbFlushCause::Cr3Write);
    CHECK(sink.flushes[0].entries_dropped == 1);
    CHECK(f.mmu.stats().dtlb.flush_cr3 == 1);
    CHECK(f.mmu.stats().itlb.flush_cr3 == 1);
    CHECK(f.mmu.stats().dtlb.entries_invalidated == 1);

    // INVLPG drops a global entry too.
    f.mmu.invlpg(0xC0000000);
    CHECK(f.mmu.read<u32>(0xC0000000, Priv::Supervisor) == 0xBBBB);

    // Without CR4.PGE, G means nothing.
    MmuFixture g;
    mark_frames(g.bus);
    TwoLevelTables u(g.bus, g.alloc);
    u.map_4k(0xC0000000, kOld, P | RW | G);
    g.enable_two_level(u.cr3());
    g.mmu.read<u32>(0xC0000000, Priv::Supervisor);
    CHECK_FALSE(g.mmu.probe_tlb(0xC0000000) & HM386_DIAG_PROBE_GLOBAL);
    u.map_4k(0xC0000000, kNew, P | RW | G);
    g.mmu.write_cr3(u.cr3());
    CHECK(g.mmu.read<u32>(0xC0000000, Priv::Supervisor) == 0xBBBB);
}

TEST_CASE("Toggling CR4.PGE, PSE or PAE, or CR0.PG or PE, drops everything, global entries too",
          "[mmu][tlb][flush]") {
    struct Cause {
        const char* name;
        TlbFlushCause cause;
        void (*toggle)(MmuFixture&);
    };
    const Cause causes[] = {
        {"CR4.PGE off", TlbFlushCause::Cr4Change, [](MmuFixture& f) { f.mmu.write_cr4(f.cr.cr4 & ~cr4::kPGE); }},
        {"CR4.PSE on", TlbFlushCause::Cr4Change, [](MmuFixture& f) { f.mmu.write_cr4(f.cr.cr4 | cr4::kPSE); }},
        {"CR0.PG off and on", TlbFlushCause::Cr0Change,
         [](MmuFixture& f) {
             f.mmu.write_cr0(cr0::kPE);
             f.mmu.write_cr0(cr0::kPE | cr0::kPG);
         }},
        {"CR0.PE off and on (paging off between)", TlbFlushCause::Cr0Change,
         [](MmuFixture& f) {
             f.mmu.write_cr0(0);
             f.mmu.write_cr0(cr0::kPE | cr0::kPG);
         }},
    };
    for (const Cause& c : causes) {
        CAPTURE(c.name);
        MmuFixture f;
        mark_frames(f.bus);
        TwoLevelTables t(f.bus, f.alloc);
        t.map_4k(0xC0000000, kOld, P | RW | G);
        f.enable_two_level(t.cr3(), cr4::kPGE);
        f.mmu.read<u32>(0xC0000000, Priv::Supervisor);
        f.mmu.translate_code(0xC0000000, Priv::Supervisor);
        t.map_4k(0xC0000000, kNew, P | RW | G);
        RecordingSink sink;
        f.mmu.set_event_sink(&sink);
        f.mmu.reset_stats();
        c.toggle(f);
        REQUIRE_FALSE(sink.flushes.empty());
        CHECK(sink.flushes[0].cause == c.cause);
        CHECK(sink.flushes[0].entries_dropped == 2);
        CHECK(f.mmu.probe_tlb(0xC0000000) == 0);
        CHECK(f.mmu.read<u32>(0xC0000000, Priv::Supervisor) == 0xBBBB);
        CHECK(f.mmu.stats().dtlb.flush_cr4_cr0 == sink.flushes.size());
        CHECK(f.mmu.stats().itlb.flush_cr4_cr0 == sink.flushes.size());
        CHECK(f.mmu.stats().dtlb.entries_invalidated == 1);
        CHECK(f.mmu.stats().itlb.entries_invalidated == 1);
    }
}

TEST_CASE("Turning PAE on flushes everything and switches the walk format", "[mmu][tlb][flush][pae]") {
    MmuFixture f;
    mark_frames(f.bus);
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x00400000, kOld, P | RW | G);
    f.enable_two_level(t.cr3(), cr4::kPGE);
    f.mmu.read<u32>(0x00400000, Priv::Supervisor);
    f.mmu.reset_stats();

    PaeTables pae(f.bus, f.alloc);
    pae.map_4k(0x00400000, kNew, P | RW | G);
    f.mmu.write_cr0(cr0::kPE);  // paging off to switch CR3 under a PAE layout
    f.mmu.write_cr3(pae.cr3());
    f.mmu.write_cr4(cr4::kPGE | cr4::kPAE);
    f.mmu.write_cr0(cr0::kPE | cr0::kPG);
    CHECK(f.mmu.paging_mode() == PagingMode::Pae);
    CHECK(f.mmu.read<u32>(0x00400000, Priv::Supervisor) == 0xBBBB);
    CHECK(f.mmu.stats().dtlb.flush_cr4_cr0 == 3);  // PG off, PAE on, PG on

    // Edit the PAE tables: the entry stays stale until a CR4 change flushes it.
    pae.map_4k(0x00400000, kOld, P | RW | G);
    f.mmu.write_cr4(cr4::kPGE | cr4::kPAE);  // no change: no flush, entry stays stale
    CHECK(f.mmu.read<u32>(0x00400000, Priv::Supervisor) == 0xBBBB);
    f.mmu.write_cr4(cr4::kPAE);  // PGE off: flush, PDPTEs reloaded
    CHECK(f.mmu.read<u32>(0x00400000, Priv::Supervisor) == 0xAAAA);
}

TEST_CASE("CR0.WP and EFER.NXE changes flush nothing: entries cache rights, not decisions",
          "[mmu][tlb][flush]") {
    MmuFixture f;
    mark_frames(f.bus);
    PaeTables t(f.bus, f.alloc);
    t.map_4k(0x00400000, kOld, P);  // read-only, supervisor
    f.enable_pae(t.cr3(), 0, 0, /*nxe=*/true);
    f.mmu.reset_stats();
    RecordingSink sink;
    f.mmu.set_event_sink(&sink);

    f.mmu.write<u32>(0x00400000, 1, Priv::Supervisor);  // WP=0: supervisor may write
    t.map_4k(0x00400000, kNew, P | A | D);
    f.mmu.write_cr0(f.cr.cr0 | cr0::kWP);
    CHECK(sink.flushes.empty());
    CHECK((f.mmu.probe_tlb(0x00400000) & HM386_DIAG_PROBE_DTLB));
    CHECK(f.mmu.read<u32>(0x00400000, Priv::Supervisor) == 1);  // still the old frame
    // Same cached entry (still the old frame), judged under WP=1 now.
    const auto fault = fault_of([&] { f.mmu.write<u32>(0x00400000, 2, Priv::Supervisor); });
    REQUIRE(fault);
    CHECK(fault->error_code == (pf_error::kPresent | pf_error::kWrite));
    f.mmu.write_efer(0);
    CHECK(sink.flushes.empty());
    CHECK(f.mmu.stats().dtlb.flush_cr4_cr0 == 0);
}

TEST_CASE("INVLPG anywhere in a large page drops the large entry", "[mmu][tlb][large]") {
    SECTION("two-level, 4 MiB") {
        MmuFixture f;
        TwoLevelTables t(f.bus, f.alloc);
        t.map_4m(0x80000000, 0x00400000, P | RW);
        f.enable_two_level(t.cr3(), cr4::kPSE);
        f.mmu.read<u8>(0x80001000, Priv::Supervisor);
        CHECK(f.mmu.probe_tlb(0x803FF000) == (HM386_DIAG_PROBE_DTLB | HM386_DIAG_PROBE_LARGE));
        f.mmu.invlpg(0x803FF123);
        CHECK(f.mmu.probe_tlb(0x80001000) == 0);
        CHECK(f.mmu.stats().dtlb.fills_large == 1);
        CHECK(f.mmu.stats().dtlb.fills_4k == 0);
    }
    SECTION("PAE, 2 MiB") {
        MmuFixture f;
        PaeTables t(f.bus, f.alloc);
        t.map_2m(0x80000000, 0x00400000, P | RW);
        f.enable_pae(t.cr3());
        f.mmu.translate_code(0x80000000, Priv::Supervisor);
        CHECK(f.mmu.probe_tlb(0x801FF000) == (HM386_DIAG_PROBE_ITLB | HM386_DIAG_PROBE_LARGE));
        CHECK(f.mmu.probe_tlb(0x80200000) == 0);  // the next 2 MiB is another page
        f.mmu.invlpg(0x80100000);
        CHECK(f.mmu.probe_tlb(0x80000000) == 0);
        CHECK(f.mmu.stats().itlb.fills_large == 1);
    }
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
    f.bus.write(0x00505000, 0xAAAA, 4);
    f.bus.write(0x00905000, 0xCCCC, 4);
    CHECK(f.mmu.read<u32>(0x80105000, Priv::Supervisor) == 0xAAAA);
    t.map_4m(0x80000000, 0x00800000, P | RW);  // now 0x80105000 -> 0x00905000
    CHECK(f.mmu.read<u32>(0x80105000, Priv::Supervisor) == 0xAAAA);  // stale
    f.mmu.read<u32>(0x80400000, Priv::Supervisor);                   // evicts the first
    CHECK(f.mmu.stats().dtlb.evictions == 1);
    CHECK(f.mmu.read<u32>(0x80105000, Priv::Supervisor) == 0xCCCC);
}

TEST_CASE("A stale entry with fewer rights faults once; the #PF drops it and the retry succeeds",
          "[mmu][tlb]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x08000000, kOld, P | US);  // read-only
    f.enable_two_level(t.cr3());
    f.mmu.read<u32>(0x08000000, Priv::User);
    t.map_4k(0x08000000, kOld, P | RW | US);  // made writable, no INVLPG (Linux does this)
    const auto fault = fault_of([&] { f.mmu.write<u32>(0x08000000, 5, Priv::User); });
    REQUIRE(fault);
    CHECK(fault->error_code == (pf_error::kPresent | pf_error::kWrite | pf_error::kUser));
    CHECK_FALSE(fault_of([&] { f.mmu.write<u32>(0x08000000, 5, Priv::User); }));
    CHECK(f.bus.read(kOld, 4) == 5);
    CHECK(f.mmu.stats().page_faults == 1);
}

TEST_CASE("Statistics: front hits count as TLB hits; paging off counts nothing", "[mmu][tlb][stats]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10000000, kOld, P | RW);

    for (int i = 0; i < 50; ++i) f.mmu.read<u32>(0x1000 + 4 * i, Priv::Supervisor);  // paging off
    f.mmu.translate_code(0x1000, Priv::Supervisor);
    CHECK(f.mmu.stats().dtlb.lookups == 0);
    CHECK(f.mmu.stats().itlb.lookups == 0);

    f.enable_two_level(t.cr3());
    for (int i = 0; i < 100; ++i) f.mmu.read<u32>(0x10000000 + 4 * i, Priv::Supervisor);
    for (int i = 0; i < 10; ++i) f.mmu.translate_code(0x10000000 + i, Priv::Supervisor);
    MmuStats s = f.mmu.stats();
    CHECK(s.dtlb.lookups == 100);
    CHECK(s.dtlb.misses == 1);
    CHECK(s.dtlb.hits == 99);
    CHECK(s.dtlb.walks == 1);
    CHECK(s.itlb.lookups == 10);
    CHECK(s.itlb.hits == 9);
    CHECK(s.itlb.misses == 1);

    // Hits made while paging was on survive turning it off; later accesses add nothing.
    for (int i = 0; i < 5; ++i) f.mmu.read<u32>(0x10000000, Priv::Supervisor);
    f.mmu.write_cr0(cr0::kPE);
    for (int i = 0; i < 5; ++i) f.mmu.read<u32>(0x2000, Priv::Supervisor);
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
    f.mmu.write<u8>(0x10003000, 1, Priv::User);
    f.mmu.read<u8>(0x80000000, Priv::Supervisor);

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

TEST_CASE("Walks cost cycles per memory access; hits cost none; PAE CR3 loads read 4 PDPTEs",
          "[mmu][tlb][cycles]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10000000, kOld, P | RW | A | D, P | RW | A);
    f.enable_two_level(t.cr3());
    const u64 before = f.cycles;
    f.mmu.read<u32>(0x10000000, Priv::Supervisor);
    CHECK(f.cycles - before == 2 * kWalkAccessCycles);
    f.mmu.read<u32>(0x10000004, Priv::Supervisor);
    CHECK(f.cycles - before == 2 * kWalkAccessCycles);
    CHECK(f.mmu.stats().dtlb.walk_memory_accesses == 2);

    MmuFixture g;
    PaeTables p(g.bus, g.alloc);
    p.map_4k(0x10000000, kOld, P | RW | A | D, P | RW | A);
    g.enable_pae(p.cr3());
    CHECK(g.cycles == 4 * kWalkAccessCycles);  // the PDPTE load when PG was set
    g.mmu.read<u32>(0x10000000, Priv::Supervisor);
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
    f.mmu.write<u32>(0x10000010, 1, Priv::Supervisor);
    CHECK(fault_of([&] { f.mmu.read<u32>(0x10000010, Priv::User); }));  // cached: no walk
    CHECK(fault_of([&] { f.mmu.read<u32>(0x20000000, Priv::User); }));  // walk, not present

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
