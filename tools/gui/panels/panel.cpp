#include "panel.hpp"

namespace hm::gui {

void Panel::draw(Controller& c, ImVec2 area_pos, ImVec2 area_size, bool relayout) {
    if (!visible_) return;
    const ImGuiCond cond = relayout ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
    ImGui::SetNextWindowPos(ImVec2(area_pos.x + rect_.x * area_size.x, area_pos.y + rect_.y * area_size.y), cond);
    ImGui::SetNextWindowSize(ImVec2(rect_.w * area_size.x, rect_.h * area_size.y), cond);
    if (ImGui::Begin(title_.c_str(), &visible_, windowFlags() | ImGuiWindowFlags_NoCollapse)) drawContent(c);
    ImGui::End();
}

}  // namespace hm::gui
