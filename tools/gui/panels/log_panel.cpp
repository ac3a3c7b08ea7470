#include "log_panel.hpp"

#include <cstring>

#include "widgets.hpp"

namespace hm::gui {

int LogPanel::history_callback(ImGuiInputTextCallbackData* data) {
    auto* self = static_cast<LogPanel*>(data->UserData);
    if (data->EventFlag != ImGuiInputTextFlags_CallbackHistory || self->history_.empty()) return 0;
    const int n = static_cast<int>(self->history_.size());
    int& pos = self->history_pos_;
    if (data->EventKey == ImGuiKey_UpArrow) {
        pos = pos < 0 ? n - 1 : (pos > 0 ? pos - 1 : 0);
    } else if (data->EventKey == ImGuiKey_DownArrow) {
        pos = pos < 0 ? -1 : (pos + 1 < n ? pos + 1 : -1);
    }
    data->DeleteChars(0, data->BufTextLen);
    if (pos >= 0) data->InsertChars(0, self->history_[static_cast<size_t>(pos)].c_str());
    return 0;
}

void LogPanel::drawContent(Controller& c) {
    const float box_height = ImGui::GetFrameHeightWithSpacing() + ImGui::GetTextLineHeightWithSpacing();
    ImGui::BeginChild("log", ImVec2(0, -box_height), false, ImGuiWindowFlags_HorizontalScrollbar);
    for (const LogLine& l : log_.lines()) {
        switch (l.kind) {
            case LogLine::Kind::Command: ImGui::TextColored(colors::kSymbol, "%s", l.text.c_str()); break;
            case LogLine::Kind::Error: ImGui::TextColored(colors::kFault, "%s", l.text.c_str()); break;
            case LogLine::Kind::Note: ImGui::TextColored(colors::kNote, "%s", l.text.c_str()); break;
            case LogLine::Kind::Output: ImGui::TextUnformatted(l.text.c_str()); break;
        }
    }
    if (seen_version_ != log_.version()) {
        ImGui::SetScrollHereY(1.0f);
        seen_version_ = log_.version();
    }
    ImGui::EndChild();

    if (c.busy()) {
        ImGui::TextColored(colors::kNote, "running... F6 or Stop interrupts");
    } else {
        ImGui::TextColored(colors::kDim, "Enter on an empty line repeats `%s`; `help` lists the commands", c.last_step().c_str());
    }
    ImGui::SetNextItemWidth(-1);
    if (want_focus_) {
        ImGui::SetKeyboardFocusHere();
        want_focus_ = false;
    }
    const ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CallbackHistory;
    if (ImGui::InputText("##command", input_, sizeof input_, flags, &LogPanel::history_callback, this)) {
        const std::string line = input_;
        if (line.find_first_not_of(" \t") == std::string::npos) {
            c.repeat_step();
        } else {
            c.issue(line);
            if (history_.empty() || history_.back() != line) history_.push_back(line);
        }
        history_pos_ = -1;
        input_[0] = '\0';
        want_focus_ = true;  // keep typing
    }
}

}  // namespace hm::gui
