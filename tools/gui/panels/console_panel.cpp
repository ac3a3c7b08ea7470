#include "console_panel.hpp"

#include "widgets.hpp"

namespace hm::gui {

namespace {

// The 16 colours of the text mode's default palette.
constexpr ImU32 kVgaPalette[16] = {
    IM_COL32(0, 0, 0, 255),       IM_COL32(0, 0, 170, 255),     IM_COL32(0, 170, 0, 255),     IM_COL32(0, 170, 170, 255),
    IM_COL32(170, 0, 0, 255),     IM_COL32(170, 0, 170, 255),   IM_COL32(170, 85, 0, 255),    IM_COL32(170, 170, 170, 255),
    IM_COL32(85, 85, 85, 255),    IM_COL32(85, 85, 255, 255),   IM_COL32(85, 255, 85, 255),   IM_COL32(85, 255, 255, 255),
    IM_COL32(255, 85, 85, 255),   IM_COL32(255, 85, 255, 255),  IM_COL32(255, 255, 85, 255),  IM_COL32(255, 255, 255, 255),
};

// Follows new text: scrolls to the bottom when the text grew and the view was there.
void text_log(const char* id, ConsoleBuffer& buf, ConsolePanel::Cache& cache) {
    // The guest decides its line length: wider lines scroll, as in the VGA view.
    ImGui::BeginChild(id, ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    const size_t total = buf.total();
    const bool grew = total != cache.seen;
    if (grew) cache.text = buf.text();  // copied only when the guest wrote more
    if (cache.text.empty()) ImGui::TextColored(colors::kDim, "(nothing yet)");
    ImGui::TextUnformatted(cache.text.data(), cache.text.data() + cache.text.size());
    if (grew && ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 40) ImGui::SetScrollHereY(1.0f);
    cache.seen = total;
    ImGui::EndChild();
}

void vga_screen(const VgaScreen& v) {
    if (v.columns == 0) return;
    ImGui::BeginChild("vga", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    const float cw = ImGui::CalcTextSize("M").x, ch = ImGui::GetTextLineHeight();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (unsigned r = 0; r < v.rows; ++r) {
        for (unsigned col = 0; col < v.columns; ++col) {
            const unsigned i = r * v.columns + col;
            const u8 attr = v.attrs[i];
            const ImVec2 a(o.x + col * cw, o.y + r * ch);
            dl->AddRectFilled(a, ImVec2(a.x + cw, a.y + ch), kVgaPalette[(attr >> 4) & 7]);
            const u8 chr = v.chars[i];
            if (chr > 0x20 && chr < 0x7F) {
                const char t[2] = {static_cast<char>(chr), 0};
                dl->AddText(a, kVgaPalette[attr & 15], t);
            }
            if (v.cursor_visible && i == v.cursor) dl->AddLine(ImVec2(a.x, a.y + ch - 1), ImVec2(a.x + cw, a.y + ch - 1), kVgaPalette[7], 2);
        }
    }
    ImGui::Dummy(ImVec2(cw * v.columns, ch * v.rows));
    ImGui::EndChild();
}

}  // namespace

void ConsolePanel::drawContent(Controller& c) {
    if (!ImGui::BeginTabBar("consoles")) return;
    if (ImGui::BeginTabItem("serial (COM1)")) {
        text_log("serial", c.session().serial(), serial_);
        ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("VGA text")) {
        vga_screen(c.snapshot().vga);
        ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("debugcon (0xE9)")) {
        text_log("debugcon", c.session().debugcon(), debugcon_);
        ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
}

}  // namespace hm::gui
