#include "kmap_local_panel.hpp"

#include "widgets.hpp"

namespace hm::gui {

void KmapLocalPanel::drawContent(Controller& c) {
    const Snapshot& s = c.snapshot();
    if (!s.tasks_error.empty()) {
        ImGui::TextWrapped("No tasks to show: %s", s.tasks_error.c_str());
        return;
    }
    if (s.kmap_place) {
        // -smp N: the slots are the selected CPU's block (the CPU selector in the menu bar).
        const dbg::KmapLocalPlace& p = *s.kmap_place;
        ImGui::TextColored(colors::kNote, "CPU %u: fixmap block %u of %u%s%s", p.cpu, p.block, p.blocks,
                           p.blocks_found ? "" : " (assumed)", p.guard_slots ? ", guard slots" : "");
        if (!p.note.empty()) {
            ImGui::PushStyleColor(ImGuiCol_Text, colors::kDim);
            ImGui::TextWrapped("%s", p.note.c_str());
            ImGui::PopStyleColor();
        }
    }
    for (const dbg::TaskView& t : s.tasks) {
        const ImVec4 colour = t.current ? colors::kFilled : ImGui::GetStyleColorVec4(ImGuiCol_Text);
        if (t.cpu >= 0) {  // Linux: each CPU's current task (emu/debug/linux_view.hpp)
            ImGui::TextColored(colour, "* CPU %d  current task %s  kmap_idx %u", t.cpu, hex8(t.addr).c_str(), t.kmap_idx);
        } else {
            ImGui::TextColored(colour, "%s pid %d %-12s %s  kmap_idx %u", t.current ? "*" : " ", t.pid, t.comm.c_str(),
                               t.kthread ? "kthread" : "user", t.kmap_idx);
            if (s.kmap_place) {  // -smp N: where it runs, and whose block holds its slots
                ImGui::SameLine();
                if (t.runs_on >= 0 && !t.current) ImGui::TextColored(colors::kDim, " running on CPU %d", t.runs_on);
                else if (t.kmap_idx > 0) ImGui::TextColored(colors::kDim, " block %u", t.slot_cpu);
            }
        }
        for (const dbg::KmapLocalSlot& k : t.kmap_local) {
            ImGui::PushID(static_cast<int>(t.addr + k.depth));
            char line[160];
            std::snprintf(line, sizeof line, "    [%u] %s  pte %s  page %s  %s%s", k.depth, hex8(k.vaddr).c_str(), hex(k.pteval).c_str(),
                          hex(k.phys).c_str(), k.installed ? "installed" : "saved only", k.in_dtlb ? ", in DTLB" : "");
            if (ImGui::Selectable(line)) c.issue("walk " + hex8(k.vaddr), "click in the kmap_local panel");
            ImGui::PopID();
        }
    }
    if (s.tasks.empty()) ImGui::TextColored(colors::kDim, "no tasks yet");
}

}  // namespace hm::gui
