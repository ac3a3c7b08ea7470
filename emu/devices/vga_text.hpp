// The VGA's colour text mode as a guest sees it after firmware set mode 3:
// 80x25 character/attribute cells in memory at 0xB8000 (32 KiB of device memory
// the guest reads and writes directly, through the TLB's host-pointer path), the
// CRT controller's index/data ports at 0x3D4/0x3D5 (cursor shape and position,
// display start address; other registers are stored and read back), input status
// register 1 at 0x3DA (display-enable and vertical-retrace bits derived from
// virtual time at 70 Hz, so retrace polling loops end deterministically), and the
// miscellaneous output register (0x3CC read / 0x3C2 write). No graphics modes, no
// attribute/sequencer/graphics controllers: their ports stay unassigned.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "mem/bus.hpp"
#include "mem/io_device.hpp"
#include "time/virtual_clock.hpp"
#include "core/state_visitor.hpp"

namespace hm {

class VgaText : public IoDevice {
public:
    static constexpr u64 kBase = 0xB8000;
    static constexpr u64 kSize = 0x8000;
    static constexpr unsigned kColumns = 80;
    static constexpr unsigned kRows = 25;

    explicit VgaText(VirtualClock& clock);
    // Claims the text memory and the ports.
    void attach(Bus& bus);

    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;

    // The visible screen (from the CRTC start address).
    u8 character(unsigned row, unsigned col) const;
    u8 attribute(unsigned row, unsigned col) const;
    std::vector<std::string> text_lines() const;  // trailing blanks removed
    unsigned cursor_offset() const { return static_cast<unsigned>(crtc_[0x0E] << 8 | crtc_[0x0F]); }
    bool cursor_visible() const { return !(crtc_[0x0A] & 0x20); }
    unsigned start_offset() const { return static_cast<unsigned>(crtc_[0x0C] << 8 | crtc_[0x0D]); }
    const u8* memory() const { return mem_.data(); }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.section(0x564741);  // "VGA"
        v.fixed(mem_.size(), "the VGA memory size");
        v.bytes(mem_.data(), mem_.size());
        snap::values(v, crtc_);
        v.value(crtc_index_), v.value(misc_output_);
    }

private:
    VirtualClock& clock_;
    std::vector<u8> mem_;
    std::array<u8, 0x19> crtc_{};
    u8 crtc_index_ = 0;
    u8 misc_output_ = 0x67;  // colour, I/O at 0x3Dx, RAM enabled, 28 MHz clock
};

}  // namespace hm
