// The local APIC (emu/devices/lapic.cpp) driven through its MMIO page: every
// register, priority classes, EOI, IPIs, the timer on exact cycles, LINT0/LINT1.
#include <catch2/catch.hpp>

#include "device_fixture.hpp"
#include "devices/lapic.hpp"

using namespace hm;
using namespace hm::lapic_reg;
using hm::test::DeviceFixture;

namespace {

struct LapicFixture : DeviceFixture {
    ApicBus apic_bus;
    Lapic apic{clock, events, apic_bus, 0, true};
    bool intr = false;
    unsigned nmis = 0, pic_acks = 0;
    std::vector<u8> eois;
    LapicFixture() {
        bus.attach_mmio(PhysAddr{Lapic::kDefaultBase}, Lapic::kSize, apic, "lapic");
        apic.on_intr = [this](bool l) { intr = l; };
        apic.on_nmi = [this] { ++nmis; };
        apic.pic_acknowledge = [this] {
            ++pic_acks;
            return u8{0x08};
        };
        apic_bus.on_eoi([this](u8 v) { eois.push_back(v); });
    }
    u32 rd(u32 reg) { return static_cast<u32>(bus.read(PhysAddr{Lapic::kDefaultBase + reg}, 4)); }
    void wr(u32 reg, u32 v) { bus.write(PhysAddr{Lapic::kDefaultBase + reg}, v, 4); }
    void enable() { wr(kSvr, 0x1FF); }
    void self_ipi(u8 vector, bool level = false) { wr(kIcrLow, (1u << 18) | (level ? 1u << 15 : 0) | vector); }
    bool irr_has(u8 v) { return rd(kIrr + 0x10 * (v >> 5)) & (1u << (v & 31)); }
    bool isr_has(u8 v) { return rd(kIsr + 0x10 * (v >> 5)) & (1u << (v & 31)); }
    u32 esr() {
        wr(kEsr, 0);
        return rd(kEsr);
    }
};

}  // namespace

TEST_CASE("LAPIC power-on registers: ID, version, SVR, masked LVTs but the BSP's ExtINT LINT0", "[lapic]") {
    LapicFixture f;
    CHECK(f.rd(kId) == 0);
    CHECK(f.rd(kVersion) == 0x00040014u);
    CHECK(f.rd(kSvr) == 0xFFu);
    CHECK(f.rd(kTpr) == 0);
    CHECK(f.rd(kDfr) == 0xFFFFFFFFu);
    CHECK(f.rd(kLvtTimer) == 0x10000u);
    CHECK(f.rd(kLvtLint0) == 0x700u);
    CHECK(f.rd(kLvtLint1) == 0x10000u);
    CHECK(f.rd(kLvtError) == 0x10000u);
    ApicBus other;
    Lapic ap{f.clock, f.events, other, 5, false};
    CHECK(ap.mmio_read(kId, 4) == 5u << 24);
    CHECK(ap.mmio_read(kLvtLint0, 4) == 0x10000u);  // an AP's LINT0 is masked
}

TEST_CASE("LAPIC: a software-disabled APIC forces the LVT masks", "[lapic]") {
    LapicFixture f;
    f.wr(kLvtTimer, 0x40);
    CHECK(f.rd(kLvtTimer) == 0x10040u);
    f.enable();
    f.wr(kLvtTimer, 0x40);
    CHECK(f.rd(kLvtTimer) == 0x40u);
    f.wr(kSvr, 0xFF);
    CHECK(f.rd(kLvtTimer) == 0x10040u);
    CHECK(f.rd(kLvtLint0) == 0x10700u);
}

