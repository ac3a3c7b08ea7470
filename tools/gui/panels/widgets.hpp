// Small drawing helpers shared by the panels: the colour scheme (what "changed",
// "filled", "stale" look like everywhere), hex formatting, and the bit tags the
// register and page-walk panels use to show every bit of a value by name.
#pragma once
#include <string>

#include <imgui.h>

#include "core/types.hpp"

namespace hm::gui {

namespace colors {
inline const ImVec4 kChanged{1.00f, 0.35f, 0.35f, 1.0f};   // changed since the last stop
inline const ImVec4 kFilled{0.35f, 0.90f, 0.45f, 1.0f};    // filled since the last stop
inline const ImVec4 kStale{1.00f, 0.55f, 0.10f, 1.0f};     // memory no longer agrees
inline const ImVec4 kDim{0.50f, 0.50f, 0.55f, 1.0f};       // off bits, invalid bytes
inline const ImVec4 kSymbol{0.45f, 0.75f, 1.00f, 1.0f};    // symbol names
inline const ImVec4 kFault{1.00f, 0.30f, 0.30f, 1.0f};
inline const ImVec4 kNote{0.85f, 0.80f, 0.45f, 1.0f};
inline const ImU32 kCurrentLine = IM_COL32(90, 80, 20, 255);
inline const ImU32 kBreakpoint = IM_COL32(220, 50, 50, 255);
}  // namespace colors

std::string hex8(u32 v);   // "0x0000abcd" (8 digits)
std::string hex(u64 v);    // "0xabcd"
std::string size_text(u8 log2);  // "4K", "2M", "4M"

// A bit shown by name: bright when set, dim when clear; the tooltip explains it.
void bit_tag(const char* name, bool set, const char* meaning);
// Text in a colour when `on`, plain otherwise.
void text_if(bool on, const ImVec4& color, const char* fmt, ...) IM_FMTARGS(3);
// Coloured text that wraps at the panel's edge instead of running past it (summaries
// that would clip at the default window size).
void text_wrapped_colored(const ImVec4& color, const char* fmt, ...) IM_FMTARGS(2);
// An address box: returns true when Enter was pressed (the text is in buf).
bool address_box(const char* id, char* buf, size_t buf_size, float width);

}  // namespace hm::gui
