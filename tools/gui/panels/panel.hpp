// The base of every panel (ImHex's shape): draw() is the same for all and not
// overridable: it places the window, opens it, calls the panel's drawContent()
// and closes it; a panel only says what is inside. Panels read the controller's
// snapshot and act only through Controller::issue (so every action is echoed as a
// command), or by editing the view state.
#pragma once
#include <string>

#include <imgui.h>

#include "../controller.hpp"

namespace hm::gui {

// A panel's place as fractions of the area under the toolbar (0..1).
struct PanelRect {
    float x, y, w, h;
};

class Panel {
public:
    Panel(std::string title, PanelRect rect) : title_(std::move(title)), rect_(rect) {}
    virtual ~Panel() = default;
    Panel(const Panel&) = delete;
    Panel& operator=(const Panel&) = delete;

    // `area_pos`/`area_size`: the region panels share; `relayout`: put the panel
    // back at its default place (first frame, window resized, View > Reset layout).
    void draw(Controller& c, ImVec2 area_pos, ImVec2 area_size, bool relayout);

    const std::string& title() const { return title_; }
    bool& visible() { return visible_; }

protected:
    virtual void drawContent(Controller& c) = 0;
    virtual ImGuiWindowFlags windowFlags() const { return 0; }

private:
    std::string title_;
    PanelRect rect_;
    bool visible_ = true;
};

}  // namespace hm::gui
