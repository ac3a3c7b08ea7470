// The I/O APIC (Intel 82093AA) at 0xFEC00000: IOREGSEL at offset 0x00, IOWIN at
// 0x10; registers ID (0), version (1: 0x11, 24 entries), arbitration ID (2) and
// 24 redirection entries (0x10 + 2n low, 0x11 + 2n high): vector, delivery mode,
// destination mode and destination, polarity, trigger mode, mask, the
// read-only delivery status and remote IRR. A routed input becomes a message on
// the APIC bus; a level-triggered one sets remote IRR until a local APIC's EOI
// of its vector clears it (and re-sends if the line is still asserted).
//
// As on QEMU: an edge that arrives while its entry is masked stays pending and
// is delivered when the entry is unmasked; polarity is stored but inputs are
// taken as active high (every ISA device here drives its line active high).
#pragma once
#include "devices/apic_bus.hpp"
#include "devices/irq.hpp"
#include "mem/io_device.hpp"
#include "core/state_visitor.hpp"

namespace hm {

struct IoApicState {
    u8 id = 0;
    u8 select = 0;       // IOREGSEL
    u32 pending = 0;     // edge requests not yet delivered (masked meanwhile)
    u32 lines = 0;       // input levels
    u64 redirection[24] = {};
};

class IoApic : public MmioDevice, public IrqSink {
public:
    static constexpr u64 kBase = 0xFEC00000, kSize = 0x1000;
    static constexpr unsigned kPins = 24;
    static constexpr u32 kVersion = 0x00170011;  // max redirection entry 23, version 0x11

    explicit IoApic(ApicBus& bus);
    void reset();

    u64 mmio_read(u64 offset, unsigned size) override;
    void mmio_write(u64 offset, u64 value, unsigned size) override;
    // An input pin's level (IrqSink: `line` is the pin).
    void set_irq(unsigned pin, bool level) override;
    // A local APIC's EOI of a level-triggered vector.
    void end_of_interrupt(u8 vector);

    bool pin_unmasked(unsigned pin) const { return pin < kPins && !(st_.redirection[pin] & (1u << 16)); }
    const IoApicState& state() const { return st_; }
    u64 delivered() const { return delivered_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.section(0x494F4150);  // "IOAP"
        v.value(st_.id), v.value(st_.select), v.value(st_.pending), v.value(st_.lines);
        snap::values(v, st_.redirection);
        v.value(delivered_);
    }

private:
    u32 read_register(u8 index) const;
    void write_register(u8 index, u32 value);
    void service(unsigned pin);

    ApicBus& bus_;
    IoApicState st_;
    u64 delivered_ = 0;
};

}  // namespace hm