TEST_CASE("LAPIC: IRR/ISR with priority classes, TPR masking, PPR, APR and EOI", "[lapic]") {
    LapicFixture f;
    f.enable();
    f.self_ipi(0x41);
    CHECK(f.irr_has(0x41));
    CHECK(f.intr);
    f.wr(kTpr, 0x40);  // same class as 0x41: masked
    CHECK_FALSE(f.intr);
    CHECK(f.rd(kPpr) == 0x40u);
    f.wr(kTpr, 0x3F);
    CHECK(f.intr);
    f.wr(kTpr, 0);
    f.self_ipi(0x92);
    CHECK(f.apic.acknowledge() == 0x92);  // the higher class first
    CHECK(f.isr_has(0x92));
    CHECK_FALSE(f.irr_has(0x92));
    CHECK(f.rd(kPpr) == 0x90u);
    CHECK_FALSE(f.intr);  // 0x41 waits behind the in-service 0x92
    f.self_ipi(0x95);     // same class as the in-service one: also waits
    CHECK_FALSE(f.intr);
    f.self_ipi(0xA0);
    CHECK(f.intr);
    CHECK(f.apic.acknowledge() == 0xA0);
    CHECK(f.rd(kPpr) == 0xA0u);
    f.wr(kEoi, 0);  // ends 0xA0, the highest in service
    CHECK_FALSE(f.isr_has(0xA0));
    CHECK(f.isr_has(0x92));
    CHECK(f.rd(kPpr) == 0x90u);
    f.wr(kEoi, 0);
    CHECK(f.rd(kPpr) == 0);
    CHECK(f.apic.acknowledge() == 0x95);
    f.wr(kEoi, 0);
    CHECK(f.apic.acknowledge() == 0x41);
    f.wr(kEoi, 0);
    CHECK(f.eois.empty());  // edge-triggered: no EOI broadcast
    // APR (SDM 10.6.2.4): TPR while it is the highest of the three classes.
    f.wr(kTpr, 0x57);
    CHECK(f.rd(kApr) == 0x57u);
    f.self_ipi(0x80);
    CHECK(f.rd(kApr) == 0x80u);
}

TEST_CASE("LAPIC: the spurious vector answers an INTA with nothing deliverable", "[lapic]") {
    LapicFixture f;
    f.wr(kSvr, 0x1E7);
    f.self_ipi(0x50);
    f.wr(kTpr, 0xF0);  // raised between INTR and INTA
    CHECK(f.apic.acknowledge() == 0xE7);
    CHECK(f.apic.stats().spurious == 1);
    CHECK(f.irr_has(0x50));  // still pending
    CHECK(f.rd(kIsr + 0x20) == 0);
}

TEST_CASE("LAPIC: level-triggered vectors set TMR and broadcast their EOI", "[lapic]") {
    LapicFixture f;
    f.enable();
    f.self_ipi(0x61, true);
    CHECK(f.rd(kTmr + 0x30) == 1u << 1);
    CHECK(f.apic.acknowledge() == 0x61);
    f.wr(kEoi, 0);
    REQUIRE(f.eois.size() == 1);
    CHECK(f.eois[0] == 0x61);
}

TEST_CASE("LAPIC: ICR destinations, shorthands, delivery status, INIT/SIPI to absent CPUs", "[lapic]") {
    LapicFixture f;
    f.enable();
    f.wr(kIcrHigh, 0x00FFFFFF);
    CHECK(f.rd(kIcrHigh) == 0);  // only the destination field
    f.wr(kIcrLow, 0x4031);        // fixed, physical, to APIC 0
    CHECK(f.irr_has(0x31));
    CHECK((f.rd(kIcrLow) & (1u << 12)) == 0);  // delivery status: idle
    f.wr(kIcrHigh, 1u << 24);
    f.wr(kIcrLow, 0x4032);  // to APIC 1: nobody
    CHECK_FALSE(f.irr_has(0x32));
    CHECK(f.apic.stats().ipis_dropped == 1);
    f.wr(kIcrHigh, 0xFFu << 24);
    f.wr(kIcrLow, 0x4033);  // physical broadcast
    CHECK(f.irr_has(0x33));
    f.wr(kIcrLow, (3u << 18) | 0x34);  // all excluding self
    CHECK_FALSE(f.irr_has(0x34));
    f.wr(kIcrLow, (2u << 18) | 0x35);  // all including self
    CHECK(f.irr_has(0x35));
    // Logical flat: LDR bit 1 matches MDA 0x02 but not 0x04.
    f.wr(kLdr, 0x02000000);
    f.wr(kIcrHigh, 0x02u << 24);
    f.wr(kIcrLow, (1u << 11) | 0x36);
    CHECK(f.irr_has(0x36));
    f.wr(kIcrHigh, 0x04u << 24);
    f.wr(kIcrLow, (1u << 11) | 0x37);
    CHECK_FALSE(f.irr_has(0x37));
    // Logical cluster: cluster 1, member bit 0.
    f.wr(kDfr, 0x0FFFFFFF);
    CHECK(f.rd(kDfr) == 0x0FFFFFFFu);
    f.wr(kLdr, 0x11000000);
    f.wr(kIcrHigh, 0x11u << 24);
    f.wr(kIcrLow, (1u << 11) | 0x38);
    CHECK(f.irr_has(0x38));
    f.wr(kIcrHigh, 0x21u << 24);
    f.wr(kIcrLow, (1u << 11) | 0x39);
    CHECK_FALSE(f.irr_has(0x39));
    // Lowest priority to ourselves.
    f.wr(kIcrHigh, 0);
    f.wr(kIcrLow, 0x4100 | 0x3A);
    CHECK(f.irr_has(0x3A));
    // The AP start-up sequence of an SMP OS: INIT, then SIPI, to every other CPU (there is none).
    const u64 dropped = f.apic.stats().ipis_dropped;
    f.wr(kIcrLow, 0x000C4500);
    f.wr(kIcrLow, 0x000C4608);
    f.wr(kIcrHigh, 1u << 24);
    f.wr(kIcrLow, 0x00004500);
    CHECK(f.apic.stats().ipis_dropped == dropped + 3);
    // An NMI IPI to self reaches the CPU's NMI.
    f.wr(kIcrLow, (1u << 18) | 0x400);
    CHECK(f.nmis == 1);
}

