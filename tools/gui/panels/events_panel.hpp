// The debugger's event log (exceptions with their error code and CR2, interrupts,
// TLB flushes, stale translations, watchpoint hits; `set log` chooses which) and
// the breakpoints, watchpoints and event breaks with their hit counts. A
// breakpoint's checkbox issues `enable ID` / `disable ID`, its button `delete ID`.
#pragma once
#include "panel.hpp"

namespace hm::gui {

class EventsPanel : public Panel {
public:
    explicit EventsPanel(PanelRect r) : Panel("Events and breakpoints", r) {}

protected:
    void drawContent(Controller& c) override;

private:
    u64 scrolled_for_ = 0;
};

}  // namespace hm::gui
