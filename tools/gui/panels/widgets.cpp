#include "widgets.hpp"

#include <cstdarg>
#include <cstdio>

namespace hm::gui {

std::string hex8(u32 v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", v);
    return b;
}

std::string hex(u64 v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

std::string size_text(u8 log2) {
    switch (log2) {
        case 12: return "4K";
        case 21: return "2M";
        case 22: return "4M";
    }
    return "2^" + std::to_string(log2);
}

void bit_tag(const char* name, bool set, const char* meaning) {
    ImGui::PushStyleColor(ImGuiCol_Text, set ? ImVec4(1, 1, 1, 1) : colors::kDim);
    ImGui::PushStyleColor(ImGuiCol_Button, set ? ImVec4(0.20f, 0.40f, 0.70f, 1) : ImVec4(0.15f, 0.15f, 0.18f, 1));
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(3, 1));
    ImGui::SmallButton(name);
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(2);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s: %s", meaning, set ? "set" : "clear");
}

void text_if(bool on, const ImVec4& color, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    if (on) {
        ImGui::TextColoredV(color, fmt, args);
    } else {
        ImGui::TextV(fmt, args);
    }
    va_end(args);
}

void text_wrapped_colored(const ImVec4& color, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::TextWrappedV(fmt, args);
    ImGui::PopStyleColor();
    va_end(args);
}

bool address_box(const char* id, char* buf, size_t buf_size, float width) {
    ImGui::SetNextItemWidth(width);
    return ImGui::InputText(id, buf, buf_size, ImGuiInputTextFlags_EnterReturnsTrue);
}

}  // namespace hm::gui
