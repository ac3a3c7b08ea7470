#include "tlb_panel.hpp"

#include <algorithm>
#include <string>

#include "widgets.hpp"

namespace hm::gui {

namespace {

void counters(const TlbStats& now, const TlbStats& before) {
    text_wrapped_colored(colors::kDim, "since the previous stop: %llu lookups, %llu hits, %llu misses, %llu walks, %llu fills, %llu evictions, "
                       "%llu invalidated",
                       static_cast<unsigned long long>(now.lookups - before.lookups),
                       static_cast<unsigned long long>(now.hits - before.hits),
                       static_cast<unsigned long long>(now.misses - before.misses),
                       static_cast<unsigned long long>(now.walks - before.walks),
                       static_cast<unsigned long long>(now.fills_4k + now.fills_large - before.fills_4k - before.fills_large),
                       static_cast<unsigned long long>(now.evictions - before.evictions),
                       static_cast<unsigned long long>(now.entries_invalidated - before.entries_invalidated));
}

void entry_cells(const TlbEntryView& e) {
    ImGui::TableNextColumn();
    ImGui::Text("%s", e.large ? "large" : "4K");
    ImGui::TableNextColumn();
    ImGui::Text("%u/%u", e.set, e.way);
    ImGui::TableNextColumn();
    ImGui::Text("%08x", e.lin_base);
    ImGui::TableNextColumn();
    ImGui::Text("%09llx", static_cast<unsigned long long>(e.frame));
    ImGui::TableNextColumn();
    ImGui::Text("%s %s %s%s%s%s", size_text(e.page_size_log2).c_str(), e.writable ? "RW" : "RO", e.user ? "U" : "S",
                e.global ? " G" : "", e.dirty ? " D" : "", e.nx ? " NX" : "");
}

// `focus`: the page-walk panel's page, whose entry is shown selected.
// `scroll_to_news`: bring the first filled or stale row into view (once per stop).
void table(Controller& c, const char* id, const TlbDiff& d, u32 focus, bool& scroll_to_news) {
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit |
                                  ImGuiTableFlags_BordersInnerV;
    const float height = ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing() * 2.5f;
    if (!ImGui::BeginTable(id, 6, flags, ImVec2(0, std::max(height, 60.0f)))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("array");
    ImGui::TableSetupColumn("set/way");
    ImGui::TableSetupColumn("linear");
    ImGui::TableSetupColumn("frame");
    ImGui::TableSetupColumn("size, rights");
    ImGui::TableSetupColumn("state", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    for (const TlbRow& r : d.rows) {
        ImGui::TableNextRow();
        if (r.stale) {
            ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(110, 60, 10, 255));
        } else if (r.filled) {
            ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(25, 85, 40, 255));
        } else if (r.hits) {
            ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(30, 55, 100, 255));
        }
        ImGui::PushID(static_cast<int>(r.entry.set * 64 + r.entry.way + (r.entry.large ? 32768 : 0)));
        entry_cells(r.entry);
        ImGui::TableNextColumn();
        std::string state = r.stale ? (r.filled ? "filled, STALE" : "STALE") : r.filled ? "filled" : "";
        if (r.hits) state += (state.empty() ? "" : ", ") + std::to_string(r.hits) + (r.hits == 1 ? " hit" : " hits");
        const u32 page_mask = ~((u32{1} << r.entry.page_size_log2) - 1);
        const bool walked = (focus & page_mask) == r.entry.lin_base;
        if (scroll_to_news && (r.filled || r.stale)) {
            ImGui::SetScrollHereY(0.3f);
            scroll_to_news = false;
        }
        if (ImGui::Selectable(state.empty() ? "-" : state.c_str(), walked, ImGuiSelectableFlags_SpanAllColumns)) {
            c.issue("walk " + hex8(r.entry.lin_base), "click in the TLB panel");
        }
        if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip("%s\nclick: walk %s", r.stale ? "the tables in memory no longer give this translation" : "agrees with memory",
                              hex8(r.entry.lin_base).c_str());
        }
        ImGui::PopID();
    }
    ImGui::EndTable();
    scroll_to_news = false;
    // The label names the first dropped pages, so that a flush reads at a glance
    // (two: with more the label would not fit the panel at the default size).
    std::string pages;
    for (size_t i = 0; i < d.dropped.size() && i < 2; ++i) pages += (i ? ", " : ": ") + hex8(d.dropped[i].lin_base);
    if (d.dropped.size() > 2) pages += ", ...";
    if (!d.dropped.empty() &&
        ImGui::TreeNode("dropped", "%zu %s dropped since the stop%s", d.dropped.size(),
                        d.dropped.size() == 1 ? "entry" : "entries", pages.c_str())) {
        for (const TlbEntryView& e : d.dropped) {
            ImGui::TextColored(colors::kDim, "%s set %u way %u: %08x -> %09llx", e.large ? "large" : "4K", e.set, e.way, e.lin_base,
                               static_cast<unsigned long long>(e.frame));
        }
        ImGui::TreePop();
    }
}

}  // namespace

void TlbPanel::drawContent(Controller& c) {
    const Snapshot& s = c.snapshot();
    if (s.serial != seen_serial_) {
        seen_serial_ = s.serial;
        scroll_dtlb_ = scroll_itlb_ = true;
    }
    const u32 focus = s.walk.linear;
    auto count = [](const TlbDiff& d, bool TlbRow::*field) {
        return std::count_if(d.rows.begin(), d.rows.end(), [&](const TlbRow& r) { return r.*field; });
    };
    if (ImGui::BeginTabBar("tlbs")) {
        char dtab[64], itab[64];
        std::snprintf(dtab, sizeof dtab, "DTLB (%zu, %ld new)###dtlb", s.dtlb.rows.size(), count(s.dtlb, &TlbRow::filled));
        std::snprintf(itab, sizeof itab, "ITLB (%zu, %ld new)###itlb", s.itlb.rows.size(), count(s.itlb, &TlbRow::filled));
        if (ImGui::BeginTabItem(dtab)) {
            counters(s.stats.mmu.dtlb, s.prev_stats.mmu.dtlb);
            table(c, "dtlb_entries", s.dtlb, focus, scroll_dtlb_);
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem(itab)) {
            counters(s.stats.mmu.itlb, s.prev_stats.mmu.itlb);
            table(c, "itlb_entries", s.itlb, focus, scroll_itlb_);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    const long stale = count(s.dtlb, &TlbRow::stale) + count(s.itlb, &TlbRow::stale);
    if (stale) ImGui::TextColored(colors::kStale, "%ld stale %s", stale, stale == 1 ? "entry" : "entries");
}

}  // namespace hm::gui
