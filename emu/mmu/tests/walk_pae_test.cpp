// PAE paging: PDPTE registers loaded at CR3 (and CR0/CR4) writes with #GP on
// reserved bits, 8-byte PDEs and PTEs, 2 MiB pages, physical addresses above 4 GiB,
// NX and the reserved bits that depend on EFER.NXE.
#include <catch2/catch.hpp>

#include "paging_fixture.hpp"

using namespace hm;
using namespace hm::test;

TEST_CASE("PAE translates 4 KiB and 2 MiB pages, also to frames above 4 GiB", "[mmu][walk][pae]") {
    MmuFixture f(8 * kGiB);  // RAM [0, 3 GiB) and [4 GiB, 9 GiB)
    PaeTables t(f.bus, f.alloc);
    t.map_4k(0x00400000, 0x2'3456'7000, P | RW);
    t.map_2m(0xC0000000, 0x1'FFE0'0000, P | RW);
    t.map_4k(0x7FFFF000, 0x0000'9000, P | RW);
    f.enable_pae(t.cr3());

    f.mmu.write<u64>(LinearAddr{0x00400FF8}, 0x0123456789ABCDEF, Priv::Supervisor);
    CHECK(f.bus.read(PhysAddr{0x2'3456'7FF8}, 8) == 0x0123456789ABCDEF);
    f.mmu.write<u32>(LinearAddr{0xC01FFFFC}, 0xCAFE, Priv::Supervisor);
    CHECK(f.bus.read(PhysAddr{0x2'0000'0000 - 4}, 4) == 0xCAFE);
    CHECK(f.mmu.read<u32>(LinearAddr{0x7FFFF000 + 0x10}, Priv::Supervisor) == f.bus.read(PhysAddr{0x9010}, 4));

    const WalkResult w = f.mmu.walk(LinearAddr{0x00400123}, Access::Read, Priv::Supervisor);
    REQUIRE(w.ok());
    CHECK(w.mode == PagingMode::Pae);
    CHECK(w.levels == 3);
    CHECK(w.entry[0].from_register);
    CHECK(w.entry[0].addr == t.pdpte_addr(0x00400000));
    CHECK(w.memory_reads == 2);  // the PDPTE comes from its register
    CHECK(w.entry[2].addr == t.pte_addr(0x00400000));
    CHECK(w.phys == PhysAddr{0x2'3456'7123});

    const WalkResult big = f.mmu.walk(LinearAddr{0xC0012345}, Access::Read, Priv::Supervisor);
    REQUIRE(big.ok());
    CHECK(big.page_size_log2 == 21);
    CHECK(big.levels == 2);
    CHECK(big.phys == PhysAddr{0x1'FFE1'2345});
}

TEST_CASE("PAE honours PS in a PDE whatever CR4.PSE says", "[mmu][walk][pae]") {
    MmuFixture f;
    PaeTables t(f.bus, f.alloc);
    t.map_2m(0x00200000, 0x00600000, P | RW);
    f.enable_pae(t.cr3());  // CR4.PSE = 0
    CHECK(f.mmu.probe(LinearAddr{0x00212345}, Access::Read, Priv::Supervisor) == PhysAddr{0x00612345});
}

TEST_CASE("The PDPTEs are cached at CR3 load, memory edits take effect at the next load", "[mmu][walk][pae]") {
    MmuFixture f;
    PaeTables t(f.bus, f.alloc);
    t.map_4k(0x40000000, 0x00300000, P | RW);
    f.enable_pae(t.cr3());
    CHECK(f.mmu.read<u8>(LinearAddr{0x40000000}, Priv::Supervisor) == 0);

    // Clear the PDPTE in memory: walks still use the register.
    t.write(t.pdpte_addr(0x40000000), 0);
    f.mmu.invlpg(LinearAddr{0x40000000});
    CHECK(f.mmu.probe(LinearAddr{0x40000000}, Access::Read, Priv::Supervisor) == PhysAddr{0x00300000});
    CHECK_FALSE(fault_of([&] { f.mmu.read<u8>(LinearAddr{0x40000000}, Priv::Supervisor); }));

    // Reloading CR3 (same value) reads the PDPT again.
    f.mmu.write_cr3(t.cr3());
    const auto fault = fault_of([&] { f.mmu.read<u8>(LinearAddr{0x40000000}, Priv::Supervisor); });
    REQUIRE(fault);
    CHECK(fault->error_code == 0);  // PDPTE not present
    CHECK(f.mmu.stats().pdpte_loads == 2);
}

TEST_CASE("Reserved bits in a present PDPTE make the loading MOV raise #GP(0) and change nothing",
          "[mmu][walk][pae]") {
    const u64 reserved_bits[] = {1u << 1, 1u << 2, 1u << 5, 1u << 6, 1u << 7, 1u << 8, u64{1} << 36,
                                 u64{1} << 62, u64{1} << 63};
    for (u64 bit : reserved_bits) {
        CAPTURE(bit);
        MmuFixture f;
        PaeTables t(f.bus, f.alloc);
        t.map_4k(0x00001000, 0x00001000, P | RW);
        PaeTables other(f.bus, f.alloc);
        other.map_4k(0x00001000, 0x00002000, P | RW);
        other.write(other.pdpte_addr(0), other.read(other.pdpte_addr(0)) | bit);
        f.enable_pae(t.cr3());

        // MOV CR3 with the bad PDPT.
        auto fault = fault_of([&] { f.mmu.write_cr3(other.cr3()); });
        REQUIRE(fault);
        CHECK(fault->vector == Vector::GP);
        CHECK(fault->error_code == 0);
        CHECK(f.cr.cr3 == t.cr3());
        CHECK(f.mmu.probe(LinearAddr{0x00001000}, Access::Read, Priv::Supervisor) == PhysAddr{0x00001000});

        // MOV CR0 turning PAE paging on with the bad PDPT in CR3.
        f.mmu.write_cr0(cr0::kPE);
        f.mmu.write_cr3(other.cr3());  // no PDPTE load without paging
        fault = fault_of([&] { f.mmu.write_cr0(cr0::kPE | cr0::kPG); });
        REQUIRE(fault);
        CHECK(fault->vector == Vector::GP);
        CHECK(f.cr.cr0 == cr0::kPE);
        CHECK_FALSE(f.mmu.paging());

        // MOV CR4 setting PAE under two-level paging.
        f.mmu.write_cr4(0);
        TwoLevelTables flat(f.bus, f.alloc);
        flat.map_4k(0x01000000, 0x00001000, P | RW);  // PDE 4: the first 32 bytes stay zero
        f.mmu.write_cr3(flat.cr3());
        f.mmu.write_cr0(cr0::kPE | cr0::kPG);
        // CR3 still points at flat's page directory, which becomes the PDPT: plant a
        // present PDPTE with the bad bit in its first 8 bytes.
        f.bus.write(PhysAddr{flat.cr3()}, P | bit, 8);
        fault = fault_of([&] { f.mmu.write_cr4(cr4::kPAE); });
        REQUIRE(fault);
        CHECK(fault->vector == Vector::GP);
        CHECK(f.cr.cr4 == 0);
        CHECK(f.mmu.paging_mode() == PagingMode::TwoLevel);
    }
}

TEST_CASE("A not-present PDPTE may hold anything, it faults with P=0 only when used", "[mmu][walk][pae]") {
    MmuFixture f;
    PaeTables t(f.bus, f.alloc);
    t.map_4k(0x00001000, 0x00001000, P | RW);
    t.write(t.pdpte_addr(0x80000000), 0xFFFF'FFFF'FFFF'FFFE);  // P=0, junk elsewhere
    f.enable_pae(t.cr3());
    const auto fault = fault_of([&] { f.mmu.read<u8>(LinearAddr{0x80000000}, Priv::User); });
    REQUIRE(fault);
    CHECK(fault->error_code == pf_error::kUser);
}

TEST_CASE("PAE reserved bits fault with RSVD, bit 63 is NX only with EFER.NXE", "[mmu][walk][pae]") {
    struct Case {
        const char* name;
        bool large;
        bool in_pde;  // else in the PTE
        u64 bit;
        bool nxe;
        bool faults;
    };
    const Case cases[] = {
        {"PTE bit 36 (above MAXPHYADDR)", false, false, u64{1} << 36, false, true},
        {"PTE bit 62", false, false, u64{1} << 62, true, true},
        {"PTE bit 63 without NXE", false, false, u64{1} << 63, false, true},
        {"PTE bit 63 with NXE is NX", false, false, u64{1} << 63, true, false},
        {"PDE bit 40", false, true, u64{1} << 40, false, true},
        {"PDE bit 63 without NXE", false, true, u64{1} << 63, false, true},
        {"2 MiB PDE bit 13", true, true, u64{1} << 13, false, true},
        {"2 MiB PDE bit 20", true, true, u64{1} << 20, false, true},
        {"2 MiB PDE bit 50", true, true, u64{1} << 50, false, true},
        {"2 MiB PDE bit 63 with NXE is NX", true, true, u64{1} << 63, true, false},
        {"PTE bit 52 (bits 62:36 are reserved)", false, false, u64{1} << 52, true, true},
        {"PTE bit 9 (available to software)", false, false, u64{1} << 9, false, false},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        MmuFixture f;
        PaeTables t(f.bus, f.alloc);
        if (c.large) {
            t.map_2m(0x00800000, 0x00A00000, P | RW | US);
        } else {
            t.map_4k(0x00800000, 0x00A00000, P | RW | US);
        }
        const u64 at = c.in_pde ? t.pde_addr(0x00800000) : t.pte_addr(0x00800000);
        t.write(at, t.read(at) | c.bit);
        f.enable_pae(t.cr3(), 0, 0, c.nxe);
        const auto fault = fault_of([&] { f.mmu.read<u32>(LinearAddr{0x00800000}, Priv::User); });
        if (c.faults) {
            REQUIRE(fault);
            CHECK(fault->error_code == (pf_error::kPresent | pf_error::kReservedBit | pf_error::kUser));
            CHECK(f.mmu.walk(LinearAddr{0x00800000}, Access::Read, Priv::User).outcome == WalkOutcome::ReservedBit);
        } else {
            CHECK_FALSE(fault);
        }
    }
}

TEST_CASE("With EFER.NXE a fetch from an NX page faults with I/D set, data accesses do not",
          "[mmu][walk][pae]") {
    MmuFixture f;
    PaeTables t(f.bus, f.alloc);
    t.map_4k(0x08048000, 0x00500000, P | RW | US | NX);
    t.map_4k(0x08049000, 0x00501000, P | RW | US);
    f.enable_pae(t.cr3(), 0, 0, /*nxe=*/true);

    CHECK_FALSE(fault_of([&] { f.mmu.write<u32>(LinearAddr{0x08048000}, 1, Priv::User); }));
    auto fault = fault_of([&] { f.mmu.translate_code(LinearAddr{0x08048000}, Priv::Supervisor); });
    REQUIRE(fault);
    CHECK(fault->error_code == (pf_error::kPresent | pf_error::kInstructionFetch));
    fault = fault_of([&] { f.mmu.translate_code(LinearAddr{0x08048010}, Priv::User); });
    REQUIRE(fault);
    CHECK(fault->error_code == (pf_error::kPresent | pf_error::kInstructionFetch | pf_error::kUser));
    CHECK(f.cr.cr2 == 0x08048010);
    CHECK(f.mmu.translate_code(LinearAddr{0x08049000}, Priv::User).phys == PhysAddr{0x00501000});

    // A not-present fetch under PAE+NXE also carries I/D.
    fault = fault_of([&] { f.mmu.translate_code(LinearAddr{0x10000000}, Priv::User); });
    REQUIRE(fault);
    CHECK(fault->error_code == (pf_error::kInstructionFetch | pf_error::kUser));
}

TEST_CASE("flush_all re-reads the paging state, a bad PDPTE it loads maps nothing", "[mmu][walk][pae]") {
    MmuFixture f;
    PaeTables t(f.bus, f.alloc);
    t.map_4k(0x00001000, 0x00005000, P | RW);
    f.enable_pae(t.cr3());
    PaeTables other(f.bus, f.alloc);
    other.map_4k(0x00001000, 0x00006000, P | RW);
    f.cr.cr3 = other.cr3();  // a debugger edit, behind the MMU's back
    CHECK(f.mmu.probe(LinearAddr{0x00001000}, Access::Read, Priv::Supervisor) == PhysAddr{0x00005000});
    f.mmu.flush_all();
    CHECK(f.mmu.probe(LinearAddr{0x00001000}, Access::Read, Priv::Supervisor) == PhysAddr{0x00006000});

    other.write(other.pdpte_addr(0), other.read(other.pdpte_addr(0)) | RW);  // reserved in a PDPTE
    f.mmu.flush_all();
    const auto fault = fault_of([&] { f.mmu.read<u8>(LinearAddr{0x00001000}, Priv::Supervisor); });
    REQUIRE(fault);
    CHECK(fault->error_code == (pf_error::kPresent | pf_error::kReservedBit));
}

TEST_CASE("With 64 GiB of RAM, PAE reaches the last page of the 36-bit space", "[mmu][walk][pae]") {
    MmuFixture f(64 * kGiB);
    PaeTables t(f.bus, f.alloc);
    t.map_4k(0xFFFFF000, 0xF'FFFF'F000, P | RW);
    t.map_2m(0xFFC00000, 0xF'FFC0'0000, P | RW);
    f.enable_pae(t.cr3());
    f.mmu.write<u32>(LinearAddr{0xFFFFFFFC}, 0x64646464, Priv::Supervisor);
    CHECK(f.bus.read(PhysAddr{0xF'FFFF'FFFC}, 4) == 0x64646464);
    CHECK(f.ram.is_ram(PhysAddr{0xF'FFFF'FFFC}));
    f.mmu.write<u32>(LinearAddr{0xFFC00000}, 0x1234, Priv::Supervisor);
    CHECK(f.bus.read(PhysAddr{0xF'FFC0'0000}, 4) == 0x1234);
    CHECK(f.ram.resident_bytes() < 16 * kMiB);  // only what was touched
}
