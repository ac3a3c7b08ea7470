#include "events_panel.hpp"

#include "debug/debug_format.hpp"
#include "widgets.hpp"

namespace hm::gui {

namespace {

void enable_box(Controller& c, int id, bool enabled) {
    bool on = enabled;
    if (ImGui::Checkbox("##on", &on)) c.issue((on ? "enable " : "disable ") + std::to_string(id), "checkbox in the breakpoints list");
    ImGui::SameLine();
    if (ImGui::SmallButton("x")) c.issue("delete " + std::to_string(id), "button in the breakpoints list");
    ImGui::SameLine();
}

}  // namespace

void EventsPanel::drawContent(Controller& c) {
    const Snapshot& s = c.snapshot();
    if (!ImGui::BeginTabBar("events_tabs")) return;
    if (ImGui::BeginTabItem("events")) {
        ImGui::BeginChild("log", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
        if (s.events.empty()) ImGui::TextColored(colors::kDim, "no events logged yet (set log LIST chooses which are)");
        for (const dbg::LogEntry& e : s.events) {
            ImGui::TextColored(colors::kDim, "%10llu", static_cast<unsigned long long>(e.cycle));
            ImGui::SameLine();
            ImGui::TextUnformatted(dbg::describe_record(e.record).c_str());
        }
        if (scrolled_for_ != s.serial) {
            ImGui::SetScrollHereY(1.0f);
            scrolled_for_ = s.serial;
        }
        ImGui::EndChild();
        ImGui::EndTabItem();
    }
    char title[64];
    std::snprintf(title, sizeof title, "breakpoints (%zu)###bps", s.breakpoints.size() + s.watchpoints.size() + s.event_breaks.size());
    if (ImGui::BeginTabItem(title)) {
        for (size_t i = 0; i < s.breakpoints.size(); ++i) {
            const dbg::Breakpoint& b = s.breakpoints[i];
            ImGui::PushID(b.id);
            enable_box(c, b.id, b.enabled);
            const std::string& sym = s.breakpoint_symbols[i];
            ImGui::Text("%d %s %s %s%s  hits %llu", b.id, b.space == dbg::Space::Linear ? "b " : "pb", hex(b.addr).c_str(),
                        sym.empty() ? "" : ("<" + sym + ">").c_str(), b.temporary ? " (temporary)" : "",
                        static_cast<unsigned long long>(b.hits));
            ImGui::PopID();
        }
        for (const dbg::Watchpoint& w : s.watchpoints) {
            ImGui::PushID(w.id);
            enable_box(c, w.id, w.enabled);
            ImGui::Text("%d watch %s %s %s len %u  hits %llu", w.id, dbg::watch_kind_name(w.kind), dbg::space_name(w.space), hex(w.addr).c_str(),
                        w.len, static_cast<unsigned long long>(w.hits));
            ImGui::PopID();
        }
        for (const dbg::EventBreak& e : s.event_breaks) {
            ImGui::PushID(e.id);
            enable_box(c, e.id, e.enabled);
            ImGui::Text("%d break-on %s%s  hits %llu", e.id, dbg::event_kind_name(e.kind),
                        e.arg == dbg::kAnyArg ? "" : (" " + hex(e.arg)).c_str(), static_cast<unsigned long long>(e.hits));
            ImGui::PopID();
        }
        if (s.breakpoints.empty() && s.watchpoints.empty() && s.event_breaks.empty()) {
            ImGui::TextColored(colors::kDim, "none: F9 in the disassembly, or b / pb / watch / break-on in the command box");
        }
        ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
}

}  // namespace hm::gui
