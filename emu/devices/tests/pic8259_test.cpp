#include <catch2/catch.hpp>

#include "device_fixture.hpp"
#include "devices/pic8259.hpp"

using namespace hm;
using hm::test::DeviceFixture;

namespace {
struct PicFixture : DeviceFixture {
    PicPair pic;
    bool intr = false;
    PicFixture() {
        bus.attach_io(0x20, 2, pic, "pic-master");
        bus.attach_io(0xA0, 2, pic, "pic-slave");
        bus.attach_io(0x4D0, 2, pic, "elcr");
        pic.on_intr = [this](bool l) { intr = l; };
    }
    // The sequence every PC kernel uses: master at `mbase`, slave at `sbase`.
    void init(u8 mbase = 0x20, u8 sbase = 0x28, u8 icw4 = 0x01) {
        out8(0x20, 0x11);
        out8(0xA0, 0x11);
        out8(0x21, mbase);
        out8(0xA1, sbase);
        out8(0x21, 0x04);  // slave on IR2
        out8(0xA1, 0x02);  // cascade identity 2
        out8(0x21, icw4);
        out8(0xA1, icw4);
        out8(0x21, 0x00);
        out8(0xA1, 0x00);
    }
    void edge(unsigned irq) {
        pic.set_irq(irq, true);
        pic.set_irq(irq, false);
    }
    void eoi_master() { out8(0x20, 0x20); }
    void eoi_slave() { out8(0xA0, 0x20); }
};
}  // namespace

TEST_CASE("An edge on IRQ 0 is delivered with the programmed vector and held in service", "[pic]") {
    PicFixture f;
    f.init();
    CHECK_FALSE(f.intr);
    f.edge(0);  // an edge request stays latched after the line drops
    CHECK(f.intr);
    CHECK(f.pic.acknowledge() == 0x20);
    CHECK_FALSE(f.intr);
    CHECK(f.pic.master().isr() == 0x01);
    f.edge(0);  // a second edge while IRQ 0 is in service waits for the EOI
    CHECK_FALSE(f.intr);
    f.eoi_master();
    CHECK(f.intr);
    CHECK(f.pic.acknowledge() == 0x20);
    f.eoi_master();
    CHECK(f.pic.master().isr() == 0);
    CHECK(f.pic.stats().acknowledged == 2);
}

TEST_CASE("Priority: lower IRQ numbers first, a higher request preempts a lower one in service", "[pic]") {
    PicFixture f;
    f.init();
    f.edge(3);
    f.edge(1);
    CHECK(f.pic.acknowledge() == 0x21);
    // IRQ 3 is lower priority than IRQ 1 in service: blocked.
    CHECK_FALSE(f.intr);
    f.edge(0);  // higher than IRQ 1: nests
    CHECK(f.intr);
    CHECK(f.pic.acknowledge() == 0x20);
    CHECK(f.pic.master().isr() == 0x03);
    f.eoi_master();  // non-specific EOI clears the highest in service (IRQ 0)
    CHECK(f.pic.master().isr() == 0x02);
    f.eoi_master();
    CHECK(f.pic.acknowledge() == 0x23);
}

TEST_CASE("The mask register holds requests back until unmasked", "[pic]") {
    PicFixture f;
    f.init();
    f.out8(0x21, 0xFE);  // only IRQ 0 enabled
    CHECK(f.in8(0x21) == 0xFE);
    f.edge(4);
    CHECK_FALSE(f.intr);
    CHECK(f.pic.master().irr() == 0x10);
    f.out8(0x21, 0xEE);
    CHECK(f.intr);
    CHECK(f.pic.acknowledge() == 0x24);
}

TEST_CASE("Slave IRQs cascade through the master's IR2", "[pic]") {
    PicFixture f;
    f.init(0x20, 0x70);
    f.edge(12);
    CHECK(f.intr);
    CHECK(f.pic.acknowledge() == 0x74);
    CHECK(f.pic.slave().isr() == 0x10);
    CHECK(f.pic.master().isr() == 0x04);
    f.edge(13);  // lower priority on the slave: blocked by IRQ 12 in service
    CHECK_FALSE(f.intr);
    f.eoi_slave();
    f.eoi_master();
    CHECK(f.intr);
    CHECK(f.pic.acknowledge() == 0x75);
}

