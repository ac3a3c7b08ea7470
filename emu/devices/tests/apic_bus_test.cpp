// The APIC bus between several local APICs (-smp N): every destination form of
// the ICR, lowest-priority arbitration, NMI, INIT and SIPI.
#include <catch2/catch.hpp>

#include <memory>

#include "device_fixture.hpp"
#include "devices/lapic.hpp"

using namespace hm;
using namespace hm::lapic_reg;
using hm::test::DeviceFixture;

namespace {

struct ThreeApics : DeviceFixture {
    ApicBus apic_bus;
    std::vector<std::unique_ptr<Lapic>> apics;
    unsigned nmis[3] = {}, inits[3] = {};
    int sipi[3] = {-1, -1, -1};
    ThreeApics() {
        for (unsigned i = 0; i < 3; ++i) {
            apics.push_back(std::make_unique<Lapic>(clock, events, apic_bus, static_cast<u8>(i), i == 0));
            Lapic& a = *apics.back();
            a.on_nmi = [this, i] { ++nmis[i]; };
            a.on_init = [this, i] { ++inits[i]; };
            a.on_startup = [this, i](u8 v) { sipi[i] = v; };
            wr(i, kSvr, 0x1FF);
        }
    }
    u32 rd(unsigned cpu, u32 reg) { return static_cast<u32>(apics[cpu]->mmio_read(reg, 4)); }
    void wr(unsigned cpu, u32 reg, u32 v) { apics[cpu]->mmio_write(reg, v, 4); }
    void ipi(unsigned from, u32 dest, u32 icr_low) {
        wr(from, kIcrHigh, dest << 24);
        wr(from, kIcrLow, icr_low);
    }
    bool irr_has(unsigned cpu, u8 v) { return rd(cpu, kIrr + 0x10 * (v >> 5)) & (1u << (v & 31)); }
    // Which APICs hold vector v in IRR, as a bit mask.
    unsigned holders(u8 v) {
        unsigned m = 0;
        for (unsigned i = 0; i < 3; ++i) m |= irr_has(i, v) ? 1u << i : 0;
        return m;
    }
};

}  // namespace

TEST_CASE("APIC bus: physical destinations and the shorthands reach exactly the addressed APICs", "[apic-bus]") {
    ThreeApics f;
    f.ipi(0, 2, 0x4040);  // fixed, physical, APIC 2
    CHECK(f.holders(0x40) == 0b100);
    f.ipi(1, 0, 0x4041);  // to APIC 0 (the BSP)
    CHECK(f.holders(0x41) == 0b001);
    f.ipi(0, 0xFF, 0x4042);  // physical broadcast
    CHECK(f.holders(0x42) == 0b111);
    f.ipi(1, 0, (1u << 18) | 0x43);  // self, from APIC 1 (the destination field is ignored)
    CHECK(f.holders(0x43) == 0b010);
    f.ipi(2, 0, (2u << 18) | 0x44);  // all including self
    CHECK(f.holders(0x44) == 0b111);
    f.ipi(0, 0, (3u << 18) | 0x45);  // all excluding self
    CHECK(f.holders(0x45) == 0b110);
    f.ipi(0, 5, 0x4046);  // an APIC ID no CPU has: dropped
    CHECK(f.holders(0x46) == 0);
    CHECK(f.apics[0]->stats().ipis_dropped == 1);
}

TEST_CASE("APIC bus: logical flat and cluster destinations", "[apic-bus]") {
    ThreeApics f;
    for (unsigned i = 0; i < 3; ++i) f.wr(i, kLdr, (1u << i) << 24);
    f.ipi(1, 0x05, (1u << 11) | 0x50);  // MDA 0b101: APICs 0 and 2
    CHECK(f.holders(0x50) == 0b101);
    f.ipi(1, 0x02, (1u << 11) | 0x51);
    CHECK(f.holders(0x51) == 0b010);
    // Cluster model: APIC 1 in cluster 2 member 1, APIC 2 in cluster 2 member 2.
    for (unsigned i = 0; i < 3; ++i) f.wr(i, kDfr, 0x0FFFFFFF);
    f.wr(0, kLdr, 0x11u << 24);
    f.wr(1, kLdr, 0x21u << 24);
    f.wr(2, kLdr, 0x22u << 24);
    f.ipi(0, 0x23, (1u << 11) | 0x52);  // cluster 2, members 1 and 2
    CHECK(f.holders(0x52) == 0b110);
    f.ipi(0, 0xF1, (1u << 11) | 0x53);  // every cluster, member 1
    CHECK(f.holders(0x53) == 0b011);
}

TEST_CASE("APIC bus: lowest priority goes to the lowest arbitration priority, ties to the lowest APIC ID",
          "[apic-bus]") {
    ThreeApics f;
    f.wr(0, kTpr, 0x20);
    f.wr(1, kTpr, 0x10);
    f.wr(2, kTpr, 0x10);
    f.ipi(0, 0xFF, 0x4160);  // lowest priority, physical broadcast
    CHECK(f.holders(0x60) == 0b010);
    f.wr(1, kTpr, 0x30);
    f.ipi(0, 0, (2u << 18) | 0x161);  // all including self
    CHECK(f.holders(0x61) == 0b100);
    CHECK(f.apics[0]->stats().ipis_sent == 2);
}

TEST_CASE("APIC bus: NMI, INIT (assert only) and SIPI reach the addressed CPU", "[apic-bus]") {
    ThreeApics f;
    f.ipi(0, 1, 0x4400);  // NMI to APIC 1
    CHECK(f.nmis[0] == 0);
    CHECK(f.nmis[1] == 1);
    CHECK(f.nmis[2] == 0);
    f.wr(2, kTpr, 0x70);
    f.wr(2, kLdr, 0x04000000);
    f.ipi(0, 2, 0x4500);  // INIT assert to APIC 2: its APIC is reset but keeps its ID
    CHECK(f.inits[2] == 1);
    CHECK(f.inits[1] == 0);
    CHECK(f.rd(2, kTpr) == 0);
    CHECK(f.rd(2, kLdr) == 0);
    CHECK(f.rd(2, kSvr) == 0xFF);  // software-disabled again
    CHECK(f.rd(2, kId) == 2u << 24);
    f.ipi(0, 2, 0x8500);  // INIT level de-assert: nothing happens
    CHECK(f.inits[2] == 1);
    f.ipi(0, 0, (3u << 18) | 0x4608);  // SIPI vector 8 to all excluding self
    CHECK(f.sipi[0] == -1);
    CHECK(f.sipi[1] == 0x08);
    CHECK(f.sipi[2] == 0x08);
    CHECK(f.apics[2]->stats().sipis_received == 1);
}
