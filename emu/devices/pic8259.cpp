#include "devices/pic8259.hpp"

namespace hm {

void Pic8259::write(unsigned a0, u8 value) {
    if (a0 == 0) {
        if (value & 0x10) {  // ICW1: starts initialisation
            // Datasheet: IMR and ISR cleared, IR7 lowest priority, special mask
            // mode off, status read = IRR, and the edge-sense latch reset (a line
            // that is already high must drop and rise again to request).
            need_icw4_ = value & 0x01;
            single_ = value & 0x02;
            ltim_ = value & 0x08;
            imr_ = 0;
            isr_ = 0;
            irr_ = 0;
            for (unsigned ir = 0; ir < 8; ++ir) {
                if (level_triggered(ir) && ((lines_ >> ir) & 1)) irr_ |= u8(1u << ir);
            }
            lowest_ = 7;
            special_mask_ = false;
            read_isr_ = false;
            poll_pending_ = false;
            auto_eoi_ = false;
            rotate_on_aeoi_ = false;
            sfnm_ = false;
            init_step_ = 2;
            return;
        }
        if (value & 0x08) {  // OCW3
            if (value & 0x02) read_isr_ = value & 0x01;
            if (value & 0x04) poll_pending_ = true;
            if (value & 0x40) special_mask_ = value & 0x20;
            return;
        }
        // OCW2: R SL EOI in bits 7..5, level in bits 2..0
        unsigned level = value & 7;
        switch (value >> 5) {
            case 0b001: end_of_interrupt(-1, false); break;                   // non-specific EOI
            case 0b011: end_of_interrupt(static_cast<int>(level), false); break;  // specific EOI
            case 0b101: end_of_interrupt(-1, true); break;                    // rotate on non-specific EOI
            case 0b111: end_of_interrupt(static_cast<int>(level), true); break;   // rotate on specific EOI
            case 0b100: rotate_on_aeoi_ = true; break;
            case 0b000: rotate_on_aeoi_ = false; break;
            case 0b110: lowest_ = level; break;                               // set priority
            default: break;                                                    // 010: no operation
        }
        return;
    }
    switch (init_step_) {
        case 2:
            vector_base_ = value & 0xF8;
            init_step_ = single_ ? (need_icw4_ ? 4 : 0) : 3;
            return;
        case 3:
            icw3_ = value;
            init_step_ = need_icw4_ ? 4 : 0;
            return;
        case 4:
            auto_eoi_ = value & 0x02;
            sfnm_ = value & 0x10;
            init_step_ = 0;
            return;
        default: imr_ = value; return;  // OCW1
    }
}

u8 Pic8259::read(unsigned a0) {
    if (poll_pending_) {
        poll_pending_ = false;
        return poll();
    }
    if (a0) return imr_;
    return read_isr_ ? isr_ : irr_;
}

u8 Pic8259::poll() {
    int ir = highest_request();
    if (ir < 0) return 0;
    acknowledge(static_cast<unsigned>(ir));
    return static_cast<u8>(0x80 | ir);
}

void Pic8259::set_input(unsigned ir, bool level) {
    u8 bit = u8(1u << ir);
    bool was = lines_ & bit;
    lines_ = level ? (lines_ | bit) : (lines_ & ~bit);
    if (level_triggered(ir)) {
        irr_ = level ? (irr_ | bit) : (irr_ & ~bit);
    } else if (level && !was) {
        irr_ |= bit;
    }
}

int Pic8259::highest_request() const {
    u8 pending = irr_ & ~imr_;
    if (!pending) return -1;
    // In special mask mode, masked in-service levels do not block lower ones.
    u8 in_service = special_mask_ ? (isr_ & ~imr_) : isr_;
    // In special fully nested mode the master lets a higher request from the slave
    // through while the slave's cascade level is in service.
    if (is_master && sfnm_) in_service &= u8(~(1u << cascade_ir));
    for (unsigned p = 0; p < 8; ++p) {
        unsigned ir = (lowest_ + 1 + p) & 7;
        u8 bit = u8(1u << ir);
        if (in_service & bit) {
            // A level in service blocks itself and everything of lower priority,
            // except (SFNM) a further request on the cascade input itself.
            if (is_master && sfnm_ && ir == cascade_ir && (pending & bit)) return static_cast<int>(ir);
            return -1;
        }
        if (pending & bit) return static_cast<int>(ir);
    }
    return -1;
}

void Pic8259::acknowledge(unsigned ir) {
    u8 bit = u8(1u << ir);
    if (!level_triggered(ir)) irr_ &= ~bit;
    if (auto_eoi_) {
        if (rotate_on_aeoi_) lowest_ = ir;
    } else {
        isr_ |= bit;
    }
}

void Pic8259::end_of_interrupt(int ir, bool rotate) {
    if (ir < 0) {
        // Non-specific: the highest-priority level in service.
        for (unsigned p = 0; p < 8; ++p) {
            unsigned cand = (lowest_ + 1 + p) & 7;
            if (isr_ & (1u << cand)) {
                ir = static_cast<int>(cand);
                break;
            }
        }
        if (ir < 0) return;
    }
    isr_ &= u8(~(1u << ir));
    if (rotate) lowest_ = static_cast<unsigned>(ir);
}

// ---------------------------------------------------------------------------

PicPair::PicPair() {
    master_.is_master = true;
    // PIIX: IRQ 0, 1, 2 (master) and 8, 13 (slave) are always edge-triggered.
    master_.elcr_writable = 0xF8;
    slave_.elcr_writable = 0xDE;
}

u32 PicPair::io_read(u16 port, unsigned) {
    u8 v;
    switch (port) {
        case 0x20:
        case 0x21: v = master_.read(port & 1); break;
        case 0xA0:
        case 0xA1: v = slave_.read(port & 1); break;
        case 0x4D0: v = master_.elcr; break;
        case 0x4D1: v = slave_.elcr; break;
        default: return 0xFF;
    }
    update();  // a poll acknowledges
    return v;
}

void PicPair::io_write(u16 port, u32 value, unsigned) {
    u8 v = static_cast<u8>(value);
    switch (port) {
        case 0x20:
        case 0x21: master_.write(port & 1, v); break;
        case 0xA0:
        case 0xA1: slave_.write(port & 1, v); break;
        case 0x4D0: master_.elcr = v & master_.elcr_writable; break;
        case 0x4D1: slave_.elcr = v & slave_.elcr_writable; break;
        default: return;
    }
    update();
}

void PicPair::set_irq(unsigned line, bool level) {
    if (line >= 16) return;
    bool before = line < 8 ? ((master_.irr() >> line) & 1) : ((slave_.irr() >> (line - 8)) & 1);
    if (line < 8) {
        master_.set_input(line, level);
    } else {
        slave_.set_input(line - 8, level);
    }
    bool after = line < 8 ? ((master_.irr() >> line) & 1) : ((slave_.irr() >> (line - 8)) & 1);
    if (!before && after) ++stats_.raised[line];
    update();
}

void PicPair::update() {
    master_.set_input(master_.cascade_ir, slave_.int_output());
    bool out = master_.int_output();
    if (out != intr_) {
        intr_ = out;
        if (on_intr) on_intr(out);
    }
}

u8 PicPair::acknowledge() {
    int ir = master_.highest_request();
    u8 vector;
    if (ir < 0) {
        ++stats_.spurious;
        vector = master_.vector_for(7);
    } else if (static_cast<unsigned>(ir) == master_.cascade_ir) {
        master_.acknowledge(static_cast<unsigned>(ir));
        int sir = slave_.highest_request();
        if (sir < 0) {
            ++stats_.spurious;
            vector = slave_.vector_for(7);
        } else {
            slave_.acknowledge(static_cast<unsigned>(sir));
            vector = slave_.vector_for(static_cast<unsigned>(sir));
            ++stats_.acknowledged;
        }
    } else {
        master_.acknowledge(static_cast<unsigned>(ir));
        vector = master_.vector_for(static_cast<unsigned>(ir));
        ++stats_.acknowledged;
    }
    update();
    return vector;
}

}  // namespace hm
