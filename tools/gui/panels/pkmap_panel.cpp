#include "pkmap_panel.hpp"

#include <algorithm>

#include "widgets.hpp"

namespace hm::gui {

SlotColour slot_colour(int count) {
    if (count <= 0) return SlotColour::Free;
    if (count == 1) return SlotColour::Unused;
    return SlotColour::InUse;
}

namespace {

ImU32 fill(SlotColour c) {
    switch (c) {
        case SlotColour::Free: return IM_COL32(70, 70, 78, 255);
        case SlotColour::Unused: return IM_COL32(215, 185, 40, 255);
        case SlotColour::InUse: return IM_COL32(60, 185, 80, 255);
    }
    return IM_COL32(255, 0, 255, 255);
}

// Markers drawn around a cell, never over it: its fill keeps saying its state.
constexpr ImU32 kLastNrFrame = IM_COL32(80, 220, 255, 255);
constexpr ImU32 kStaleFrame = IM_COL32(255, 140, 20, 255);

void frame_legend(ImU32 colour, const char* text) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRect(ImVec2(p.x, p.y + 2), ImVec2(p.x + h - 4, p.y + h - 2), colour, 0, 0, 2.0f);
    ImGui::Dummy(ImVec2(h - 2, h));
    ImGui::SameLine();
    ImGui::TextColored(colors::kDim, "%s", text);
}

void legend(SlotColour c, const char* text) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + h - 4, p.y + h - 2), fill(c));
    ImGui::Dummy(ImVec2(h - 2, h));
    ImGui::SameLine();
    ImGui::TextUnformatted(text);
}

}  // namespace

void PkmapPanel::drawContent(Controller& c) {
    const Snapshot& s = c.snapshot();
    if (!s.pkmap) {
        ImGui::TextWrapped("No pkmap window to show: %s", s.pkmap_error.c_str());
        ImGui::TextColored(colors::kDim, "(it needs the kernel's symbols and paging on: run past paging_init)");
        return;
    }
    const dbg::PkmapView& p = *s.pkmap;
    ImGui::TextWrapped("LAST_PKMAP %u at %s   last_pkmap_nr %u   free %u  unused %u  in use %u", p.last_pkmap,
                       hex8(p.pkmap_base).c_str(), p.last_pkmap_nr, p.free, p.unused, p.in_use);
    legend(SlotColour::Free, "0 free");
    ImGui::SameLine();
    legend(SlotColour::Unused, "1 unused, maybe cached");
    ImGui::SameLine();
    legend(SlotColour::InUse, "n: n-1 users");
    ImGui::SameLine();
    ImGui::TextColored(colors::kDim, "  dot: in DTLB");
    frame_legend(kLastNrFrame, "last_pkmap_nr (the next search starts after it)");
    ImGui::SameLine();
    frame_legend(kStaleFrame, "stale TLB entry");

    // The grid takes the panel's upper part; a line per mapped slot goes under it.
    const unsigned mapped = p.in_use + p.unused;
    const float line = ImGui::GetTextLineHeightWithSpacing();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float grid_h = std::max(avail.y - line * std::min(mapped, 4u) - 2, avail.y * 0.6f);
    const unsigned n = static_cast<unsigned>(p.slots.size());
    // As many columns as make the cells squarest (1024 slots in a wide panel: 64 x 16).
    unsigned columns = 16;
    float best = 0;
    for (unsigned cols = 16; cols <= 128; cols *= 2) {
        const unsigned r = (n + cols - 1) / cols;
        const float side = std::min(avail.x / cols, grid_h / std::max(r, 1u));
        if (side > best) best = side, columns = cols;
    }
    const unsigned rows = (n + columns - 1) / columns;
    const float cw = std::max(4.0f, std::min(avail.x / columns, 18.0f));
    const float ch = std::max(4.0f, std::min(grid_h / std::max(rows, 1u), cw));
    const float frame = std::min(cw, ch) >= 10 ? 2.0f : 1.0f;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImGui::InvisibleButton("grid", ImVec2(cw * columns, ch * rows));
    const bool hovered = ImGui::IsItemHovered();
    const bool clicked = ImGui::IsItemClicked();
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    for (const dbg::PkmapSlot& slot : p.slots) {
        const unsigned col = slot.index % columns, row = slot.index / columns;
        const ImVec2 a(origin.x + col * cw, origin.y + row * ch);
        const ImVec2 b(a.x + cw - 1, a.y + ch - 1);
        dl->AddRectFilled(a, b, fill(slot_colour(slot.count)));
        if (slot.in_dtlb || slot.in_itlb) {
            dl->AddCircleFilled(ImVec2((a.x + b.x) / 2, (a.y + b.y) / 2), std::min(cw, ch) / 4, IM_COL32(255, 255, 255, 255));
        }
        // Around the cell (over the 1-pixel gaps and the neighbours' edges), not on it.
        const auto around = [&](float by, ImU32 colour) {
            dl->AddRect(ImVec2(a.x - by, a.y - by), ImVec2(b.x + by, b.y + by), colour, 0, 0, frame);
        };
        if (slot.tlb_stale) around(frame, kStaleFrame);
        if (slot.index == p.last_pkmap_nr) around(slot.tlb_stale ? 2 * frame : frame, kLastNrFrame);
        const bool under_mouse = hovered && mouse.x >= a.x && mouse.x < a.x + cw && mouse.y >= a.y && mouse.y < a.y + ch;
        if (!under_mouse) continue;
        ImGui::SetTooltip("slot %u at %s\npkmap_count %d: %s\nPTE %s%s\npage frame %s\nDTLB %s, ITLB %s%s\nclick: walk it", slot.index,
                          hex8(slot.vaddr).c_str(), slot.count, slot.state.c_str(), hex(slot.pte).c_str(),
                          slot.pte_present ? " (present)" : " (not present)", hex(slot.phys).c_str(), slot.in_dtlb ? "yes" : "no",
                          slot.in_itlb ? "yes" : "no", slot.tlb_stale ? "\nthe TLB entry is STALE" : "");
        if (clicked) c.issue("walk " + hex8(slot.vaddr), "click in the pkmap panel");
    }
    // The mapped slots in words (click one: walk it).
    for (const dbg::PkmapSlot& slot : p.slots) {
        if (slot.count <= 0) continue;
        ImGui::PushID(static_cast<int>(slot.index));
        char text[160];
        std::snprintf(text, sizeof text, "slot %u %s  count %d (%s)  frame %s%s%s", slot.index, hex8(slot.vaddr).c_str(), slot.count,
                      slot.state.c_str(), hex(slot.phys).c_str(), slot.in_dtlb ? "  in DTLB" : "", slot.tlb_stale ? " STALE" : "");
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(fill(slot_colour(slot.count))));
        if (ImGui::Selectable(text)) c.issue("walk " + hex8(slot.vaddr), "click in the pkmap panel");
        ImGui::PopStyleColor();
        ImGui::PopID();
    }
}

}  // namespace hm::gui