TEST_CASE("Level-triggered inputs (ELCR) re-request while the line stays high", "[pic]") {
    PicFixture f;
    f.init();
    f.bus.io_write(0x4D1, 0x08, 1);          // IRQ 11 level-triggered
    CHECK(f.bus.io_read(0x4D1, 1) == 0x08);
    f.bus.io_write(0x4D0, 0x07, 1);          // IRQ 0-2 can never be level-triggered
    CHECK(f.bus.io_read(0x4D0, 1) == 0x00);
    f.pic.set_irq(11, true);
    CHECK(f.pic.acknowledge() == 0x2B);
    f.eoi_slave();
    f.eoi_master();
    CHECK(f.intr);  // still asserted: requests again
    f.pic.set_irq(11, false);
    CHECK(f.pic.slave().irr() == 0);  // the request follows the line...
    // ...but the master latched the cascade edge: the INTA finds nothing on the
    // slave and gets its spurious IRQ 15, as on real hardware.
    CHECK(f.pic.acknowledge() == 0x2F);
    CHECK(f.pic.slave().isr() == 0);
}

TEST_CASE("A request that vanishes before INTA is a spurious IRQ 7", "[pic]") {
    PicFixture f;
    f.init();
    f.bus.io_write(0x4D0, 0x20, 1);  // IRQ 5 level
    f.pic.set_irq(5, true);
    CHECK(f.intr);
    f.pic.set_irq(5, false);
    CHECK(f.pic.acknowledge() == 0x27);
    CHECK(f.pic.master().isr() == 0);  // a spurious IRQ 7 is not in service
    CHECK(f.pic.stats().spurious == 1);
}

TEST_CASE("Automatic EOI leaves nothing in service", "[pic]") {
    PicFixture f;
    f.init(0x20, 0x28, 0x03);
    f.edge(1);
    CHECK(f.pic.acknowledge() == 0x21);
    CHECK(f.pic.master().isr() == 0);
    f.edge(1);
    CHECK(f.intr);
}

TEST_CASE("OCW3 selects IRR or ISR and polls", "[pic]") {
    PicFixture f;
    f.init();
    f.edge(6);
    f.edge(2 + 1);
    f.out8(0x20, 0x0A);  // read IRR
    CHECK(f.in8(0x20) == 0x48);
    f.pic.acknowledge();
    f.out8(0x20, 0x0B);  // read ISR
    CHECK(f.in8(0x20) == 0x08);
    f.eoi_master();
    f.out8(0x20, 0x0C);  // poll: acknowledges IRQ 6 without INTA
    CHECK(f.in8(0x20) == 0x86);
    CHECK(f.pic.master().isr() == 0x40);
    f.out8(0x20, 0x0C);
    CHECK(f.in8(0x20) == 0x00);  // nothing pending
}

TEST_CASE("Specific EOI, rotation and set-priority reorder the levels", "[pic]") {
    PicFixture f;
    f.init();
    f.out8(0x20, 0xC0 | 2);  // set priority: IR2 lowest, so IR3 is highest
    f.edge(1);
    f.edge(3);
    CHECK(f.pic.acknowledge() == 0x23);
    f.out8(0x20, 0x60 | 3);  // specific EOI for IR3
    CHECK(f.pic.master().isr() == 0);
    CHECK(f.pic.acknowledge() == 0x21);
    f.out8(0x20, 0xA0);  // rotate on non-specific EOI: IR1 becomes lowest
    f.edge(1);
    f.edge(4);
    CHECK(f.pic.acknowledge() == 0x24);  // IR2 is now highest; IR4 beats IR1
}

TEST_CASE("Special mask mode lets lower levels through a masked level in service", "[pic]") {
    PicFixture f;
    f.init();
    f.edge(1);
    CHECK(f.pic.acknowledge() == 0x21);
    f.edge(5);
    CHECK_FALSE(f.intr);
    f.out8(0x21, 0x02);  // mask IR1 (in service)
    f.out8(0x20, 0x68);  // set special mask mode
    CHECK(f.intr);
    CHECK(f.pic.acknowledge() == 0x25);
    f.out8(0x20, 0x48);  // reset special mask mode
}

TEST_CASE("ICW1 resets masks and edge detection", "[pic]") {
    PicFixture f;
    f.init();
    f.out8(0x21, 0xFF);
    f.pic.set_irq(3, true);  // line high across re-initialisation
    f.init();
    CHECK(f.in8(0x21) == 0x00);
    CHECK_FALSE(f.intr);  // the old edge was discarded; the line must fall and rise
    f.pic.set_irq(3, false);
    f.pic.set_irq(3, true);
    CHECK(f.intr);
    CHECK(f.pic.acknowledge() == 0x23);
}
