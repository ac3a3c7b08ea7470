// National Semiconductor 16550A UART (COM1 at 0x3F8, IRQ 4 on a PC).
//
// Registers: RBR/THR, IER, IIR/FCR, LCR (DLAB), MCR, LSR, MSR, SCR, and the
// divisor latch. 16-byte receive FIFO with trigger levels 1/4/8/14 and the
// character-timeout indication (four character times at the programmed rate, on
// the event queue); interrupt identification in the datasheet's priority order
// (line status, received data / timeout, THR empty, modem status); loopback mode
// with the modem-control outputs fed back to the modem-status inputs.
//
// Transmission is instantaneous: a byte written to THR reaches the CharSink at
// once and THRE/TEMT are set again before the next instruction, so polling
// guests always make progress and nothing is held back when the run ends.
// The IRQ output reaches the PIC only while MCR.OUT2 is set (the PC's gating),
// and never in loopback mode, as on real boards.
#pragma once
#include <array>

#include "devices/char_backend.hpp"
#include "devices/irq.hpp"
#include "mem/io_device.hpp"
#include "time/event_queue.hpp"
#include "time/virtual_clock.hpp"
#include "core/state_visitor.hpp"

namespace hm {

struct UartStats {
    u64 tx_bytes = 0;
    u64 rx_bytes = 0;
    u64 overruns = 0;
    u64 interrupts = 0;  // rising edges of the IRQ output
};

class Uart16550 : public IoDevice {
public:
    static constexpr unsigned kFifoSize = 16;

    Uart16550(VirtualClock& clock, EventQueue& events, IrqLine irq, CharSink* out);

    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;

    // Input from the host side: accepted while there is room (the host keeps
    // the rest, as a flow-controlled line would).
    bool can_receive() const;
    void receive(u8 byte);
    // Host input waits until the guest listens: it has read RBR or LSR, or
    // enabled the received-data interrupt. Bytes sent earlier would be lost to
    // the guest's own initialisation (a FIFO mode switch empties the FIFO).
    bool listening() const { return listening_; }
    // Could a received byte interrupt the CPU? (RDA enabled, and the IRQ line
    // reaches the PIC: OUT2 set, not in loopback.)
    bool rx_interrupt_enabled() const { return (ier_ & kIerRda) && (mcr_ & kMcrOut2) && !(mcr_ & kMcrLoop); }

    const UartStats& stats() const { return stats_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.section(0x55415254);  // "UART"
        snap::values(v, rx_);
        v.bounded(rx_head_, kFifoSize), v.bounded(rx_count_, kFifoSize + 1);
        v.value(ier_), v.value(lcr_), v.value(mcr_), v.value(lsr_errors_), v.value(msr_), v.value(scr_), v.value(fcr_);
        v.value(divisor_), v.value(fifo_enabled_), v.value(thre_pending_), v.value(timeout_pending_);
        v.value(irq_level_), v.value(listening_);
        snap::u64_fields(v, stats_);
    }

private:
    enum : u8 {
        kIerRda = 0x01, kIerThre = 0x02, kIerRls = 0x04, kIerMsi = 0x08,
        kLsrDr = 0x01, kLsrOe = 0x02, kLsrThre = 0x20, kLsrTemt = 0x40,
        kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08, kMcrLoop = 0x10,
    };
    u8 read_reg(unsigned reg);
    void write_reg(unsigned reg, u8 value);
    void transmit(u8 byte);
    void push_rx(u8 byte);
    u8 pop_rx();
    unsigned rx_trigger() const;
    u8 interrupt_id() const;
    void update_irq();
    void update_modem_inputs();
    void rearm_timeout();
    u64 char_time_cycles() const;

    VirtualClock& clock_;
    EventQueue& events_;
    IrqLine irq_;
    CharSink* out_;
    EventQueue::TimerId timeout_timer_;

    std::array<u8, kFifoSize> rx_{};
    unsigned rx_head_ = 0, rx_count_ = 0;
    u8 ier_ = 0, lcr_ = 0, mcr_ = 0, lsr_errors_ = 0, msr_ = 0, scr_ = 0, fcr_ = 0;
    u16 divisor_ = 12;  // 9600 baud until programmed
    bool fifo_enabled_ = false;
    bool thre_pending_ = false;
    bool timeout_pending_ = false;
    bool irq_level_ = false;
    bool listening_ = false;
    UartStats stats_;
};

}  // namespace hm
