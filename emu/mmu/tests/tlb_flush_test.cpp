// Each TLB flush cause and exactly what it drops: CR3 writes (global entries kept),
// CR4.PGE/PSE/PAE and CR0.PG/PE changes (everything), INVLPG on large pages, and the
// CR0.WP and EFER.NXE changes that flush nothing.
#include <catch2/catch.hpp>

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

TEST_CASE("A CR3 write drops non-global entries, global ones need CR4.PGE and G", "[mmu][tlb][flush]") {
    MmuFixture f;
    mark_frames(f.bus);
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0xC0000000, kOld, P | RW | G);  // kernel, global
    t.map_4k(0x08000000, kOld, P | RW | US);  // user, not global
    f.enable_two_level(t.cr3(), cr4::kPGE);
    f.mmu.reset_stats();  // count from here
    RecordingSink sink;
    f.mmu.set_event_sink(&sink);

    f.mmu.read<u32>(LinearAddr{0xC0000000}, Priv::Supervisor);
    f.mmu.read<u32>(LinearAddr{0x08000000}, Priv::User);
    CHECK((f.mmu.probe_tlb(LinearAddr{0xC0000000}) & tlb_probe::kGlobal));
    t.map_4k(0xC0000000, kNew, P | RW | G);
    t.map_4k(0x08000000, kNew, P | RW | US);

    f.mmu.write_cr3(t.cr3());
    CHECK(f.mmu.read<u32>(LinearAddr{0xC0000000}, Priv::Supervisor) == 0xAAAA);  // global: still stale
    CHECK(f.mmu.read<u32>(LinearAddr{0x08000000}, Priv::User) == 0xBBBB);        // reloaded
    REQUIRE(sink.flushes.size() == 1);
    CHECK(sink.flushes[0].cause == TlbFlushCause::Cr3Write);
    CHECK(sink.flushes[0].entries_dropped == 1);
    CHECK(f.mmu.stats().dtlb.flush_cr3 == 1);
    CHECK(f.mmu.stats().itlb.flush_cr3 == 1);
    CHECK(f.mmu.stats().dtlb.entries_invalidated == 1);

    // INVLPG drops a global entry too.
    f.mmu.invlpg(LinearAddr{0xC0000000});
    CHECK(f.mmu.read<u32>(LinearAddr{0xC0000000}, Priv::Supervisor) == 0xBBBB);

    // Without CR4.PGE, G means nothing.
    MmuFixture g;
    mark_frames(g.bus);
    TwoLevelTables u(g.bus, g.alloc);
    u.map_4k(0xC0000000, kOld, P | RW | G);
    g.enable_two_level(u.cr3());
    g.mmu.read<u32>(LinearAddr{0xC0000000}, Priv::Supervisor);
    CHECK_FALSE(g.mmu.probe_tlb(LinearAddr{0xC0000000}) & tlb_probe::kGlobal);
    u.map_4k(0xC0000000, kNew, P | RW | G);
    g.mmu.write_cr3(u.cr3());
    CHECK(g.mmu.read<u32>(LinearAddr{0xC0000000}, Priv::Supervisor) == 0xBBBB);
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
        f.mmu.read<u32>(LinearAddr{0xC0000000}, Priv::Supervisor);
        f.mmu.translate_code(LinearAddr{0xC0000000}, Priv::Supervisor);
        t.map_4k(0xC0000000, kNew, P | RW | G);
        RecordingSink sink;
        f.mmu.set_event_sink(&sink);
        f.mmu.reset_stats();
        c.toggle(f);
        REQUIRE_FALSE(sink.flushes.empty());
        CHECK(sink.flushes[0].cause == c.cause);
        CHECK(sink.flushes[0].entries_dropped == 2);
        CHECK(f.mmu.probe_tlb(LinearAddr{0xC0000000}) == 0);
        CHECK(f.mmu.read<u32>(LinearAddr{0xC0000000}, Priv::Supervisor) == 0xBBBB);
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
    f.mmu.read<u32>(LinearAddr{0x00400000}, Priv::Supervisor);
    f.mmu.reset_stats();

    PaeTables pae(f.bus, f.alloc);
    pae.map_4k(0x00400000, kNew, P | RW | G);
    f.mmu.write_cr0(cr0::kPE);  // paging off to switch CR3 under a PAE layout
    f.mmu.write_cr3(pae.cr3());
    f.mmu.write_cr4(cr4::kPGE | cr4::kPAE);
    f.mmu.write_cr0(cr0::kPE | cr0::kPG);
    CHECK(f.mmu.paging_mode() == PagingMode::Pae);
    CHECK(f.mmu.read<u32>(LinearAddr{0x00400000}, Priv::Supervisor) == 0xBBBB);
    CHECK(f.mmu.stats().dtlb.flush_cr4_cr0 == 3);  // PG off, PAE on, PG on

    // Edit the PAE tables: the entry stays stale until a CR4 change flushes it.
    pae.map_4k(0x00400000, kOld, P | RW | G);
    f.mmu.write_cr4(cr4::kPGE | cr4::kPAE);  // no change: no flush, entry stays stale
    CHECK(f.mmu.read<u32>(LinearAddr{0x00400000}, Priv::Supervisor) == 0xBBBB);
    f.mmu.write_cr4(cr4::kPAE);  // PGE off: flush, PDPTEs reloaded
    CHECK(f.mmu.read<u32>(LinearAddr{0x00400000}, Priv::Supervisor) == 0xAAAA);
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

    f.mmu.write<u32>(LinearAddr{0x00400000}, 1, Priv::Supervisor);  // WP=0: supervisor may write
    t.map_4k(0x00400000, kNew, P | A | D);
    f.mmu.write_cr0(f.cr.cr0 | cr0::kWP);
    CHECK(sink.flushes.empty());
    CHECK((f.mmu.probe_tlb(LinearAddr{0x00400000}) & tlb_probe::kDtlb));
    CHECK(f.mmu.read<u32>(LinearAddr{0x00400000}, Priv::Supervisor) == 1);  // still the old frame
    // Same cached entry (still the old frame), judged under WP=1 now.
    const auto fault = fault_of([&] { f.mmu.write<u32>(LinearAddr{0x00400000}, 2, Priv::Supervisor); });
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
        f.mmu.read<u8>(LinearAddr{0x80001000}, Priv::Supervisor);
        CHECK(f.mmu.probe_tlb(LinearAddr{0x803FF000}) == (tlb_probe::kDtlb | tlb_probe::kLarge));
        f.mmu.invlpg(LinearAddr{0x803FF123});
        CHECK(f.mmu.probe_tlb(LinearAddr{0x80001000}) == 0);
        CHECK(f.mmu.stats().dtlb.fills_large == 1);
        CHECK(f.mmu.stats().dtlb.fills_4k == 0);
    }
    SECTION("PAE, 2 MiB") {
        MmuFixture f;
        PaeTables t(f.bus, f.alloc);
        t.map_2m(0x80000000, 0x00400000, P | RW);
        f.enable_pae(t.cr3());
        f.mmu.translate_code(LinearAddr{0x80000000}, Priv::Supervisor);
        CHECK(f.mmu.probe_tlb(LinearAddr{0x801FF000}) == (tlb_probe::kItlb | tlb_probe::kLarge));
        CHECK(f.mmu.probe_tlb(LinearAddr{0x80200000}) == 0);  // the next 2 MiB is another page
        f.mmu.invlpg(LinearAddr{0x80100000});
        CHECK(f.mmu.probe_tlb(LinearAddr{0x80000000}) == 0);
        CHECK(f.mmu.stats().itlb.fills_large == 1);
    }
}
