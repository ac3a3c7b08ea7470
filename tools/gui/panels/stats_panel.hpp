// Statistics of the run: time, instructions, TLB counters, page faults, the
// decode cache, devices; each with its growth since the previous stop.
#pragma once
#include "panel.hpp"

namespace hm::gui {

class StatsPanel : public Panel {
public:
    explicit StatsPanel(PanelRect r) : Panel("Statistics", r) {}

protected:
    void drawContent(Controller& c) override;
};

}  // namespace hm::gui
