// Read-modify-write through one front lookup (Mmu::modify) against the two-access
// sequence it replaces (read_for_write, then write): the same memory, A/D bits, TLB
// statistics and cycles in every case, and a write fault before any change.
#include <catch2/catch.hpp>

#include <functional>

#include "paging_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {

// One machine with a writable page, a page clean in its PTE, a read-only page and two
// adjacent writable pages for crossing accesses.
struct RmwMachine {
    MmuFixture f;
    TwoLevelTables t{f.bus, f.alloc};
    RmwMachine() {
        t.map_4k(0x00800000, 0x00900000, P | RW | A | D);
        t.map_4k(0x00801000, 0x00901000, P | RW);  // clean: the first store walks again
        t.map_4k(0x00802000, 0x00902000, P | A);    // read-only
        t.map_4k(0x00803000, 0x00903000, P | RW | A | D);
        t.map_4k(0x00804000, 0x00904000, P | RW);
        f.enable_two_level(t.cr3(), 0, cr0::kWP);
        for (u32 i = 0; i < 0x5000; i += 4) f.bus.write(PhysAddr{0x00900000 + i}, 0x01010101u * (i & 0xFF), 4);
    }
};

template <typename T>
void rmw_two_lookups(Mmu& m, u32 lin) {
    const T v = m.read_for_write<T>(LinearAddr{lin}, Priv::Supervisor);
    m.write<T>(LinearAddr{lin}, static_cast<T>(v * 3 + 1), Priv::Supervisor);
}

template <typename T>
void rmw_one_lookup(Mmu& m, u32 lin) {
    m.modify<T>(LinearAddr{lin}, Priv::Supervisor, [](T v) { return static_cast<T>(v * 3 + 1); });
}

void check_same(RmwMachine& a, RmwMachine& b) {
    for (u32 i = 0; i < 0x5000; i += 4) REQUIRE(a.f.bus.read(PhysAddr{0x00900000 + i}, 4) == b.f.bus.read(PhysAddr{0x00900000 + i}, 4));
    for (u32 p = 0; p < 5; ++p) {
        const u32 lin = 0x00800000 + p * 0x1000;
        REQUIRE(a.t.read(a.t.pte_addr(lin)) == b.t.read(b.t.pte_addr(lin)));
    }
    const TlbStats& x = a.f.mmu.stats().dtlb;
    const TlbStats& y = b.f.mmu.stats().dtlb;
    CHECK(x.lookups == y.lookups);
    CHECK(x.hits == y.hits);
    CHECK(x.misses == y.misses);
    CHECK(x.walks == y.walks);
    CHECK(x.walk_memory_accesses == y.walk_memory_accesses);
    CHECK(a.f.mmu.stats().page_faults == b.f.mmu.stats().page_faults);
    CHECK(a.f.cycles == b.f.cycles);
    CHECK(a.f.cr.cr2 == b.f.cr.cr2);
}

}  // namespace

TEST_CASE("modify matches read_for_write + write: front hits, clean pages, page crossings", "[mmu][rmw]") {
    RmwMachine a, b;
    const std::vector<std::pair<u32, unsigned>> ops = {
        {0x00800010, 4}, {0x00800010, 4},  // cold, then a front hit
        {0x00800FFF, 1}, {0x00800FFE, 2},  // last bytes of the page
        {0x00801020, 4}, {0x00801020, 2},  // PTE clean: the first RMW walks again for D
        {0x00803FFE, 4}, {0x00803FFD, 4},  // crossing into the clean page 0x804
        {0x00804008, 4}, {0x00800010, 1},
    };
    for (auto [lin, size] : ops) {
        INFO("lin " << std::hex << lin << " size " << size);
        switch (size) {
            case 1: rmw_two_lookups<u8>(a.f.mmu, lin), rmw_one_lookup<u8>(b.f.mmu, lin); break;
            case 2: rmw_two_lookups<u16>(a.f.mmu, lin), rmw_one_lookup<u16>(b.f.mmu, lin); break;
            default: rmw_two_lookups<u32>(a.f.mmu, lin), rmw_one_lookup<u32>(b.f.mmu, lin); break;
        }
        check_same(a, b);
    }
    CHECK(b.f.mmu.stats().dtlb.hits > 0);  // the fast path was exercised
    CHECK(b.f.bus.read(PhysAddr{0x00900010}, 4) != 0x01010101u * 0x10);
}

TEST_CASE("modify on a read-only page faults before op runs or memory changes", "[mmu][rmw]") {
    for (const bool warm : {false, true}) {
        RmwMachine m;
        if (warm) m.f.mmu.read<u32>(LinearAddr{0x00802010}, Priv::Supervisor);  // the TLB and front hold it for reads
        const u32 before = static_cast<u32>(m.f.bus.read(PhysAddr{0x00902010}, 4));
        bool op_ran = false;
        const auto fault = fault_of([&] {
            m.f.mmu.modify<u32>(LinearAddr{0x00802010}, Priv::Supervisor, [&](u32 v) {
                op_ran = true;
                return v + 1;
            });
        });
        REQUIRE(fault.has_value());
        CHECK(fault->vector == Vector::PF);
        CHECK(fault->error_code == (pf_error::kPresent | pf_error::kWrite));
        CHECK(m.f.cr.cr2 == 0x00802010);
        CHECK_FALSE(op_ran);
        CHECK(m.f.bus.read(PhysAddr{0x00902010}, 4) == before);
        CHECK_FALSE(m.t.read(m.t.pte_addr(0x00802000)) & D);
    }
    // Crossing from a writable page into the read-only one: nothing stored in either.
    RmwMachine m;
    const u64 before = m.f.bus.read(PhysAddr{0x00901FFE}, 4);
    const auto fault = fault_of([&] { m.f.mmu.modify<u32>(LinearAddr{0x00801FFE}, Priv::Supervisor, [](u32 v) { return v + 1; }); });
    REQUIRE(fault.has_value());
    CHECK(m.f.cr.cr2 == 0x00802000);
    CHECK(m.f.bus.read(PhysAddr{0x00901FFE}, 4) == before);
}