TEST_CASE("LAPIC: ESR latches errors on write, illegal vectors and registers", "[lapic]") {
    LapicFixture f;
    f.enable();
    f.self_ipi(0x05);  // vectors 0-15 are illegal
    CHECK_FALSE(f.irr_has(0x05));
    CHECK(f.rd(kEsr) == 0);  // not latched until the ESR is written
    CHECK(f.esr() == lapic_bit::kEsrSendIllegalVector);
    CHECK(f.esr() == 0);
    f.rd(0x40);  // reserved
    CHECK(f.esr() == lapic_bit::kEsrIllegalRegister);
    // The LVT error entry turns errors into an interrupt.
    f.wr(kLvtError, 0xEE);
    f.wr(0x330, 1);  // no thermal LVT on this model: reserved
    CHECK(f.irr_has(0xEE));
    // A timer with an illegal vector: receive illegal vector.
    f.wr(kLvtTimer, 0x03);
    f.wr(kTimerDivide, 0xB);  // divide by 1
    f.wr(kTimerInitial, 10);
    f.advance(20);
    CHECK(f.esr() == (lapic_bit::kEsrIllegalRegister | lapic_bit::kEsrReceiveIllegalVector));
}

TEST_CASE("LAPIC timer: one-shot count and interrupt on exact cycles, each divide", "[lapic][timer]") {
    const u32 dcr[] = {0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xA, 0xB};
    const u32 div[] = {2, 4, 8, 16, 32, 64, 128, 1};
    for (int k = 0; k < 8; ++k) {
        LapicFixture f;
        f.enable();
        f.advance(777);
        f.wr(kTimerDivide, dcr[k]);
        CHECK(f.rd(kTimerDivide) == dcr[k]);
        f.wr(kLvtTimer, 0x40);
        const u64 start = f.cycles;
        f.wr(kTimerInitial, 1000);
        CHECK(f.rd(kTimerInitial) == 1000u);
        CHECK(f.rd(kTimerCurrent) == 1000u);
        f.advance(div[k] * 250 + div[k] - 1);
        CHECK(f.rd(kTimerCurrent) == 750u);
        CHECK(f.events.next_deadline() == start + u64{1000} * div[k]);
        f.advance_to(start + u64{1000} * div[k] - 1);
        CHECK_FALSE(f.irr_has(0x40));
        f.advance(1);
        CHECK(f.irr_has(0x40));
        CHECK(f.rd(kTimerCurrent) == 0);
        f.advance(100000);
        CHECK(f.apic.stats().timer_fired == 1);  // once
    }
}

TEST_CASE("LAPIC timer: periodic reloads without drift, masked counts on silently", "[lapic][timer]") {
    LapicFixture f;
    f.enable();
    f.wr(kTimerDivide, 0xB);
    f.wr(kLvtTimer, 0x20000 | 0x41);
    f.wr(kTimerInitial, 100);
    for (int n = 1; n <= 5; ++n) {
        f.advance(100);
        CHECK(f.apic.stats().timer_fired == static_cast<u64>(n));
        CHECK(f.rd(kTimerCurrent) == 100u);  // just reloaded
        CHECK(f.apic.acknowledge() == 0x41);
        f.wr(kEoi, 0);
    }
    f.advance(30);
    CHECK(f.rd(kTimerCurrent) == 70u);
    f.wr(kLvtTimer, 0x30041);  // masked: no interrupts, no armed event
    CHECK_FALSE(f.events.armed(0));
    f.advance(1000);
    CHECK(f.apic.stats().timer_fired == 5);
    CHECK(f.rd(kTimerCurrent) == 70u);  // still counting, on the same schedule
    f.wr(kLvtTimer, 0x20041);
    f.advance(69);
    CHECK(f.apic.stats().timer_fired == 5);
    f.advance(1);
    CHECK(f.apic.stats().timer_fired == 6);
    f.wr(kTimerInitial, 0);  // stops
    CHECK(f.rd(kTimerCurrent) == 0);
    f.advance(1000);
    CHECK(f.apic.stats().timer_fired == 6);
}

