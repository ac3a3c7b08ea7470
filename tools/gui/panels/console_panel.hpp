// The guest's consoles: COM1 (serial), the VGA text screen (80x25, in its
// colours) and the port 0xE9 debug console. Serial and debugcon are live while
// the guest runs; the VGA screen is read at each stop.
#pragma once
#include "panel.hpp"

namespace hm::gui {

class ConsolePanel : public Panel {
public:
    explicit ConsolePanel(PanelRect r) : Panel("Console", r) {}

    struct Cache {
        size_t seen = 0;
        std::string text;
    };

protected:
    void drawContent(Controller& c) override;

private:
    Cache serial_, debugcon_;
};

}  // namespace hm::gui
