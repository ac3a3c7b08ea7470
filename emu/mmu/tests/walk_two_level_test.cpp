// Two-level (32-bit) paging: 4 KiB pages, 4 MiB pages with CR4.PSE and PSE-36,
// not-present and reserved-bit faults, CR2, and the pure walk's report.
#include <catch2/catch.hpp>

#include "paging_fixture.hpp"

using namespace hm;
using namespace hm::test;

TEST_CASE("Two-level paging translates 4 KiB pages through the PDE and PTE", "[mmu][walk]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x40001000, 0x00123000, P | RW);
    t.map_4k(0x40002000, 0x00456000, P | RW);
    f.enable_two_level(t.cr3());

    f.mmu.write<u32>(LinearAddr{0x40001FFC}, 0xDEADBEEF, Priv::Supervisor);
    CHECK(f.bus.read(PhysAddr{0x00123FFC}, 4) == 0xDEADBEEF);
    f.bus.write(PhysAddr{0x00456010}, 0x1234, 2);
    CHECK(f.mmu.read<u16>(LinearAddr{0x40002010}, Priv::Supervisor) == 0x1234);
    // An access that straddles the two pages lands in both frames.
    f.mmu.write<u32>(LinearAddr{0x40001FFE}, 0xAABBCCDD, Priv::Supervisor);
    CHECK(f.bus.read(PhysAddr{0x00123FFE}, 2) == 0xCCDD);
    CHECK(f.bus.read(PhysAddr{0x00456000}, 2) == 0xAABB);
    CHECK(f.mmu.probe(LinearAddr{0x40002ABC}, Access::Read, Priv::Supervisor) == PhysAddr{0x00456ABC});
    CHECK(f.mmu.paging_mode() == PagingMode::TwoLevel);
}

TEST_CASE("walk() reports each level's address and value and the translation", "[mmu][walk]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0xC0345000, 0x00ABC000, P | RW | G, P | RW);
    f.enable_two_level(t.cr3(), cr4::kPGE);

    const WalkResult w = f.mmu.walk(LinearAddr{0xC0345678}, Access::Write, Priv::Supervisor);
    REQUIRE(w.ok());
    CHECK(w.mode == PagingMode::TwoLevel);
    CHECK(w.levels == 2);
    CHECK(w.memory_reads == 2);
    CHECK(w.entry[0].addr == t.pde_addr(0xC0345000));
    CHECK(w.entry[0].value == t.read(t.pde_addr(0xC0345000)));
    CHECK(w.entry[1].addr == t.pte_addr(0xC0345000));
    CHECK(w.entry[1].value == (0x00ABC000 | P | RW | G));
    CHECK(w.phys == PhysAddr{0x00ABC678});
    CHECK(w.frame == PhysAddr{0x00ABC000});
    CHECK(w.lin_base == LinearAddr{0xC0345000});
    CHECK(w.page_size_log2 == 12);
    CHECK(w.global);
    CHECK(w.writable);
    CHECK_FALSE(w.user);
    // What a real walk would set: A on both levels, D on the leaf.
    CHECK(w.set_accessed == 0b11);
    CHECK(w.set_dirty);
    // ...but walk() itself changed nothing.
    CHECK(t.read(t.pte_addr(0xC0345000)) == (0x00ABC000 | P | RW | G));
    CHECK(f.mmu.stats().dtlb.lookups == 0);
    CHECK(f.mmu.probe_tlb(LinearAddr{0xC0345000}) == 0);
}

TEST_CASE("With CR4.PSE a PDE with PS=1 maps a 4 MiB page", "[mmu][walk]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4m(0x80000000, 0x00C00000, P | RW);
    f.enable_two_level(t.cr3(), cr4::kPSE);

    f.mmu.write<u32>(LinearAddr{0x803FFFF0}, 0x5A5A5A5A, Priv::Supervisor);
    CHECK(f.bus.read(PhysAddr{0x00FFFFF0}, 4) == 0x5A5A5A5A);
    const WalkResult w = f.mmu.walk(LinearAddr{0x80123456}, Access::Read, Priv::Supervisor);
    REQUIRE(w.ok());
    CHECK(w.levels == 1);
    CHECK(w.page_size_log2 == 22);
    CHECK(w.phys == PhysAddr{0x00D23456});
}

