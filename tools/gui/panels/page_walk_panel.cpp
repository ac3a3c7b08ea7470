#include "page_walk_panel.hpp"

#include <cstdio>

#include "debug/debug_format.hpp"
#include "widgets.hpp"

namespace hm::gui {

namespace {

// Which bits of the linear address select an entry at this level.
struct IndexBits {
    unsigned hi, lo;
};

IndexBits index_bits(PagingMode mode, const std::string& level) {
    if (mode == PagingMode::Pae) {
        if (level == "PDPTE") return {31, 30};
        if (level == "PDE") return {29, 21};
        return {20, 12};
    }
    if (level == "PDE") return {31, 22};
    return {21, 12};
}

// Draws a frame around the group just ended, and returns its bottom centre.
ImVec2 frame_group(ImU32 border) {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImGui::GetWindowDrawList()->AddRect(ImVec2(a.x - 4, a.y - 3), ImVec2(b.x + 4, b.y + 3), border, 4.0f, 0, 1.5f);
    return ImVec2(a.x + 40, b.y + 3);
}

// An arrow down from `from`, with a label beside it.
void arrow(ImVec2 from, const char* label) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float len = ImGui::GetTextLineHeightWithSpacing() + 6;
    const ImU32 col = IM_COL32(180, 180, 190, 255);
    dl->AddLine(from, ImVec2(from.x, from.y + len - 5), col, 2.0f);
    dl->AddTriangleFilled(ImVec2(from.x - 5, from.y + len - 6), ImVec2(from.x + 5, from.y + len - 6), ImVec2(from.x, from.y + len),
                          col);
    ImGui::Dummy(ImVec2(1, 3));
    ImGui::SetCursorScreenPos(ImVec2(from.x + 14, ImGui::GetCursorScreenPos().y));
    ImGui::TextColored(colors::kDim, "%s", label);
    ImGui::Dummy(ImVec2(1, 6));
}

void entry_box(const dbg::WalkLevel& l, const dbg::WalkView& w, bool faulted_here) {
    const dbg::EntryBits& b = l.bits;
    const bool pae = w.mode == PagingMode::Pae;
    ImGui::BeginGroup();
    ImGui::TextColored(colors::kSymbol, "%s", l.name);
    ImGui::SameLine();
    if (l.from_register) {
        ImGui::Text("#%u  (PDPTE register, loaded from %s at the last CR3 write)", l.index, hex(l.entry_addr).c_str());
    } else {
        ImGui::Text("#%u  at physical %s", l.index, hex(l.entry_addr).c_str());
    }
    char value[32];
    if (pae) {
        std::snprintf(value, sizeof value, "0x%08x_%08x", static_cast<unsigned>(l.value >> 32), static_cast<unsigned>(l.value));
    } else {
        std::snprintf(value, sizeof value, "0x%08x", static_cast<unsigned>(l.value));
    }
    ImGui::Text("value %s", value);
    ImGui::SameLine();
    // Wraps: a not-present entry's explanation is longer than the panel is wide.
    text_wrapped_colored(colors::kDim, "  %s", dbg::walk_target_text(l).c_str());
    const bool pdpte = std::string(l.name) == "PDPTE";
    bit_tag("P", b.present, "present");
    // Without P no other bit means anything to the CPU: no chips for them.
    if (!pdpte && b.present) {
        ImGui::SameLine(0, 2);
        bit_tag("RW", b.writable, "writable");
        ImGui::SameLine(0, 2);
        bit_tag("US", b.user, "user accessible");
    }
    if (b.present) {
        ImGui::SameLine(0, 2);
        bit_tag("PWT", b.write_through, "write-through");
        ImGui::SameLine(0, 2);
        bit_tag("PCD", b.cache_disable, "cache disable");
    }
    if (!pdpte && b.present) {
        ImGui::SameLine(0, 2);
        bit_tag("A", b.accessed, "accessed");
        if (l.leaf) {
            ImGui::SameLine(0, 2);
            bit_tag("D", b.dirty, "dirty");
        }
        if (std::string(l.name) == "PDE") {
            ImGui::SameLine(0, 2);
            bit_tag("PS", b.page_size, "page size: this PDE maps a large page");
        }
        if (l.leaf) {
            ImGui::SameLine(0, 2);
            bit_tag("G", b.global, "global: survives CR3 writes when CR4.PGE is set");
        }
        if (pae) {
            ImGui::SameLine(0, 2);
            bit_tag("NX", b.nx, "no execute (with EFER.NXE)");
        }
    }
    if (b.reserved && b.present) ImGui::TextColored(colors::kFault, "reserved bits set: %s (the walk faults with RSVD)", hex(b.reserved).c_str());
    if (l.sets_accessed || l.sets_dirty) {
        ImGui::TextColored(colors::kNote, "a real access now would set %s%s%s", l.sets_accessed ? "A" : "",
                           l.sets_accessed && l.sets_dirty ? " and " : "", l.sets_dirty ? "D" : "");
    }
    ImGui::EndGroup();
    const ImVec2 bottom = frame_group(faulted_here ? IM_COL32(230, 70, 70, 255) : IM_COL32(90, 120, 170, 255));
    if (l.leaf || faulted_here) return;
    char label[96];
    const IndexBits next = index_bits(w.mode, pdpte ? "PDE" : "PTE");
    std::snprintf(label, sizeof label, "linear bits %u-%u = %u", next.hi, next.lo,
                  (w.linear >> next.lo) & ((1u << (next.hi - next.lo + 1)) - 1));
    arrow(bottom, label);
}

void tlb_line(const char* name, const std::optional<TlbEntryView>& e) {
    if (!e) {
        ImGui::TextColored(colors::kDim, "%s: not cached", name);
        return;
    }
    const bool agrees = e->matches_memory;
    text_wrapped_colored(agrees ? colors::kFilled : colors::kStale, "%s: set %u way %u %s page %s -> frame %s %s%s%s%s", name,
                       e->set, e->way, size_text(e->page_size_log2).c_str(), hex8(e->lin_base).c_str(), hex(e->frame).c_str(),
                       e->writable ? "RW" : "RO", e->user ? " US" : " S", e->global ? " G" : "",
                       agrees ? "  (agrees with memory)" : "  STALE: the tables no longer say this");
}

}  // namespace

