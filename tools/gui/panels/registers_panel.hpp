// General registers, EIP and EFLAGS (every flag by name), with what changed since
// the previous stop in red; then the system state: segment registers with their
// descriptor caches, the descriptor-table registers, CR0/CR2/CR3/CR4/EFER with
// their bits, the debug registers.
#pragma once
#include "panel.hpp"

namespace hm::gui {

class RegistersPanel : public Panel {
public:
    explicit RegistersPanel(PanelRect r) : Panel("Registers", r) {}

protected:
    void drawContent(Controller& c) override;
};

}  // namespace hm::gui