TEST_CASE("Without CR4.PSE the PS bit of a PDE is ignored and it points to a table", "[mmu][walk]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    // PDE for 0x80000000 says PS=1 with frame 0x00400000; read as a table pointer, the
    // page table is at 0x00400000, where we put a PTE for page 5.
    t.write(t.pde_addr(0x80000000), 0x00400000 | P | RW | PS);
    f.bus.write(PhysAddr{0x00400000 + 5 * 4}, 0x00777000 | P | RW, 4);
    f.enable_two_level(t.cr3());

    CHECK(f.mmu.probe(LinearAddr{0x80005004}, Access::Read, Priv::Supervisor) == PhysAddr{0x00777004});
    const auto fault = fault_of([&] { f.mmu.read<u8>(LinearAddr{0x80006000}, Priv::Supervisor); });
    REQUIRE(fault);
    CHECK(fault->error_code == 0);  // not present, read, supervisor
}

TEST_CASE("PSE-36 puts PDE bits 16:13 above 4 GiB, bits 21:17 are reserved", "[mmu][walk]") {
    MmuFixture f(5 * kGiB);  // RAM [0, 3 GiB) and [4 GiB, 6 GiB)
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4m(0x80000000, 0x1'4000'0000, P | RW);
    f.enable_two_level(t.cr3(), cr4::kPSE);

    f.mmu.write<u32>(LinearAddr{0x80000010}, 0xFEEDFACE, Priv::Supervisor);
    CHECK(f.bus.read(PhysAddr{0x1'4000'0010}, 4) == 0xFEEDFACE);

    for (unsigned bit = 17; bit <= 21; ++bit) {
        CAPTURE(bit);
        t.write(t.pde_addr(0x80000000), t.read(t.pde_addr(0x80000000)) | (u64{1} << bit));
        f.mmu.invlpg(LinearAddr{0x80000000});
        const auto fault = fault_of([&] { f.mmu.read<u32>(LinearAddr{0x80000010}, Priv::User); });
        REQUIRE(fault);
        CHECK(fault->vector == Vector::PF);
        CHECK(fault->error_code == (pf_error::kPresent | pf_error::kReservedBit | pf_error::kUser));
        t.map_4m(0x80000000, 0x1'4000'0000, P | RW);
    }
}

TEST_CASE("Not-present entries fault with P=0 and the address in CR2", "[mmu][walk]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x00400000, 0x00500000, 0);  // PDE present, PTE not
    f.enable_two_level(t.cr3());

    auto fault = fault_of([&] { f.mmu.write<u8>(LinearAddr{0x00400123}, 1, Priv::User); });
    REQUIRE(fault);
    CHECK(fault->vector == Vector::PF);
    CHECK(fault->has_error_code);
    CHECK(fault->error_code == (pf_error::kWrite | pf_error::kUser));
    CHECK(f.cr.cr2 == 0x00400123);

    fault = fault_of([&] { f.mmu.read<u8>(LinearAddr{0x12345678}, Priv::Supervisor); });  // PDE not present
    REQUIRE(fault);
    CHECK(fault->error_code == 0);
    CHECK(f.cr.cr2 == 0x12345678);

    // Fetches report no I/D bit outside PAE with NXE.
    fault = fault_of([&] { f.mmu.translate_code(LinearAddr{0x12345000}, Priv::User); });
    REQUIRE(fault);
    CHECK(fault->error_code == pf_error::kUser);
    CHECK(f.mmu.stats().page_faults == 3);
}

TEST_CASE("A page-crossing access checks both pages before writing either", "[mmu][walk]") {
    MmuFixture f;
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x10000000, 0x00300000, P | RW);  // the next page is not mapped
    f.enable_two_level(t.cr3());
    f.bus.write(PhysAddr{0x00300FFE}, 0x1111, 2);
    const auto fault = fault_of([&] { f.mmu.write<u32>(LinearAddr{0x10000FFE}, 0x22222222, Priv::Supervisor); });
    REQUIRE(fault);
    CHECK(f.cr.cr2 == 0x10001000);
    CHECK(fault->error_code == pf_error::kWrite);
    CHECK(f.bus.read(PhysAddr{0x00300FFE}, 2) == 0x1111);
}

TEST_CASE("Page tables and pages beyond RAM read as open bus, never outside host memory", "[mmu][walk]") {
    MmuFixture f(16 * kMiB);
    TwoLevelTables t(f.bus, f.alloc);
    t.map_4k(0x20000000, 0xF0000000, P | RW);  // a frame in the PCI hole
    f.enable_two_level(t.cr3());
    CHECK(f.mmu.read<u32>(LinearAddr{0x20000000}, Priv::Supervisor) == 0xFFFFFFFF);
    f.mmu.write<u32>(LinearAddr{0x20000000}, 0, Priv::Supervisor);  // dropped
    CHECK(f.bus.stats().open_bus_writes == 4);
}
