// Guest memory as a hex dump, by linear or by physical address. Typing an
// address (any command-language expression: `$esp`, `pkmap_count`, `0xc0400000+8`)
// and the Linear/Physical toggle issue `x` / `xp`, which also move this view.
// Bytes changed since the previous stop are red; unreadable ones (not mapped,
// device memory) show as "??".
#pragma once
#include "panel.hpp"

namespace hm::gui {

class MemoryPanel : public Panel {
public:
    explicit MemoryPanel(PanelRect r) : Panel("Memory", r) {}

protected:
    void drawContent(Controller& c) override;

private:
    char addr_[128] = "";
    u64 shown_serial_ = 0;
};

}  // namespace hm::gui
