#include "memory_panel.hpp"

#include <cstdio>
#include <cstring>

#include "widgets.hpp"

namespace hm::gui {

void MemoryPanel::drawContent(Controller& c) {
    const Snapshot& s = c.snapshot();
    const dbg::MemoryBytes& m = s.mem;
    const bool physical = m.space == dbg::Space::Physical;
    // The box shows where the view is, until the user types something else.
    if (shown_serial_ != s.serial && !ImGui::IsWindowFocused(ImGuiFocusedFlags_ChildWindows)) {
        std::snprintf(addr_, sizeof addr_, "0x%llx", static_cast<unsigned long long>(m.addr));
        shown_serial_ = s.serial;
    }
    auto go = [&](bool phys, const char* how) {
        if (addr_[0] == '\0') return;
        c.issue(std::string(phys ? "xp" : "x") + " /16xb " + addr_, how);
    };
    if (address_box("##addr", addr_, sizeof addr_, 200)) go(physical, "address typed in the memory panel");
    ImGui::SameLine();
    if (ImGui::RadioButton("linear", !physical)) go(false, "memory panel: linear");
    ImGui::SameLine();
    if (ImGui::RadioButton("physical", physical)) go(true, "memory panel: physical");
    if (!c.view().mem_addr) {
        ImGui::SameLine();
        ImGui::TextColored(colors::kDim, "(following ESP)");
    }
    if (!m.error.empty()) ImGui::TextColored(colors::kFault, "%s", m.error.c_str());

    ImGui::BeginChild("dump");
    const size_t rows = m.bytes.size() / 16;
    for (size_t row = 0; row < rows; ++row) {
        const u64 at = m.addr + row * 16;
        ImGui::TextColored(colors::kDim, physical ? "%09llx" : "%08llx", static_cast<unsigned long long>(at));
        for (size_t k = 0; k < 16; ++k) {
            const size_t i = row * 16 + k;
            ImGui::SameLine(0, k == 8 ? 10 : 5);
            if (!m.valid[i]) {
                ImGui::TextColored(colors::kDim, "??");
            } else {
                const bool changed = i < s.mem_changed.size() && s.mem_changed[i];
                text_if(changed, colors::kChanged, "%02x", m.bytes[i]);
                if (changed && ImGui::IsItemHovered() && i < s.prev_mem.bytes.size()) {
                    ImGui::SetTooltip("was %02x at the previous stop", s.prev_mem.bytes[i]);
                }
            }
        }
        char ascii[17];
        for (size_t k = 0; k < 16; ++k) {
            const u8 b = m.bytes[row * 16 + k];
            ascii[k] = m.valid[row * 16 + k] && b >= 0x20 && b < 0x7F ? static_cast<char>(b) : '.';
        }
        ascii[16] = '\0';
        ImGui::SameLine(0, 12);
        ImGui::TextUnformatted(ascii);
    }
    ImGui::EndChild();
}

}  // namespace hm::gui
