// The kernel's pkmap window (kmap's persistent mappings), one cell per slot:
// LAST_PKMAP = 1024 cells under 2-level paging, 512 under PAE. The colour is the
// slot's pkmap_count: 0 grey (free, flushed), 1 yellow (no user, but the old
// translation may still be cached), n green (n-1 users). A white dot: the DTLB
// holds the slot's address; an orange frame: that TLB entry is stale. The cyan
// frame is last_pkmap_nr, where the next search starts. Hover for the slot's page
// and PTE; click to walk its address. Under the grid, a line per mapped slot.
#pragma once
#include "panel.hpp"

namespace hm::gui {

// What a slot's cell looks like (pure, for the tests).
enum class SlotColour : unsigned char { Free, Unused, InUse };
SlotColour slot_colour(int count);

class PkmapPanel : public Panel {
public:
    explicit PkmapPanel(PanelRect r) : Panel("pkmap", r) {}

protected:
    void drawContent(Controller& c) override;
};

}  // namespace hm::gui
