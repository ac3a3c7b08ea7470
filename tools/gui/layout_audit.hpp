// Finds text the user cannot read because it runs past the right edge of its
// panel: the check behind the "clipped text:" line after every screenshot
// (docs/gui.md), so a summary or a counter that no longer fits the default window
// size fails a test instead of being noticed in a picture.
//
// Two views of the same frame, because Dear ImGui clips in two ways:
//  - a window (or child) whose content, as ImGui measured it, is wider than the
//    window shows, with no horizontal scroll bar to reach the rest;
//  - a glyph drawn across the right edge of its clip rectangle: ImGui emits a glyph
//    that only partly fits and leaves the cut to the scissor. This catches table
//    cells, whose overflow does not widen the window. A cut that falls exactly
//    between two glyphs is not seen this way (the next glyph is culled whole).
// Vertical clipping is not reported: scrolled lists clip rows by design.
#pragma once
#include <string>
#include <vector>

#include <imgui.h>

namespace hm::gui {

struct ClippedText {
    std::string window;  // the panel's title
    std::string what;    // "content 575 px wide, 480 shown" or "3 glyphs cut at the edge"
};

// The frame just rendered (call after ImGui::Render(), with the current context).
std::vector<ClippedText> audit_layout(const ImDrawData& frame, const ImFontAtlas& atlas);

// "none", or "Registers (content 484 px wide, 466 shown); Statistics (3 glyphs cut at the edge)".
std::string describe(const std::vector<ClippedText>& clipped);

}  // namespace hm::gui
