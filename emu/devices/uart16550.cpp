#include "devices/uart16550.hpp"

namespace hm {

namespace {
constexpr u64 kUartClockHz = 1'843'200;  // the PC's 1.8432 MHz crystal; baud = clock / (16 * divisor)
// Modem inputs outside loopback: a terminal that is present and ready (CTS, DSR,
// DCD), as QEMU reports for a stdio back end.
constexpr u8 kHostModemStatus = 0xB0;
}  // namespace

Uart16550::Uart16550(VirtualClock& clock, EventQueue& events, IrqLine irq, CharSink* out)
    : clock_(clock), events_(events), irq_(irq), out_(out) {
    timeout_timer_ = events_.create("uart.rx-timeout", [this](u64) {
        if (fifo_enabled_ && rx_count_ > 0 && rx_count_ < rx_trigger()) {
            timeout_pending_ = true;
            update_irq();
        }
    }, static_cast<int>(irq_.line));
    msr_ = kHostModemStatus;
}

u64 Uart16550::char_time_cycles() const {
    // 10 bits per character (start, 8 data, stop) at clock / (16 * divisor) baud.
    u64 div = divisor_ ? divisor_ : 0x10000;
    return mul_div_ceil(10 * 16 * div, clock_.cpu_hz(), kUartClockHz);
}

unsigned Uart16550::rx_trigger() const {
    static constexpr unsigned kLevels[4] = {1, 4, 8, 14};
    return fifo_enabled_ ? kLevels[fcr_ >> 6] : 1;
}

bool Uart16550::can_receive() const { return rx_count_ < (fifo_enabled_ ? kFifoSize : 1); }

void Uart16550::receive(u8 byte) {
    ++stats_.rx_bytes;
    push_rx(byte);
}

void Uart16550::push_rx(u8 byte) {
    unsigned cap = fifo_enabled_ ? kFifoSize : 1;
    if (rx_count_ >= cap) {
        // Overrun: the shift register's byte is lost (FIFO mode) or overwrites
        // the holding register (16450 mode); either way the guest sees OE.
        lsr_errors_ |= kLsrOe;
        ++stats_.overruns;
        if (!fifo_enabled_) rx_[rx_head_] = byte;
    } else {
        rx_[(rx_head_ + rx_count_) % kFifoSize] = byte;
        ++rx_count_;
    }
    rearm_timeout();
    update_irq();
}

u8 Uart16550::pop_rx() {
    if (rx_count_ == 0) return 0;
    u8 b = rx_[rx_head_];
    rx_head_ = (rx_head_ + 1) % kFifoSize;
    --rx_count_;
    timeout_pending_ = false;
    rearm_timeout();
    return b;
}

void Uart16550::rearm_timeout() {
    if (fifo_enabled_ && rx_count_ > 0) {
        events_.schedule(timeout_timer_, clock_.now() + 4 * char_time_cycles());
    } else {
        events_.cancel(timeout_timer_);
    }
}

void Uart16550::transmit(u8 byte) {
    ++stats_.tx_bytes;
    if (mcr_ & kMcrLoop) {
        push_rx(byte);
    } else if (out_) {
        out_->put(byte);
    }
    // The shift register empties at once: THR is free again.
    thre_pending_ = true;
}

u8 Uart16550::interrupt_id() const {
    if ((ier_ & kIerRls) && (lsr_errors_ & 0x1E)) return 0x06;
    if (ier_ & kIerRda) {
        if (rx_count_ >= rx_trigger() && rx_count_ > 0) return 0x04;
        if (timeout_pending_) return 0x0C;
    }
    if ((ier_ & kIerThre) && thre_pending_) return 0x02;
    if ((ier_ & kIerMsi) && (msr_ & 0x0F)) return 0x00;
    return 0x01;
}

void Uart16550::update_irq() {
    bool pending = (interrupt_id() & 1) == 0;
    bool level = pending && (mcr_ & kMcrOut2) && !(mcr_ & kMcrLoop);
    if (level != irq_level_) {
        irq_level_ = level;
        if (level) ++stats_.interrupts;
        irq_.set(level);
    }
}

void Uart16550::update_modem_inputs() {
    u8 inputs;
    if (mcr_ & kMcrLoop) {
        // DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD
        inputs = static_cast<u8>(((mcr_ & kMcrRts) ? 0x10 : 0) | ((mcr_ & kMcrDtr) ? 0x20 : 0) |
                                 ((mcr_ & kMcrOut1) ? 0x40 : 0) | ((mcr_ & kMcrOut2) ? 0x80 : 0));
    } else {
        inputs = kHostModemStatus;
    }
    u8 old = msr_ & 0xF0;
    u8 changed = old ^ inputs;
    u8 delta = msr_ & 0x0F;
    if (changed & 0x10) delta |= 0x01;                       // DCTS
    if (changed & 0x20) delta |= 0x02;                       // DDSR
    if ((old & 0x40) && !(inputs & 0x40)) delta |= 0x04;     // TERI: trailing edge of RI
    if (changed & 0x80) delta |= 0x08;                       // DDCD
    msr_ = inputs | delta;
}

u8 Uart16550::read_reg(unsigned reg) {
    const bool dlab = lcr_ & 0x80;
    switch (reg) {
        case 0: {
            if (dlab) return static_cast<u8>(divisor_);
            listening_ = true;
            u8 b = pop_rx();
            update_irq();
            return b;
        }
        case 1: return dlab ? static_cast<u8>(divisor_ >> 8) : ier_;
        case 2: {
            u8 id = interrupt_id();
            // Reading IIR while it reports THR empty acknowledges that source.
            if (id == 0x02) {
                thre_pending_ = false;
                update_irq();
            }
            return static_cast<u8>(id | (fifo_enabled_ ? 0xC0 : 0));
        }
        case 3: return lcr_;
        case 4: return mcr_;
        case 5: {
            listening_ = true;
            u8 v = static_cast<u8>(lsr_errors_ | kLsrThre | kLsrTemt | (rx_count_ ? kLsrDr : 0));
            lsr_errors_ = 0;  // OE, PE, FE and BI clear on read
            update_irq();
            return v;
        }
        case 6: {
            u8 v = msr_;
            msr_ &= 0xF0;  // deltas clear on read
            update_irq();
            return v;
        }
        default: return scr_;
    }
}

void Uart16550::write_reg(unsigned reg, u8 value) {
    const bool dlab = lcr_ & 0x80;
    switch (reg) {
        case 0:
            if (dlab) {
                divisor_ = static_cast<u16>((divisor_ & 0xFF00) | value);
            } else {
                thre_pending_ = false;
                transmit(value);
            }
            break;
        case 1:
            if (dlab) {
                divisor_ = static_cast<u16>((divisor_ & 0x00FF) | (value << 8));
            } else {
                // Enabling the THRE interrupt while THR is empty raises it at once.
                if ((value & kIerThre) && !(ier_ & kIerThre)) thre_pending_ = true;
                if (value & kIerRda) listening_ = true;
                ier_ = value & 0x0F;
            }
            break;
        case 2: {
            bool enable = value & 0x01;
            if (enable != fifo_enabled_) {
                rx_count_ = 0;  // switching modes empties both FIFOs
                rx_head_ = 0;
            }
            fifo_enabled_ = enable;
            if (value & 0x02) {
                rx_count_ = 0;
                rx_head_ = 0;
                timeout_pending_ = false;
            }
            fcr_ = value & 0xC9;
            rearm_timeout();
            break;
        }
        case 3: lcr_ = value; break;
        case 4:
            mcr_ = value & 0x1F;
            update_modem_inputs();
            break;
        case 5:
        case 6: break;  // LSR and MSR are read-only here
        default: scr_ = value; break;
    }
    update_irq();
}

u32 Uart16550::io_read(u16 port, unsigned size) {
    u32 v = read_reg(port & 7);
    // Wider accesses read consecutive registers, as the bus splits them on a PC.
    for (unsigned i = 1; i < size; ++i) v |= u32{read_reg((port + i) & 7)} << (8 * i);
    return v;
}

void Uart16550::io_write(u16 port, u32 value, unsigned size) {
    for (unsigned i = 0; i < size; ++i) write_reg((port + i) & 7, static_cast<u8>(value >> (8 * i)));
}

}  // namespace hm
