#include "stats_panel.hpp"

#include <algorithm>
#include <numeric>

#include "widgets.hpp"

namespace hm::gui {

namespace {

void row(const char* name, u64 now, u64 before) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name);
    ImGui::TableNextColumn();
    ImGui::Text("%llu", static_cast<unsigned long long>(now));
    ImGui::TableNextColumn();
    text_if(now != before, colors::kChanged, "%s%llu", now != before ? "+" : "", static_cast<unsigned long long>(now - before));
}

void tlb_rows(const char* tlb, const TlbStats& n, const TlbStats& b) {
    const std::string p = tlb;
    row((p + " lookups").c_str(), n.lookups, b.lookups);
    row((p + " hits").c_str(), n.hits, b.hits);
    row((p + " misses").c_str(), n.misses, b.misses);
    row((p + " walks").c_str(), n.walks, b.walks);
    row((p + " walk memory reads").c_str(), n.walk_memory_accesses, b.walk_memory_accesses);
    row((p + " fills 4K / large").c_str(), n.fills_4k + n.fills_large, b.fills_4k + b.fills_large);
    row((p + " evictions").c_str(), n.evictions, b.evictions);
    row((p + " flushes invlpg").c_str(), n.flush_invlpg, b.flush_invlpg);
    row((p + " flushes CR3").c_str(), n.flush_cr3, b.flush_cr3);
    row((p + " flushes CR0/CR4").c_str(), n.flush_cr4_cr0, b.flush_cr4_cr0);
}

u64 sum(const u64* a, size_t n) { return std::accumulate(a, a + n, u64{0}); }

}  // namespace

void StatsPanel::drawContent(Controller& c) {
    const Snapshot& s = c.snapshot();
    const MachineStats& n = s.stats;
    const MachineStats& b = s.prev_stats;
    if (!ImGui::BeginTable("stats", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    // The numbers get the width they need (cycles reach 8 digits within a boot, 10
    // and more later); the names take what is left and clip first.
    const float digit = ImGui::CalcTextSize("0").x;
    const auto digits = [](u64 v) {
        int d = 1;
        while (v >= 10) v /= 10, ++d;
        return d;
    };
    const float total_w = digit * static_cast<float>(std::max(8, digits(n.cycles) + 1));
    const float since_w = digit * static_cast<float>(std::max(10, digits(n.cycles - b.cycles) + 2));
    ImGui::TableSetupColumn("counter", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("total", ImGuiTableColumnFlags_WidthFixed, total_w);
    ImGui::TableSetupColumn("since stop", ImGuiTableColumnFlags_WidthFixed, since_w);
    ImGui::TableHeadersRow();
    // -smp N: the selected CPU's own counters first, then the machine's totals.
    if (s.cpu < n.per_cpu.size() && s.cpu < b.per_cpu.size()) {
        const CpuRunStats& cn = n.per_cpu[s.cpu];
        const CpuRunStats& cb = b.per_cpu[s.cpu];
        const std::string p = "CPU " + std::to_string(s.cpu) + " ";
        row((p + "cycles").c_str(), cn.cycles, cb.cycles);
        row((p + "instructions").c_str(), cn.instructions, cb.instructions);
        row((p + "halted cycles").c_str(), cn.halted_cycles, cb.halted_cycles);
        row((p + "exceptions").c_str(), cn.exceptions, cb.exceptions);
        row((p + "interrupts").c_str(), cn.interrupts, cb.interrupts);
        row((p + "IPIs sent").c_str(), cn.ipis_sent, cb.ipis_sent);
        row((p + "DTLB misses").c_str(), cn.dtlb.misses, cb.dtlb.misses);
        row((p + "ITLB misses").c_str(), cn.itlb.misses, cb.itlb.misses);
    }
    row("cycles", n.cycles, b.cycles);
    row("instructions", n.instructions, b.instructions);
    row("halted cycles", n.halted_cycles, b.halted_cycles);
    row("page faults", n.page_faults, b.page_faults);
    row("stale TLB reports", n.stale_reports, b.stale_reports);
    row("exceptions", sum(n.cpu.exceptions, 32), sum(b.cpu.exceptions, 32));
    row("interrupts", sum(n.cpu.interrupts, 256), sum(b.cpu.interrupts, 256));
    tlb_rows("DTLB", n.mmu.dtlb, b.mmu.dtlb);
    tlb_rows("ITLB", n.mmu.itlb, b.mmu.itlb);
    row("PAE PDPTE loads", n.mmu.pdpte_loads, b.mmu.pdpte_loads);
    row("blocks built", n.cpu.blocks_built, b.cpu.blocks_built);
    row("blocks executed", n.cpu.blocks_executed, b.cpu.blocks_executed);
    row("blocks invalidated", n.cpu.blocks_invalidated, b.cpu.blocks_invalidated);
    row("task switches", n.cpu.task_switches, b.cpu.task_switches);
    row("port reads", n.bus.io_reads, b.bus.io_reads);
    row("port writes", n.bus.io_writes, b.bus.io_writes);
    row("serial bytes out", n.uart.tx_bytes, b.uart.tx_bytes);
    row("PIT IRQ 0 edges", n.pit.irq0_edges, b.pit.irq0_edges);
    row("diagnostic commands", n.diag.commands, b.diag.commands);
    ImGui::EndTable();
}

}  // namespace hm::gui
