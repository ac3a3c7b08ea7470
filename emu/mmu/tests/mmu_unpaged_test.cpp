#include <catch2/catch.hpp>

#include <vector>

#include "mmu/mmu.hpp"

using namespace hm;

namespace {
struct Fixture {
    PhysicalMemory ram{16 * kMiB};
    Bus bus{ram};
    ControlRegs cr;
    u64 cycles = 0;
    Mmu mmu{bus, cr, cycles};
};
}  // namespace

TEST_CASE("Without paging, linear equals physical", "[mmu]") {
    Fixture f;
    f.mmu.write<u32>(LinearAddr{0x12344}, 0xCAFEF00D, Priv::Supervisor);
    CHECK(f.bus.read(PhysAddr{0x12344}, 4) == 0xCAFEF00D);
    CHECK(f.mmu.read<u16>(LinearAddr{0x12346}, Priv::User) == 0xCAFE);
    CHECK(f.mmu.probe(LinearAddr{0x12345}, Access::Read, Priv::User) == PhysAddr{0x12345});
}

TEST_CASE("Accesses that cross a page boundary are assembled correctly", "[mmu]") {
    Fixture f;
    f.mmu.write<u32>(LinearAddr{0x1FFE}, 0x44332211, Priv::Supervisor);
    CHECK(f.bus.read(PhysAddr{0x1FFE}, 1) == 0x11);
    CHECK(f.bus.read(PhysAddr{0x2001}, 1) == 0x44);
    CHECK(f.mmu.read<u32>(LinearAddr{0x1FFE}, Priv::Supervisor) == 0x44332211);
    CHECK(f.mmu.read_for_write<u16>(LinearAddr{0x1FFF}, Priv::Supervisor) == 0x3322);
}

TEST_CASE("A20 off wraps bit 20 as on an 8086", "[mmu]") {
    Fixture f;
    f.mmu.write<u8>(LinearAddr{0x000010}, 0xAA, Priv::Supervisor);
    f.mmu.write<u8>(LinearAddr{0x100010}, 0xBB, Priv::Supervisor);
    f.mmu.set_a20(false);
    CHECK(f.mmu.read<u8>(LinearAddr{0x100010}, Priv::Supervisor) == 0xAA);
    f.mmu.set_a20(true);
    CHECK(f.mmu.read<u8>(LinearAddr{0x100010}, Priv::Supervisor) == 0xBB);
}

TEST_CASE("Stores to a protected code page reach the code-write hook", "[mmu]") {
    Fixture f;
    std::vector<std::pair<u64, unsigned>> hits;
    f.mmu.set_code_write_hook(
        [](void* ctx, PhysAddr phys, unsigned size) {
            static_cast<std::vector<std::pair<u64, unsigned>>*>(ctx)->emplace_back(phys.value, size);
        },
        &hits);
    // Warm the fast path for the page, then protect it: the cached write permission must go.
    f.mmu.write<u32>(LinearAddr{0x5000}, 1, Priv::Supervisor);
    f.mmu.protect_code_page(PhysAddr{0x5000});
    f.mmu.write<u16>(LinearAddr{0x5010}, 0x9090, Priv::Supervisor);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].first == 0x5010);
    CHECK(hits[0].second == 2);
    CHECK(f.bus.read(PhysAddr{0x5010}, 2) == 0x9090);
    f.mmu.write<u32>(LinearAddr{0x6000}, 1, Priv::Supervisor);  // not code: no report
    CHECK(hits.size() == 1);
    f.mmu.unprotect_code_page(PhysAddr{0x5000});
    f.mmu.write<u16>(LinearAddr{0x5010}, 0x1234, Priv::Supervisor);
    CHECK(hits.size() == 1);
}

TEST_CASE("Instruction fetch translation gives the physical address and host bytes", "[mmu]") {
    Fixture f;
    f.bus.write(PhysAddr{0x7000}, 0xF4, 1);
    CodeTranslation t = f.mmu.translate_code(LinearAddr{0x7000}, Priv::Supervisor);
    CHECK(t.phys == PhysAddr{0x7000});
    REQUIRE(t.host != nullptr);
    CHECK(*t.host == 0xF4);
    t = f.mmu.translate_code(LinearAddr{0x7001}, Priv::Supervisor);  // now a fast hit
    CHECK(t.phys == PhysAddr{0x7001});
}

TEST_CASE("Paging on with an empty page directory faults instead of passing through", "[mmu]") {
    Fixture f;
    f.mmu.write_cr3(0x10000);  // zeroed RAM: every PDE not present
    f.mmu.write_cr0(cr0::kPE | cr0::kPG);
    CHECK_THROWS_AS(f.mmu.read<u32>(LinearAddr{0x1000}, Priv::Supervisor), GuestFault);
    CHECK(f.cr.cr2 == 0x1000);
}
