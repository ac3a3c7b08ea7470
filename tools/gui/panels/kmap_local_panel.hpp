// Each task's kmap_local stack: the fixmap slots it holds (FIX_KMAP_BEGIN + depth),
// the PTE value saved in its kmap_ctrl, the page, whether the PTE is installed
// now (only the running task's are) and whether the DTLB holds the slot. Click a
// slot to walk its address.
#pragma once
#include "panel.hpp"

namespace hm::gui {

class KmapLocalPanel : public Panel {
public:
    explicit KmapLocalPanel(PanelRect r) : Panel("kmap_local stacks", r) {}

protected:
    void drawContent(Controller& c) override;
};

}  // namespace hm::gui
