// The modelled TLBs as they are now: the data and instruction TLBs, each with its
// 4 KiB and large-page arrays, one row per valid entry (set, way, linear page,
// frame, size, rights). Entries filled since the previous stop are green; stale
// entries (the page tables in memory no longer give this translation, and no
// flush has dropped it yet) are orange and marked STALE. Below: the entries the
// last run dropped (flushed or evicted), and the TLB counters since the last stop.
// The entry for the page-walk panel's address is shown selected, and after each
// stop the table scrolls to its first filled or stale entry.
#pragma once
#include "panel.hpp"

namespace hm::gui {

class TlbPanel : public Panel {
public:
    explicit TlbPanel(PanelRect r) : Panel("TLB", r) {}

protected:
    void drawContent(Controller& c) override;

private:
    u64 seen_serial_ = 0;
    bool scroll_dtlb_ = false, scroll_itlb_ = false;
};

}  // namespace hm::gui
