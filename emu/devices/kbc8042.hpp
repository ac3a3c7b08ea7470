// A minimal Intel 8042 keyboard controller (PS/2) at ports 0x60 (data) and 0x64
// (status / command), with a keyboard on its first port (IRQ 1) and no mouse.
//
// Controller commands: 0x20/0x60 read/write the configuration byte, 0xAA self
// test (0x55), 0xAB/0xA9 port tests (0x00 / 0x00: keyboard clock and data fine;
// aux port reported present but nothing answers on it), 0xAD/0xAE and 0xA7/0xA8
// disable/enable ports, 0xD0/0xD1 read/write the output port (bit 0 resets the
// machine when cleared, bit 1 gates A20), 0xD2/0xD3 echo into the output buffer,
// 0xDD/0xDF A20 off/on, 0xF0-0xFF pulse output lines (bit 0 clear: reset).
// Keyboard commands answered: reset (0xFF -> FA AA), identify (0xF2 -> FA AB 83),
// enable/disable scanning, LEDs, typematic, scan-code set, echo; anything else
// gets 0xFE (resend). Keys come from push_scancode() (the GUI; nothing types on
// its own). Bytes leave one at a time through the output buffer; each new byte
// raises IRQ 1 if the configuration byte enables it.
#pragma once
#include <deque>
#include <functional>

#include "devices/irq.hpp"
#include "mem/io_device.hpp"
#include "core/state_visitor.hpp"

namespace hm {

struct KbcStats {
    u64 commands = 0;
    u64 bytes_to_guest = 0;
    u64 reset_requests = 0;
};

class Kbc8042 : public IoDevice {
public:
    explicit Kbc8042(IrqLine irq1);

    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;

    void push_scancode(u8 code);
    bool a20() const { return output_port_ & 0x02; }

    std::function<void(bool)> on_a20;  // output port bit 1 changed
    std::function<void()> on_reset;    // the guest pulsed the reset line
    const KbcStats& stats() const { return stats_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.section(0x4B4243);  // "KBC"
        v.sequence(out_, 4096);
        v.value(config_), v.value(output_port_), v.value(pending_command_), v.value(pending_kbd_);
        v.value(last_was_command_), v.value(scanning_), v.value(scancode_set_), v.value(irq_level_), v.value(last_read_);
        snap::u64_fields(v, stats_);
    }

private:
    void controller_command(u8 cmd);
    void keyboard_byte(u8 value);
    void enqueue(u8 byte);
    void write_output_port(u8 value);
    void update_irq();

    IrqLine irq1_;
    std::deque<u8> out_;  // bytes waiting for the guest; front() is the output buffer
    u8 config_ = 0x45;       // keyboard IRQ, system flag, scan-code translation
    u8 output_port_ = 0xCF;  // reset line inactive, A20 enabled
    u8 pending_command_ = 0; // controller command waiting for its data byte
    u8 pending_kbd_ = 0;     // keyboard command waiting for its argument
    bool last_was_command_ = false;
    bool scanning_ = true;
    u8 scancode_set_ = 2;
    bool irq_level_ = false;
    u8 last_read_ = 0;  // an empty output buffer reads back its last byte
    KbcStats stats_;
};

}  // namespace hm
