#include "registers_panel.hpp"

#include "cpu/state.hpp"
#include "debug/debug_format.hpp"
#include "widgets.hpp"

namespace hm::gui {

namespace {

using dbg::Reg;

struct BitName {
    u32 mask;
    const char* name;
    const char* meaning;
};

constexpr BitName kFlags[] = {
    {flag::CF, "CF", "carry"}, {flag::PF, "PF", "parity"}, {flag::AF, "AF", "auxiliary carry"},
    {flag::ZF, "ZF", "zero"}, {flag::SF, "SF", "sign"}, {flag::TF, "TF", "trap (single step)"},
    {flag::IF, "IF", "interrupts enabled"}, {flag::DF, "DF", "direction"}, {flag::OF, "OF", "overflow"},
    {flag::NT, "NT", "nested task"}, {flag::RF, "RF", "resume"}, {flag::VM, "VM", "virtual-8086 mode"},
    {flag::AC, "AC", "alignment check"}, {flag::ID, "ID", "CPUID available"},
};
constexpr BitName kCr0[] = {
    {cr0::kPE, "PE", "protected mode"}, {cr0::kMP, "MP", "monitor coprocessor"}, {cr0::kEM, "EM", "x87 emulation"},
    {cr0::kTS, "TS", "task switched"}, {cr0::kET, "ET", "extension type"}, {cr0::kNE, "NE", "numeric error"},
    {cr0::kWP, "WP", "write protect: supervisor writes obey read-only pages"}, {cr0::kAM, "AM", "alignment mask"},
    {cr0::kNW, "NW", "not write-through"}, {cr0::kCD, "CD", "cache disable"}, {cr0::kPG, "PG", "paging"},
};
constexpr BitName kCr4[] = {
    {cr4::kVME, "VME", "virtual-8086 extensions"}, {cr4::kPVI, "PVI", "protected-mode virtual interrupts"},
    {cr4::kTSD, "TSD", "RDTSC for CPL 0 only"}, {cr4::kDE, "DE", "debugging extensions"},
    {cr4::kPSE, "PSE", "4 MiB pages (2-level paging)"}, {cr4::kPAE, "PAE", "physical address extension"},
    {cr4::kMCE, "MCE", "machine check"}, {cr4::kPGE, "PGE", "global pages survive CR3 writes"},
    {cr4::kPCE, "PCE", "RDPMC at any CPL"},
};

void bits_row(const BitName* bits, size_t n, u32 value) {
    for (size_t i = 0; i < n; ++i) {
        if (i) ImGui::SameLine(0, 2);
        bit_tag(bits[i].name, value & bits[i].mask, bits[i].meaning);
    }
}

void reg_line(const Snapshot& s, Reg r, const char* name, u64 value, int digits = 8) {
    const bool changed = (s.changed >> static_cast<unsigned>(r)) & 1;
    text_if(changed, colors::kChanged, "%-6s %0*llx", name, digits, static_cast<unsigned long long>(value));
    if (changed && ImGui::IsItemHovered()) {
        ImGui::SetTooltip("was %0*llx at the previous stop", digits, static_cast<unsigned long long>(s.prev_regs.get(r)));
    }
}

void segment_row(const Snapshot& s, Reg r, const char* name, const Segment& seg) {
    const bool changed = (s.changed >> static_cast<unsigned>(r)) & 1;
    const u32 a = seg.attr;
    if (a & seg_attr::kUnusable) {  // nothing else in the cache means anything (and the line fits)
        text_if(changed, colors::kChanged, "%-4s %04x unusable (null selector)", name, seg.selector);
        return;
    }
    // A system descriptor's type names its width (a busy 32-bit TSS is type 11; D/B means nothing there).
    const bool system = !(a & seg_attr::kS) && !(a & seg_attr::kUnusable);
    const std::string kind = (a & seg_attr::kUnusable) ? "unusable"
                             : system                  ? dbg::system_type_text(a & seg_attr::kTypeMask)
                             : (a & seg_attr::kCode)   ? "code"
                                                       : "data";
    const char* width = system ? "" : (a & seg_attr::kDB) ? " 32" : " 16";
    text_if(changed, colors::kChanged, "%-4s %04x base %08x limit %08x %-8s dpl %u%s%s", name, seg.selector, seg.base,
            seg.limit, kind.c_str(), (a & seg_attr::kDplMask) >> seg_attr::kDplShift, width,
            (a & seg_attr::kP) ? "" : " not-present");
}

}  // namespace

void RegistersPanel::drawContent(Controller& c) {
    const Snapshot& s = c.snapshot();
    const dbg::RegisterFile& r = s.regs;
    static const char* const kNames[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};

    if (ImGui::BeginTable("regs", 2, ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableNextColumn();
        for (unsigned i = 0; i < 8; ++i) reg_line(s, static_cast<Reg>(i), kNames[i], r.gpr[i]);
        reg_line(s, Reg::EIP, "eip", r.eip);
        reg_line(s, Reg::EFLAGS, "eflags", r.eflags);
        ImGui::TableNextColumn();
        if (s.cpu_labels.size() > 1) ImGui::TextColored(colors::kNote, "%s", s.cpu_labels[s.cpu].c_str());
        ImGui::Text("CPL %u   %s%s", r.cpl, paging_mode_name(r.paging), r.halted ? "   halted" : "");
        ImGui::Text("cycle %llu", static_cast<unsigned long long>(r.cycles));
        ImGui::Text("insn  %llu", static_cast<unsigned long long>(r.instructions));
        if (r.cycles >= s.prev_regs.cycles) {
            ImGui::TextColored(colors::kDim, "+%llu cycles since the previous stop",
                               static_cast<unsigned long long>(r.cycles - s.prev_regs.cycles));
        } else {  // stepped back
            ImGui::TextColored(colors::kDim, "-%llu cycles: back from the previous stop",
                               static_cast<unsigned long long>(s.prev_regs.cycles - r.cycles));
        }
        ImGui::Spacing();
        ImGui::TextUnformatted("EFLAGS");
        bits_row(kFlags, 7, r.eflags);
        bits_row(kFlags + 7, std::size(kFlags) - 7, r.eflags);
        ImGui::SameLine(0, 2);
        ImGui::Text(" IOPL %u", (r.eflags & flag::IOPL) >> 12);
        ImGui::EndTable();
    }
    ImGui::Separator();

    static const char* const kSegNames[] = {"es", "cs", "ss", "ds", "fs", "gs"};
    for (unsigned i = 0; i < 6; ++i) segment_row(s, static_cast<Reg>(static_cast<unsigned>(Reg::ES) + i), kSegNames[i], r.seg[i]);
    segment_row(s, Reg::LDTR, "ldtr", r.ldtr);
    segment_row(s, Reg::TR, "tr", r.tr);
    text_if(s.changed >> static_cast<unsigned>(Reg::GDTR) & 1, colors::kChanged, "gdtr base %08x limit %04x", r.gdtr.base, r.gdtr.limit);
    text_if(s.changed >> static_cast<unsigned>(Reg::IDTR) & 1, colors::kChanged, "idtr base %08x limit %04x", r.idtr.base, r.idtr.limit);
    ImGui::Separator();

    reg_line(s, Reg::CR0, "cr0", r.cr.cr0);
    ImGui::SameLine();
    bits_row(kCr0, std::size(kCr0), r.cr.cr0);
    reg_line(s, Reg::CR2, "cr2", r.cr.cr2);
    ImGui::SameLine();
    ImGui::TextColored(colors::kDim, "the last #PF's linear address");
    reg_line(s, Reg::CR3, "cr3", r.cr.cr3);
    ImGui::SameLine();
    ImGui::TextColored(colors::kDim, "%s at %08x", r.paging == PagingMode::Pae ? "PDPT" : "page directory",
                       r.cr.cr3 & (r.paging == PagingMode::Pae ? ~0x1Fu : ~0xFFFu));
    reg_line(s, Reg::CR4, "cr4", r.cr.cr4);
    ImGui::SameLine();
    bits_row(kCr4, std::size(kCr4), r.cr.cr4);
    reg_line(s, Reg::EFER, "efer", r.cr.efer);
    ImGui::SameLine();
    bit_tag("NXE", r.cr.efer & efer::kNXE, "no-execute enable (PAE)");
    ImGui::TextColored(colors::kDim, "dr0-3 %08x %08x %08x %08x", r.dr[0], r.dr[1], r.dr[2], r.dr[3]);
    ImGui::TextColored(colors::kDim, "dr6 %08x  dr7 %08x", r.dr[6], r.dr[7]);
}

}  // namespace hm::gui
