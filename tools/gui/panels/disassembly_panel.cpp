#include "disassembly_panel.hpp"

#include "widgets.hpp"

namespace hm::gui {

void DisassemblyPanel::toggle_breakpoint(Controller& c, u32 addr, const std::string& how) {
    for (const dbg::Breakpoint& b : c.snapshot().breakpoints) {
        if (b.space == dbg::Space::Linear && b.addr == addr && !b.temporary) {
            c.issue("delete " + std::to_string(b.id), how);
            return;
        }
    }
    c.issue("b " + hex8(addr), how);
}

void DisassemblyPanel::drawContent(Controller& c) {
    const Snapshot& s = c.snapshot();
    ViewState& view = c.view();
    const u32 pc = s.regs.pc();
    text_wrapped_colored(colors::kDim, "EIP %s   click the gutter or F9: breakpoint; double-click: run to the line", hex8(pc).c_str());
    if (!s.disasm_error.empty()) ImGui::TextColored(colors::kFault, "%s", s.disasm_error.c_str());
    ImGui::Separator();

    ImGui::BeginChild("listing", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);  // long symbol names
    const bool scroll_to_pc = scrolled_for_ != s.serial;
    for (const dbg::Instruction& i : s.disasm) {
        // A function's first instruction: its name as a label.
        if (!i.symbol.empty() && i.symbol.find('+') == std::string::npos) {
            ImGui::TextColored(colors::kSymbol, "<%s>:", i.symbol.c_str());
        }
        ImGui::PushID(static_cast<int>(i.linear));
        const dbg::Breakpoint* bp = nullptr;
        for (const dbg::Breakpoint& b : s.breakpoints) {
            if (b.space == dbg::Space::Linear && b.addr == i.linear) bp = &b;
        }
        const bool is_pc = i.linear == pc;
        const bool selected = view.selected_insn && *view.selected_insn == i.linear;
        const ImVec2 row = ImGui::GetCursorScreenPos();
        const float h = ImGui::GetTextLineHeightWithSpacing();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        if (is_pc) dl->AddRectFilled(row, ImVec2(row.x + ImGui::GetContentRegionAvail().x, row.y + h), colors::kCurrentLine);
        // Gutter: a breakpoint dot; clicking it toggles.
        if (ImGui::InvisibleButton("gutter", ImVec2(16, h))) toggle_breakpoint(c, i.linear, "click in the disassembly gutter");
        if (bp) {
            const ImU32 col = bp->enabled ? colors::kBreakpoint : IM_COL32(120, 60, 60, 255);
            dl->AddCircleFilled(ImVec2(row.x + 8, row.y + h / 2), 5, col);
        }
        ImGui::SameLine();
        char line[256];
        std::snprintf(line, sizeof line, "%s %s %-7s %s", is_pc ? ">" : " ", hex8(i.linear).c_str(), i.mnemonic.c_str(),
                      i.operands.c_str());
        if (ImGui::Selectable(line, selected, ImGuiSelectableFlags_AllowDoubleClick)) {
            view.selected_insn = i.linear;
            if (ImGui::IsMouseDoubleClicked(0)) c.issue("until " + hex8(i.linear), "double-click in the disassembly");
        }
        if (ImGui::IsItemHovered() && !i.symbol.empty()) ImGui::SetTooltip("%s", i.symbol.c_str());
        if (is_pc && scroll_to_pc) ImGui::SetScrollHereY(0.3f);
        ImGui::PopID();
    }
    if (scroll_to_pc) scrolled_for_ = s.serial;
    ImGui::EndChild();
}

}  // namespace hm::gui
