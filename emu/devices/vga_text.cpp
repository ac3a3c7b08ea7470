#include "devices/vga_text.hpp"

namespace hm {

namespace {
constexpr u64 kFrameHz = 70;
constexpr u64 kLinesPerFrame = 449;  // 720x400 text mode timing
constexpr u64 kVisibleLines = 400;
}  // namespace

VgaText::VgaText(VirtualClock& clock) : clock_(clock), mem_(kSize) {
    // Blank screen as the BIOS leaves it: spaces, light grey on black.
    for (size_t i = 0; i < kSize; i += 2) {
        mem_[i] = ' ';
        mem_[i + 1] = 0x07;
    }
    crtc_[0x09] = 0x0F;  // 16 scan lines per character
    crtc_[0x0A] = 0x0D;  // cursor start line
    crtc_[0x0B] = 0x0E;  // cursor end line
}

void VgaText::attach(Bus& bus) {
    bus.attach_device_ram(PhysAddr{kBase}, kSize, mem_.data(), "vga-text");
    bus.attach_io(0x3D4, 2, *this, "vga-crtc");
    bus.attach_io(0x3DA, 1, *this, "vga-status");
    bus.attach_io(0x3C2, 1, *this, "vga-misc");
    bus.attach_io(0x3CC, 1, *this, "vga-misc-read");
}

u32 VgaText::io_read(u16 port, unsigned) {
    switch (port) {
        case 0x3D4: return crtc_index_;
        case 0x3D5: return crtc_index_ < crtc_.size() ? crtc_[crtc_index_] : 0xFF;
        case 0x3DA: {
            u64 frame_cycles = clock_.cpu_hz() / kFrameHz;
            u64 pos = clock_.now() % frame_cycles;
            u64 line = pos * kLinesPerFrame / frame_cycles;
            u64 line_pos = (pos * kLinesPerFrame) % frame_cycles;
            bool vretrace = line >= kVisibleLines + 12 && line < kVisibleLines + 14;
            bool blank = line >= kVisibleLines || line_pos * 5 >= frame_cycles * 4;  // ~20 % horizontal blank
            return (vretrace ? 0x08 : 0) | (blank ? 0x01 : 0);
        }
        case 0x3CC: return misc_output_;
        default: return 0xFF;
    }
}

void VgaText::io_write(u16 port, u32 value, unsigned size) {
    switch (port) {
        case 0x3D4:
            crtc_index_ = static_cast<u8>(value);
            // A 16-bit OUT to 0x3D4 writes index and data together.
            if (size >= 2 && crtc_index_ < crtc_.size()) crtc_[crtc_index_] = static_cast<u8>(value >> 8);
            break;
        case 0x3D5:
            if (crtc_index_ < crtc_.size()) crtc_[crtc_index_] = static_cast<u8>(value);
            break;
        case 0x3C2: misc_output_ = static_cast<u8>(value); break;
        default: break;
    }
}

u8 VgaText::character(unsigned row, unsigned col) const {
    u64 cell = (start_offset() + row * kColumns + col) % (kSize / 2);
    return mem_[cell * 2];
}

u8 VgaText::attribute(unsigned row, unsigned col) const {
    u64 cell = (start_offset() + row * kColumns + col) % (kSize / 2);
    return mem_[cell * 2 + 1];
}

std::vector<std::string> VgaText::text_lines() const {
    std::vector<std::string> lines;
    for (unsigned r = 0; r < kRows; ++r) {
        std::string line;
        for (unsigned c = 0; c < kColumns; ++c) {
            u8 ch = character(r, c);
            line.push_back(ch >= 0x20 && ch < 0x7F ? static_cast<char>(ch) : (ch == 0 ? ' ' : '.'));
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

}  // namespace hm
