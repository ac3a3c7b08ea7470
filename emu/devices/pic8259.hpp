// Two Intel 8259A programmable interrupt controllers cascaded as on every PC:
// master at 0x20/0x21 (IRQ 0-7), slave at 0xA0/0xA1 (IRQ 8-15) on the master's
// IR2, plus the PIIX edge/level control registers (ELCR) at 0x4D0/0x4D1.
//
// Programming model (8259A datasheet): the ICW1..ICW4 initialisation sequence;
// OCW1 (mask), OCW2 (non-specific / specific EOI, rotation, set priority), OCW3
// (read IRR or ISR, poll, special mask mode); edge- or level-triggered inputs
// (ICW1.LTIM or the ELCR bit); automatic EOI (ICW4.AEOI, with rotation); special
// fully nested mode on the master; spurious IRQ 7/15 when a request vanishes.
// An edge-triggered request stays in IRR until acknowledged even if its line
// drops again, as on QEMU, so that timer pulses are never lost.
//
// The master's INT output drives the CPU's INTR line through `on_intr`;
// `acknowledge()` is the INTA cycle (the machine adapts it to the CPU's
// InterruptController interface, so devices do not depend on the CPU).
#pragma once
#include <functional>

#include "devices/irq.hpp"
#include "mem/io_device.hpp"
#include "core/state_visitor.hpp"

namespace hm {

// One chip's state and logic.
class Pic8259 {
public:
    void write(unsigned a0, u8 value);
    u8 read(unsigned a0);
    void set_input(unsigned ir, bool level);
    // The IR line to acknowledge, or -1 for none (a spurious INTA).
    int highest_request() const;
    bool int_output() const { return highest_request() >= 0; }
    // INTA on this chip for request `ir` (from highest_request()): updates IRR/ISR.
    void acknowledge(unsigned ir);
    u8 vector_for(unsigned ir) const { return static_cast<u8>(vector_base_ | ir); }

    u8 irr() const { return irr_; }
    u8 isr() const { return isr_; }
    u8 imr() const { return imr_; }
    u8 elcr = 0;              // level-triggered inputs (PIIX ELCR)
    u8 elcr_writable = 0xFF;  // bits the guest may set
    bool is_master = false;
    u8 cascade_ir = 2;        // master: the IR the slave is wired to

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.value(irr_), v.value(isr_), v.value(imr_), v.value(lines_), v.value(vector_base_), v.value(icw3_);
        v.value(elcr), v.value(elcr_writable);
        v.bounded(lowest_, 8), v.bounded(init_step_, 5);
        v.value(need_icw4_), v.value(single_), v.value(ltim_), v.value(auto_eoi_), v.value(rotate_on_aeoi_);
        v.value(sfnm_), v.value(special_mask_), v.value(read_isr_), v.value(poll_pending_);
    }

private:
    bool level_triggered(unsigned ir) const { return ltim_ || ((elcr >> ir) & 1); }
    void end_of_interrupt(int ir, bool rotate);
    u8 poll();

    u8 irr_ = 0, isr_ = 0, imr_ = 0;
    u8 lines_ = 0;  // current input levels
    u8 vector_base_ = 0;
    u8 icw3_ = 0;
    unsigned lowest_ = 7;  // IR with the lowest priority
    unsigned init_step_ = 0;  // 0: ready; 2, 3, 4: waiting for that ICW
    bool need_icw4_ = false;
    bool single_ = false;
    bool ltim_ = false;
    bool auto_eoi_ = false;
    bool rotate_on_aeoi_ = false;
    bool sfnm_ = false;
    bool special_mask_ = false;
    bool read_isr_ = false;
    bool poll_pending_ = false;
};

struct PicStats {
    u64 acknowledged = 0;
    u64 spurious = 0;
    u64 raised[16] = {};  // rising edges / level assertions per IRQ
};

class PicPair : public IoDevice, public IrqSink {
public:
    PicPair();
    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;
    void set_irq(unsigned line, bool level) override;

    // INTA: the vector of the highest pending request (spurious 7/15 if none).
    u8 acknowledge();
    bool intr() const { return intr_; }
    std::function<void(bool)> on_intr;

    IrqLine line(unsigned irq) { return IrqLine{this, irq}; }
    const Pic8259& master() const { return master_; }
    const Pic8259& slave() const { return slave_; }
    const PicStats& stats() const { return stats_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.section(0x504943);  // "PIC"
        master_.visit_state(v);
        slave_.visit_state(v);
        v.value(intr_);
        v.value(stats_.acknowledged), v.value(stats_.spurious);
        snap::values(v, stats_.raised);
    }

private:
    void update();

    Pic8259 master_, slave_;
    bool intr_ = false;
    PicStats stats_;
};

}  // namespace hm
