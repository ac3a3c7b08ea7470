#include "layout_audit.hpp"

#include <imgui_internal.h>

#include <algorithm>

namespace hm::gui {

namespace {

// Child windows are named "Parent/child_ID"; panels may carry "##id" suffixes.
std::string panel_of(const char* owner) {
    if (!owner) return "?";
    std::string name(owner);
    if (const size_t slash = name.find('/'); slash != std::string::npos) name.resize(slash);
    if (const size_t hashes = name.find("##"); hashes != std::string::npos) {
        name = hashes == 0 ? name.substr(2) : name.substr(0, hashes);  // "##MainMenuBar": the menu bar
    }
    return name;
}

void overflowing_windows(std::vector<ClippedText>& out) {
    const ImGuiContext& g = *ImGui::GetCurrentContext();
    for (const ImGuiWindow* w : g.Windows) {
        if (!w->WasActive || w->Hidden || w->ScrollbarX) continue;
        const float shown = w->ContentRegionRect.GetWidth();
        if (w->ContentSize.x <= shown + 1.0f) continue;
        out.push_back({panel_of(w->Name), "content " + std::to_string(static_cast<int>(w->ContentSize.x)) +
                                              " px wide, " + std::to_string(static_cast<int>(shown)) + " shown"});
    }
}

void glyphs_across_edges(const ImDrawData& frame, const ImFontAtlas& atlas, std::vector<ClippedText>& out) {
    // Fills sample the atlas' white pixel and anti-aliased lines (window borders)
    // its baked line strips: neither is text.
    ImVec2 lines_min(2, 2), lines_max(-1, -1);
    for (const ImVec4& r : atlas.TexUvLines) {
        lines_min.x = std::min({lines_min.x, r.x, r.z}), lines_min.y = std::min({lines_min.y, r.y, r.w});
        lines_max.x = std::max({lines_max.x, r.x, r.z}), lines_max.y = std::max({lines_max.y, r.y, r.w});
    }
    const ImVec2 white = atlas.TexUvWhitePixel;
    const auto is_glyph = [&](ImVec2 uv) {
        if (uv.x == white.x && uv.y == white.y) return false;
        return !(uv.x >= lines_min.x && uv.x <= lines_max.x && uv.y >= lines_min.y && uv.y <= lines_max.y);
    };
    constexpr float kSlack = 0.5f;  // a glyph edge on the clip line itself is not cut
    for (int l = 0; l < frame.CmdListsCount; ++l) {
        const ImDrawList& list = *frame.CmdLists[l];
        // What a horizontal scroll bar reaches is not lost.
        const ImGuiWindow* owner = list._OwnerName ? ImGui::FindWindowByName(list._OwnerName) : nullptr;
        if (owner && owner->ScrollbarX) continue;
        int triangles = 0;
        for (const ImDrawCmd& cmd : list.CmdBuffer) {
            if (cmd.UserCallback) continue;
            // A glyph is two triangles sampling the font; fills and lines share
            // commands with text but not its triangles' UVs.
            for (unsigned i = 0; i + 3 <= cmd.ElemCount; i += 3) {
                bool text = true, beyond = false;
                for (unsigned k = 0; k < 3; ++k) {
                    const ImDrawIdx idx = list.IdxBuffer[static_cast<int>(cmd.IdxOffset + i + k)];
                    const ImDrawVert& v = list.VtxBuffer[static_cast<int>(cmd.VtxOffset + idx)];
                    text = text && is_glyph(v.uv);
                    if (v.pos.x > cmd.ClipRect.z + kSlack && v.pos.y > cmd.ClipRect.y && v.pos.y < cmd.ClipRect.w)
                        beyond = true;
                }
                if (text && beyond) ++triangles;
            }
        }
        const int glyphs = (triangles + 1) / 2;
        if (glyphs > 0)
            out.push_back({panel_of(list._OwnerName),
                           std::to_string(glyphs) + (glyphs == 1 ? " glyph" : " glyphs") + " cut at the edge"});
    }
}

}  // namespace

std::vector<ClippedText> audit_layout(const ImDrawData& frame, const ImFontAtlas& atlas) {
    std::vector<ClippedText> out;
    overflowing_windows(out);
    glyphs_across_edges(frame, atlas, out);
    return out;
}

std::string describe(const std::vector<ClippedText>& clipped) {
    if (clipped.empty()) return "none";
    std::string s;
    for (const ClippedText& c : clipped) {
        if (!s.empty()) s += "; ";
        s += c.window + " (" + c.what + ")";
    }
    return s;
}

}  // namespace hm::gui
