// The page walk of one linear address, drawn as the chain the MMU follows:
// CR3 -> (PDPTE) -> PDE -> PTE -> frame. Each box is one entry: which table
// index the address selects, where the entry sits in physical memory, its value,
// every bit by name, and whether a real access now would set A or D. A faulting
// walk ends in a red box with the level, the #PF error code and its meaning. Below
// the chain: what the I/D TLBs hold for this address, and whether it is stale.
// Typing an address issues `walk ADDR [w|x] [user]`, which moves this view.
#pragma once
#include "panel.hpp"

namespace hm::gui {

class PageWalkPanel : public Panel {
public:
    explicit PageWalkPanel(PanelRect r) : Panel("Page walk", r) {}

protected:
    void drawContent(Controller& c) override;

private:
    char addr_[128] = "";
    int access_ = 0;  // r, w, x
    bool user_ = false;
    u64 shown_serial_ = 0;
};

}  // namespace hm::gui
