// The command log and the command box. The log shows every command issued (typed
// here, clicked in a panel, pressed as a key, read from a script) as the
// command-language line it amounts to, and its output. The box takes any debugger
// command (`help` lists them) plus `screenshot FILE`; Up/Down walk the history;
// Enter on an empty box repeats the last step (`s`, `n`, `s 10`...).
#pragma once
#include <string>
#include <vector>

#include "../command_log.hpp"
#include "panel.hpp"

namespace hm::gui {

class LogPanel : public Panel {
public:
    LogPanel(PanelRect r, CommandLog& log) : Panel("Commands", r), log_(log) {}
    // F-keys leave the box alone; this puts the keyboard back into it.
    void focus_box() { want_focus_ = true; }

protected:
    void drawContent(Controller& c) override;

private:
    static int history_callback(ImGuiInputTextCallbackData* data);

    CommandLog& log_;
    char input_[512] = "";
    std::vector<std::string> history_;
    int history_pos_ = -1;  // -1: a new line, else an index into history_
    size_t seen_version_ = 0;
    bool want_focus_ = true;
};

}  // namespace hm::gui