TEST_CASE("LAPIC timer: a divide change keeps the count and applies the new rate", "[lapic][timer]") {
    LapicFixture f;
    f.enable();
    f.wr(kTimerDivide, 0xB);
    f.wr(kLvtTimer, 0x42);
    f.wr(kTimerInitial, 1000);
    f.advance(400);
    f.wr(kTimerDivide, 0x0);  // divide by 2
    CHECK(f.rd(kTimerCurrent) == 600u);
    f.advance(1199);
    CHECK_FALSE(f.irr_has(0x42));
    f.advance(1);
    CHECK(f.irr_has(0x42));
}

TEST_CASE("LAPIC LINT0 ExtINT: the PIC's INT reaches INTR, INTA asks the PIC", "[lapic]") {
    LapicFixture f;
    f.apic.set_lint0(true);  // the BSP's power-on LINT0 is ExtINT, unmasked
    CHECK(f.intr);
    CHECK(f.apic.acknowledge() == 0x08);
    CHECK(f.pic_acks == 1);
    f.apic.set_lint0(false);
    CHECK_FALSE(f.intr);
    f.enable();
    f.wr(kLvtLint0, 0x10700);  // masked: the PIC is cut off
    CHECK_FALSE(f.apic.extint_passes());
    f.apic.set_lint0(true);
    CHECK_FALSE(f.intr);
    f.wr(kLvtLint0, 0x8700);
    CHECK(f.intr);
    // An APIC vector of a class above PPR goes first; then the PIC's.
    f.self_ipi(0x70);
    CHECK(f.apic.acknowledge() == 0x70);
    CHECK(f.apic.acknowledge() == 0x08);
    CHECK(f.pic_acks == 2);
}

TEST_CASE("LAPIC LINT1 NMI, hardware-disabled APIC passes LINT0/LINT1 straight through", "[lapic]") {
    LapicFixture f;
    f.enable();
    f.wr(kLvtLint1, 0x400);
    f.apic.set_lint1(true);
    CHECK(f.nmis == 1);
    f.apic.set_lint1(false);
    f.wr(kLvtLint1, 0x10400);
    f.apic.set_lint1(true);
    CHECK(f.nmis == 1);  // masked
    f.apic.set_lint1(false);
    f.wr(kTpr, 0x20);
    f.apic.set_hw_enabled(false);
    f.apic.set_lint1(true);
    CHECK(f.nmis == 2);
    f.apic.set_lint0(true);
    CHECK(f.intr);
    CHECK(f.apic.acknowledge() == 0x08);
    f.apic.set_hw_enabled(true);  // back as after power-up
    CHECK(f.rd(kTpr) == 0);
    CHECK(f.rd(kSvr) == 0xFFu);
}

TEST_CASE("LAPIC registers: ID, LDR, DFR, SVR writable bits, narrow accesses", "[lapic]") {
    LapicFixture f;
    f.wr(kId, 0x07ABCDEF);
    CHECK(f.rd(kId) == 0x07000000u);
    f.wr(kLdr, 0xFFFFFFFF);
    CHECK(f.rd(kLdr) == 0xFF000000u);
    f.wr(kSvr, 0xFFFFFFFF);
    CHECK(f.rd(kSvr) == 0x3FFu);
    f.wr(kTpr, 0x1FF);
    CHECK(f.rd(kTpr) == 0xFFu);
    CHECK(f.bus.read(PhysAddr{Lapic::kDefaultBase + kSvr + 1}, 1) == 3u);  // byte reads see part of a register
    f.bus.write(PhysAddr{Lapic::kDefaultBase + kTpr}, 0x10, 1);              // narrow writes are dropped
    CHECK(f.rd(kTpr) == 0xFFu);
    f.wr(kVersion, 0);
    CHECK(f.rd(kVersion) == 0x00040014u);  // read-only
}
