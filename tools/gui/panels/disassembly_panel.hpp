// Disassembly around EIP: the current instruction highlighted, function names as
// labels, breakpoints in the gutter. Click the gutter (or select a line and press
// F9) to toggle a breakpoint: `b ADDR` / `delete ID`; double-click a line to run
// to it: `until ADDR`.
#pragma once
#include "panel.hpp"

namespace hm::gui {

class DisassemblyPanel : public Panel {
public:
    explicit DisassemblyPanel(PanelRect r) : Panel("Disassembly", r) {}
    // F9: toggles the breakpoint on the selected line (EIP's when none is).
    static void toggle_breakpoint(Controller& c, u32 addr, const std::string& how);

protected:
    void drawContent(Controller& c) override;

private:
    u64 scrolled_for_ = 0;  // snapshot serial the view last scrolled to EIP for
};

}  // namespace hm::gui
