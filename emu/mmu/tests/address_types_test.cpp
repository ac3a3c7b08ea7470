// LinearAddr and PhysAddr never mix (docs/ARCHITECTURE.md): checked at compile
// time on the types themselves and on the signatures that take or produce them.
// The requires-expressions ask whether a call would compile, so a signature that
// went back to a raw integer (or took the other address type) fails the build.
#include <catch2/catch.hpp>

#include <optional>
#include <type_traits>
#include <utility>

#include "mem/bus.hpp"
#include "mem/phys_memory.hpp"
#include "mmu/mmu.hpp"

using namespace hm;

namespace {

// ---- the types ----
static_assert(!std::is_convertible_v<LinearAddr, PhysAddr> && !std::is_convertible_v<PhysAddr, LinearAddr>);
static_assert(!std::is_constructible_v<LinearAddr, PhysAddr> && !std::is_constructible_v<PhysAddr, LinearAddr>);
static_assert(!std::is_convertible_v<u32, LinearAddr> && !std::is_convertible_v<u64, PhysAddr>);
static_assert(!std::is_convertible_v<u32, PhysAddr> && !std::is_convertible_v<int, LinearAddr>);
static_assert(!std::is_convertible_v<LinearAddr, u32> && !std::is_convertible_v<PhysAddr, u64>);
static_assert(std::is_constructible_v<LinearAddr, u32> && std::is_constructible_v<PhysAddr, u64>);  // explicitly
// Zero cost: one integer, trivially copyable, so it travels in a register.
static_assert(std::is_trivially_copyable_v<LinearAddr> && sizeof(LinearAddr) == sizeof(u32));
static_assert(std::is_trivially_copyable_v<PhysAddr> && sizeof(PhysAddr) == sizeof(u64));
static_assert(alignof(LinearAddr) == alignof(u32) && alignof(PhysAddr) == alignof(u64));

// ---- physical memory and the bus take PhysAddr ----
template <class A> constexpr bool ram_host = requires(const PhysicalMemory& m, A a) { m.host(a); };
template <class A> constexpr bool bus_reads = requires(Bus& b, A a) { b.read(a, 4u); };
template <class A> constexpr bool bus_writes = requires(Bus& b, A a) { b.write(a, u64{0}, 4u); };
template <class A> constexpr bool bus_copies = requires(Bus& b, A a, u8* p) { b.read_bytes(a, p, 1); };
template <class A> constexpr bool bus_page_host = requires(const Bus& b, A a) { b.page_host(a); };
template <class A> constexpr bool bus_maps = requires(Bus& b, A a, MmioDevice& d) { b.attach_mmio(a, 4096, d, ""); };
template <template <class> class Ok>
constexpr bool phys_only() {
    return Ok<PhysAddr>::value && !Ok<LinearAddr>::value && !Ok<u64>::value && !Ok<u32>::value && !Ok<int>::value;
}
template <class A> struct RamHost : std::bool_constant<ram_host<A>> {};
template <class A> struct BusReads : std::bool_constant<bus_reads<A>> {};
template <class A> struct BusWrites : std::bool_constant<bus_writes<A>> {};
template <class A> struct BusCopies : std::bool_constant<bus_copies<A>> {};
template <class A> struct BusPageHost : std::bool_constant<bus_page_host<A>> {};
template <class A> struct BusMaps : std::bool_constant<bus_maps<A>> {};
static_assert(phys_only<RamHost>() && phys_only<BusReads>() && phys_only<BusWrites>());
static_assert(phys_only<BusCopies>() && phys_only<BusPageHost>() && phys_only<BusMaps>());

// ---- the MMU takes LinearAddr and produces PhysAddr ----
template <class A> constexpr bool mmu_reads = requires(Mmu& m, A a) { m.template read<u32>(a, Priv::User); };
template <class A> constexpr bool mmu_writes = requires(Mmu& m, A a) { m.template write<u32>(a, 0u, Priv::User); };
template <class A> constexpr bool mmu_rmw = requires(Mmu& m, A a) { m.template read_for_write<u32>(a, Priv::User); };
template <class A> constexpr bool mmu_fetches = requires(Mmu& m, A a) { m.translate_code(a, Priv::User); };
template <class A> constexpr bool mmu_walks = requires(const Mmu& m, A a) { m.walk(a, Access::Read, Priv::User); };
template <class A> constexpr bool mmu_probes = requires(const Mmu& m, A a) { m.probe(a, Access::Read, Priv::User); };
template <class A> constexpr bool mmu_invlpg = requires(Mmu& m, A a) { m.invlpg(a); };
template <class A> constexpr bool mmu_probe_tlb = requires(const Mmu& m, A a) { m.probe_tlb(a); };
template <class A> constexpr bool walker = requires(const PagingState& s, A a, Bus& b) { walk_page_tables(s, a, Access::Read, Priv::User, b); };
template <class A> constexpr bool mmu_protects = requires(Mmu& m, A a) { m.protect_code_page(a); };
// The call-free front-hit halves (operands of MOV/ALU) and bulk REP's page lookups.
template <class A> constexpr bool mmu_try_reads = requires(Mmu& m, A a, u32& v) { m.template try_read<u32>(a, Priv::User, v); };
template <class A> constexpr bool mmu_try_writes = requires(Mmu& m, A a) { m.template try_write<u32>(a, 0u, Priv::User); };
template <class A> constexpr bool mmu_front_pages = requires(const Mmu& m, A a) {
    m.front_read_page(a, Priv::User);
    m.front_write_page(a, Priv::User);
};
template <template <class> class Ok>
constexpr bool linear_only() {
    return Ok<LinearAddr>::value && !Ok<PhysAddr>::value && !Ok<u32>::value && !Ok<u64>::value && !Ok<int>::value;
}
template <class A> struct MmuReads : std::bool_constant<mmu_reads<A>> {};
template <class A> struct MmuWrites : std::bool_constant<mmu_writes<A>> {};
template <class A> struct MmuRmw : std::bool_constant<mmu_rmw<A>> {};
template <class A> struct MmuFetches : std::bool_constant<mmu_fetches<A>> {};
template <class A> struct MmuWalks : std::bool_constant<mmu_walks<A>> {};
template <class A> struct MmuProbes : std::bool_constant<mmu_probes<A>> {};
template <class A> struct MmuInvlpg : std::bool_constant<mmu_invlpg<A>> {};
template <class A> struct MmuProbeTlb : std::bool_constant<mmu_probe_tlb<A>> {};
template <class A> struct Walker : std::bool_constant<walker<A>> {};
template <class A> struct MmuProtects : std::bool_constant<mmu_protects<A>> {};
template <class A> struct MmuTryReads : std::bool_constant<mmu_try_reads<A>> {};
template <class A> struct MmuTryWrites : std::bool_constant<mmu_try_writes<A>> {};
template <class A> struct MmuFrontPages : std::bool_constant<mmu_front_pages<A>> {};
static_assert(linear_only<MmuReads>() && linear_only<MmuWrites>() && linear_only<MmuRmw>());
static_assert(linear_only<MmuFetches>() && linear_only<MmuWalks>() && linear_only<MmuProbes>() && linear_only<MmuInvlpg>());
static_assert(linear_only<MmuProbeTlb>() && linear_only<Walker>() && phys_only<MmuProtects>());
static_assert(linear_only<MmuTryReads>() && linear_only<MmuTryWrites>() && linear_only<MmuFrontPages>());
static_assert(std::is_same_v<CodeWriteHook, void (*)(void*, PhysAddr, unsigned)>);
static_assert(std::is_same_v<decltype(std::declval<Mmu&>().translate_code(LinearAddr{}, Priv::User).phys), PhysAddr>);
static_assert(std::is_same_v<decltype(std::declval<const Mmu&>().probe(LinearAddr{}, Access::Read, Priv::User)),
                             std::optional<PhysAddr>>);
static_assert(std::is_same_v<decltype(std::declval<const Mmu&>().fetch_page_phys()), PhysAddr>);
static_assert(std::is_same_v<decltype(WalkResult::phys), PhysAddr> && std::is_same_v<decltype(WalkResult::frame), PhysAddr>);
static_assert(std::is_same_v<decltype(WalkResult::lin_base), LinearAddr>);

}  // namespace

