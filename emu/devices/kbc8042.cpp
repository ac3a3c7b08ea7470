#include "devices/kbc8042.hpp"

namespace hm {

namespace {
constexpr u8 kStatusObf = 0x01, kStatusSystem = 0x04, kStatusCommand = 0x08, kStatusUnlocked = 0x10;
constexpr u8 kConfigKbdIrq = 0x01, kConfigSystem = 0x04, kConfigKbdDisabled = 0x10;
constexpr u8 kAck = 0xFA, kResend = 0xFE;
constexpr size_t kMaxQueued = 64;  // a real keyboard buffers 16 keys; keep some slack
}  // namespace

Kbc8042::Kbc8042(IrqLine irq1) : irq1_(irq1) {}

void Kbc8042::enqueue(u8 byte) {
    if (out_.size() >= kMaxQueued) return;
    out_.push_back(byte);
    ++stats_.bytes_to_guest;
    update_irq();
}

void Kbc8042::update_irq() {
    bool level = !out_.empty() && (config_ & kConfigKbdIrq);
    if (level != irq_level_) {
        irq_level_ = level;
        irq1_.set(level);
    }
}

void Kbc8042::push_scancode(u8 code) {
    if (!scanning_ || (config_ & kConfigKbdDisabled)) return;
    enqueue(code);
}

u32 Kbc8042::io_read(u16 port, unsigned) {
    if (port == 0x64) {
        u8 s = kStatusUnlocked;
        if (!out_.empty()) s |= kStatusObf;
        if (config_ & kConfigSystem) s |= kStatusSystem;
        if (last_was_command_) s |= kStatusCommand;
        return s;
    }
    if (out_.empty()) return last_read_;
    u8 b = out_.front();
    last_read_ = b;
    out_.pop_front();
    // The next byte arrives as a fresh output-buffer fill: a new edge on IRQ 1.
    if (irq_level_) {
        irq_level_ = false;
        irq1_.set(false);
    }
    update_irq();
    return b;
}

void Kbc8042::io_write(u16 port, u32 value, unsigned) {
    u8 v = static_cast<u8>(value);
    if (port == 0x64) {
        last_was_command_ = true;
        ++stats_.commands;
        controller_command(v);
        return;
    }
    last_was_command_ = false;
    if (pending_command_) {
        u8 cmd = pending_command_;
        pending_command_ = 0;
        switch (cmd) {
            case 0x60:
                config_ = v;
                update_irq();
                break;
            case 0xD1: write_output_port(v); break;
            case 0xD2: enqueue(v); break;  // as if the keyboard sent it
            case 0xD3: break;              // aux port: nobody listens
            case 0xD4: break;              // byte to the (absent) mouse
            default: break;
        }
        return;
    }
    keyboard_byte(v);
}

void Kbc8042::controller_command(u8 cmd) {
    switch (cmd) {
        case 0x20: enqueue(config_); break;
        case 0x60: case 0xD1: case 0xD2: case 0xD3: case 0xD4: pending_command_ = cmd; break;
        case 0xA7: case 0xA8: break;  // aux port disable/enable: no mouse behind it
        case 0xA9: enqueue(0x00); break;
        case 0xAA:
            config_ |= kConfigSystem;
            enqueue(0x55);
            break;
        case 0xAB: enqueue(0x00); break;
        case 0xAD: config_ |= kConfigKbdDisabled; break;
        case 0xAE: config_ &= static_cast<u8>(~kConfigKbdDisabled); break;
        case 0xC0: enqueue(0x80); break;  // input port: keyboard not inhibited
        case 0xD0: enqueue(output_port_); break;
        case 0xDD: write_output_port(output_port_ & ~0x02); break;
        case 0xDF: write_output_port(output_port_ | 0x02); break;
        default:
            if (cmd >= 0xF0) {
                // Pulse the output lines whose bits are 0 in the low nibble; bit 0 is reset.
                if (!(cmd & 0x01)) {
                    ++stats_.reset_requests;
                    if (on_reset) on_reset();
                }
            }
            break;
    }
}

void Kbc8042::write_output_port(u8 value) {
    u8 old = output_port_;
    output_port_ = value | 0x01;  // the reset line is a pulse, it never stays low
    if ((old ^ value) & 0x02) {
        if (on_a20) on_a20(value & 0x02);
    }
    if (!(value & 0x01)) {
        ++stats_.reset_requests;
        if (on_reset) on_reset();
    }
}

void Kbc8042::keyboard_byte(u8 v) {
    if (pending_kbd_) {
        u8 cmd = pending_kbd_;
        pending_kbd_ = 0;
        if (cmd == 0xF0) {
            enqueue(kAck);
            if (v == 0) {
                enqueue(scancode_set_);
            } else if (v <= 3) {
                scancode_set_ = v;
            }
        } else {
            enqueue(kAck);  // 0xED LEDs, 0xF3 typematic: argument accepted
        }
        return;
    }
    switch (v) {
        case 0xED: case 0xF3: case 0xF0:
            pending_kbd_ = v;
            enqueue(kAck);
            break;
        case 0xEE: enqueue(0xEE); break;  // echo
        case 0xF2:
            enqueue(kAck);
            enqueue(0xAB);
            enqueue(0x83);
            break;
        case 0xF4:
            scanning_ = true;
            enqueue(kAck);
            break;
        case 0xF5:
            scanning_ = false;
            enqueue(kAck);
            break;
        case 0xF6:
            scanning_ = true;
            scancode_set_ = 2;
            enqueue(kAck);
            break;
        case 0xFF:
            scanning_ = true;
            scancode_set_ = 2;
            enqueue(kAck);
            enqueue(0xAA);  // basic assurance test passed
            break;
        default: enqueue(kResend); break;
    }
}

}  // namespace hm