void PageWalkPanel::drawContent(Controller& c) {
    const Snapshot& s = c.snapshot();
    const dbg::WalkView& w = s.walk;
    if (shown_serial_ != s.serial && !ImGui::IsWindowFocused(ImGuiFocusedFlags_ChildWindows)) {
        std::snprintf(addr_, sizeof addr_, "%s", hex8(w.linear).c_str());
        access_ = static_cast<int>(w.access);
        user_ = w.priv == Priv::User;
        shown_serial_ = s.serial;
    }
    auto go = [&](const char* how) {
        if (addr_[0] == '\0') return;
        static const char* const kAccess[] = {"", " w", " x"};
        c.issue(std::string("walk ") + addr_ + kAccess[access_] + (user_ ? " user" : ""), how);
    };
    bool walk_now = address_box("##walkaddr", addr_, sizeof addr_, 200);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(70);
    static const char* const kAccessNames[] = {"read", "write", "execute"};
    walk_now |= ImGui::Combo("##access", &access_, kAccessNames, 3);
    ImGui::SameLine();
    walk_now |= ImGui::Checkbox("user", &user_);
    ImGui::SameLine();
    walk_now |= ImGui::Button("walk");
    if (walk_now) go("page-walk panel");
    if (!c.view().walk_addr) {
        ImGui::SameLine();
        ImGui::TextColored(colors::kDim, "(following EIP)");
    }
    if (!s.walk_error.empty()) {
        text_wrapped_colored(colors::kFault, "%s", s.walk_error.c_str());
        return;
    }
    ImGui::Separator();

    ImGui::BeginChild("chain");
    if (w.mode == PagingMode::None) {
        ImGui::Text("paging is off: linear %s is physical %s", hex8(w.linear).c_str(), hex(w.linear).c_str());
        ImGui::EndChild();
        return;
    }
    // The result first, in one line.
    if (w.ok) {
        text_wrapped_colored(colors::kFilled, "%s -> physical %s   (%s page, %s, %s%s%s)", hex8(w.linear).c_str(), hex(w.phys).c_str(),
                           size_text(w.page_size_log2).c_str(), w.writable ? "writable" : "read-only",
                           w.user ? "user" : "supervisor", w.global ? ", global" : "", w.nx ? ", no-execute" : "");
    } else {
        text_wrapped_colored(colors::kFault, "%s: %s", hex8(w.linear).c_str(), w.fault.c_str());
    }

    // CR3.
    ImGui::BeginGroup();
    ImGui::TextColored(colors::kSymbol, "CR3");
    ImGui::SameLine();
    ImGui::Text("%s  %s mode: %s at %s", hex8(s.regs.cr.cr3).c_str(), paging_mode_name(w.mode),
                w.mode == PagingMode::Pae ? "PDPT" : "page directory",
                hex(s.regs.cr.cr3 & (w.mode == PagingMode::Pae ? ~0x1Fu : ~0xFFFu)).c_str());
    ImGui::EndGroup();
    {
        const ImVec2 bottom = frame_group(IM_COL32(90, 120, 170, 255));
        const IndexBits first = index_bits(w.mode, w.mode == PagingMode::Pae ? "PDPTE" : "PDE");
        char label[96];
        std::snprintf(label, sizeof label, "linear bits %u-%u = %u", first.hi, first.lo,
                      (w.linear >> first.lo) & ((1u << (first.hi - first.lo + 1)) - 1));
        arrow(bottom, label);
    }
    for (size_t i = 0; i < w.levels.size(); ++i) {
        const bool last = i + 1 == w.levels.size();
        entry_box(w.levels[i], w, last && !w.mapped);
    }
    if (w.mapped && !w.levels.empty()) {
        const u32 offset_mask = (1u << w.page_size_log2) - 1;
        char label[96];
        std::snprintf(label, sizeof label, "offset: linear bits %u-0 = %s", w.page_size_log2 - 1, hex(w.linear & offset_mask).c_str());
        arrow(ImVec2(ImGui::GetItemRectMin().x + 40, ImGui::GetItemRectMax().y + 3), label);
        ImGui::BeginGroup();
        ImGui::TextColored(colors::kSymbol, "frame");
        ImGui::SameLine();
        ImGui::Text("%s + %s = physical %s", hex(w.frame).c_str(), hex(w.linear & offset_mask).c_str(), hex(w.phys).c_str());
        ImGui::EndGroup();
        frame_group(w.ok ? IM_COL32(70, 170, 90, 255) : IM_COL32(230, 70, 70, 255));
    }
    if (!w.ok) {
        ImGui::Spacing();
        ImGui::TextColored(colors::kFault, "#PF error code %s: %s", hex(w.error_code).c_str(), dbg::pf_error_text(w.error_code).c_str());
    }
    ImGui::Spacing();
    ImGui::Separator();
    tlb_line("ITLB", w.itlb);
    tlb_line("DTLB", w.dtlb);
    ImGui::EndChild();
}

}  // namespace hm::gui