TEST_CASE("Address arithmetic stays in its own space and wraps as the hardware's does", "[mmu][types]") {
    CHECK(LinearAddr{0xFFFFFFFFu} + 1 == LinearAddr{0});  // 32-bit linear space wraps
    CHECK(PhysAddr{0xFFFFFFFFu} + 1 == PhysAddr{u64{1} << 32});  // physical space does not (PAE)
    CHECK(LinearAddr{0x12345678}.page_base() == 0x12345000u);
    CHECK(PhysAddr{0x912345678}.page_number() == 0x912345u);
    CHECK(PhysAddr{0x912345678}.page_offset() == 0x678u);
    CHECK(LinearAddr{1} < LinearAddr{2});
}

TEST_CASE("A store through the MMU at a linear address lands at the physical address the bus reads",
          "[mmu][types]") {
    PhysicalMemory ram(4 * kMiB);
    Bus bus(ram);
    ControlRegs cr;
    u64 cycles = 0;
    Mmu mmu(bus, cr, cycles);  // paging off: physical = linear
    mmu.write<u32>(LinearAddr{0x2FFE}, 0xA1B2C3D4u, Priv::Supervisor);  // crosses into the next page
    CHECK(bus.read(PhysAddr{0x2FFE}, 4) == 0xA1B2C3D4u);
    CHECK(mmu.probe(LinearAddr{0x2FFE}, Access::Read, Priv::Supervisor) == PhysAddr{0x2FFE});
    const CodeTranslation t = mmu.translate_code(LinearAddr{0x3001}, Priv::Supervisor);
    CHECK(t.phys == PhysAddr{0x3001});
    REQUIRE(t.host != nullptr);
    CHECK(t.host == ram.host(PhysAddr{0x3001}));
    CHECK(*t.host == 0xA1);
}
