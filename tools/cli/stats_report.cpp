#include "stats_report.hpp"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>

#include "core/fault.hpp"

namespace hm {

namespace {
std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

double mips(const MachineStats& s) { return s.host_seconds > 0 ? s.instructions / s.host_seconds / 1e6 : 0; }

struct TlbRow {
    const char* name;
    u64 TlbStats::*field;
};
constexpr TlbRow kTlbRows[] = {
    {"lookups", &TlbStats::lookups},
    {"hits", &TlbStats::hits},
    {"misses", &TlbStats::misses},
    {"walks", &TlbStats::walks},
    {"walk_memory_accesses", &TlbStats::walk_memory_accesses},
    {"evictions", &TlbStats::evictions},
    {"flush_invlpg", &TlbStats::flush_invlpg},
    {"flush_cr3", &TlbStats::flush_cr3},
    {"flush_cr4_cr0", &TlbStats::flush_cr4_cr0},
    {"entries_invalidated", &TlbStats::entries_invalidated},
    {"fills_4k", &TlbStats::fills_4k},
    {"fills_large", &TlbStats::fills_large},
};

const char* short_vector(unsigned v) {
    static const char* const names[] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09", "#TS",
                                        "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM"};
    return v < 20 ? names[v] : "#??";
}
}  // namespace

std::string stats_table(const MachineStats& s, const RunSummary& run) {
    std::string t = "hm386 statistics\n";
    double vsec = s.cpu_hz ? static_cast<double>(s.cycles) / static_cast<double>(s.cpu_hz) : 0;
    t += fmt("  run ended           %s (exit status %d)\n", run.outcome.c_str(), run.status);
    t += fmt("  instructions        %" PRIu64 "\n", s.instructions);
    const double cpu_cycles = static_cast<double>(s.cycles) * s.cpus;  // halted % is of every CPU's time
    t += fmt("  cycles              %" PRIu64 "  (%.6f s of guest time at %.3f MHz; %.1f %% halted)\n", s.cycles, vsec,
             s.cpu_hz / 1e6, s.cycles ? 100.0 * static_cast<double>(s.halted_cycles) / cpu_cycles : 0);
    if (!s.per_cpu.empty()) {
        t += fmt("  CPUs                %u (figures above and below are totals; per CPU:)\n", s.cpus);
        t += "    cpu  instructions        cycles  halted %  ITLB miss  DTLB miss  invlpg  cr3 flush  interrupts  "
             "IPIs sent\n";
        for (size_t i = 0; i < s.per_cpu.size(); ++i) {
            const CpuRunStats& c = s.per_cpu[i];
            t += fmt("    %3zu %13" PRIu64 " %13" PRIu64 " %9.1f %10" PRIu64 " %10" PRIu64 " %7" PRIu64 " %10" PRIu64
                     " %11" PRIu64 " %10" PRIu64 "\n",
                     i, c.instructions, c.cycles,
                     c.cycles ? 100.0 * static_cast<double>(c.halted_cycles) / static_cast<double>(c.cycles) : 0,
                     c.itlb.misses, c.dtlb.misses, c.dtlb.flush_invlpg, c.dtlb.flush_cr3, c.interrupts, c.ipis_sent);
        }
    }
    t += fmt("  host time           %.3f s   (%.1f MIPS)\n", s.host_seconds, mips(s));
    t += "  TLB                         ITLB            DTLB\n";
    for (const TlbRow& r : kTlbRows) {
        t += fmt("    %-22s %14" PRIu64 "  %14" PRIu64 "\n", r.name, s.mmu.itlb.*r.field, s.mmu.dtlb.*r.field);
    }
    t += fmt("  page faults         %" PRIu64 "\n", s.page_faults);
    t += s.tlb_checker ? fmt("  stale translations  %" PRIu64 " (coherence checker on)\n", s.stale_reports)
                       : std::string("  stale translations  - (coherence checker off; --tlb-check)\n");
    std::string exc;
    for (unsigned v = 0; v < 32; ++v) {
        if (s.cpu.exceptions[v]) exc += fmt("%s%s %" PRIu64, exc.empty() ? "" : ", ", short_vector(v), s.cpu.exceptions[v]);
    }
    t += "  exceptions          " + (exc.empty() ? std::string("none") : exc) + "\n";
    std::string ints;
    for (unsigned v = 0; v < 256; ++v) {
        if (s.cpu.interrupts[v]) ints += fmt("%s0x%02x %" PRIu64, ints.empty() ? "" : ", ", v, s.cpu.interrupts[v]);
    }
    t += "  interrupts          " + (ints.empty() ? std::string("none") : ints) + "\n";
    t += fmt("  cpu                 far transfers %" PRIu64 ", privilege changes %" PRIu64 ", task switches %" PRIu64
             ", blocks built %" PRIu64 ", invalidated %" PRIu64 "\n",
             s.cpu.far_transfers, s.cpu.privilege_changes, s.cpu.task_switches, s.cpu.blocks_built,
             s.cpu.blocks_invalidated);
    t += fmt("  uart (COM1)         tx %" PRIu64 " bytes, rx %" PRIu64 ", overruns %" PRIu64 ", irqs %" PRIu64 "\n",
             s.uart.tx_bytes, s.uart.rx_bytes, s.uart.overruns, s.uart.interrupts);
    t += fmt("  pit                 irq0 edges %" PRIu64 ", reprogrammed %" PRIu64 "\n", s.pit.irq0_edges,
             s.pit.reprograms);
    t += fmt("  pic                 acknowledged %" PRIu64 ", spurious %" PRIu64 "\n", s.pic.acknowledged, s.pic.spurious);
    t += fmt("  rtc                 periodic %" PRIu64 ", update %" PRIu64 ", alarm %" PRIu64 " irqs\n",
             s.rtc.periodic_irqs, s.rtc.update_irqs, s.rtc.alarm_irqs);
    t += fmt("  keyboard ctrl       commands %" PRIu64 ", bytes to guest %" PRIu64 ", resets %" PRIu64 "\n",
             s.kbc.commands, s.kbc.bytes_to_guest, s.kbc.reset_requests);
    t += fmt("  debug ports         0xE9 %" PRIu64 " bytes, POST %" PRIu64 " writes, diag %" PRIu64 " commands (%" PRIu64
             " errors)\n",
             s.debugcon_bytes, s.post_writes, s.diag.commands, s.diag.errors);
    t += fmt("  bus                 io %" PRIu64 " in / %" PRIu64 " out, unassigned %" PRIu64 " in / %" PRIu64
             " out, open bus %" PRIu64 " / %" PRIu64 ", mmio %" PRIu64 " / %" PRIu64 "\n",
             s.bus.io_reads, s.bus.io_writes, s.bus.unassigned_io_reads, s.bus.unassigned_io_writes,
             s.bus.open_bus_reads, s.bus.open_bus_writes, s.bus.mmio_reads, s.bus.mmio_writes);
    t += fmt("  device events       %" PRIu64 "\n", s.device_events);
    return t;
}

std::string stats_json(const MachineStats& s, const RunSummary& run) {
    std::string j = "{\n";
    j += fmt("  \"exit\": {\"outcome\": \"%s\", \"status\": %d},\n", run.outcome.c_str(), run.status);
    j += fmt("  \"instructions\": %" PRIu64 ",\n  \"cycles\": %" PRIu64 ",\n  \"halted_cycles\": %" PRIu64
             ",\n  \"cpu_hz\": %" PRIu64 ",\n",
             s.instructions, s.cycles, s.halted_cycles, s.cpu_hz);
    j += fmt("  \"host_seconds\": %.6f,\n  \"mips\": %.3f,\n", s.host_seconds, mips(s));
    if (!s.per_cpu.empty()) {
        j += fmt("  \"cpus\": %u,\n  \"per_cpu\": [\n", s.cpus);
        for (size_t i = 0; i < s.per_cpu.size(); ++i) {
            const CpuRunStats& c = s.per_cpu[i];
            j += fmt("    {\"cpu\": %zu, \"instructions\": %" PRIu64 ", \"cycles\": %" PRIu64 ", \"halted_cycles\": %" PRIu64
                     ", \"itlb_lookups\": %" PRIu64 ", \"itlb_misses\": %" PRIu64 ", \"dtlb_lookups\": %" PRIu64
                     ", \"dtlb_misses\": %" PRIu64 ", \"flush_invlpg\": %" PRIu64 ", \"flush_cr3\": %" PRIu64
                     ", \"exceptions\": %" PRIu64 ", \"interrupts\": %" PRIu64 ", \"apic_vectors\": %" PRIu64
                     ", \"ipis_sent\": %" PRIu64 ", \"sipis_received\": %" PRIu64 "}%s\n",
                     i, c.instructions, c.cycles, c.halted_cycles, c.itlb.lookups, c.itlb.misses, c.dtlb.lookups,
                     c.dtlb.misses, c.dtlb.flush_invlpg, c.dtlb.flush_cr3, c.exceptions, c.interrupts, c.apic_vectors,
                     c.ipis_sent, c.sipis_received, i + 1 < s.per_cpu.size() ? "," : "");
        }
        j += "  ],\n";
    }
    j += "  \"tlb\": {\n";
    for (int k = 0; k < 2; ++k) {
        const TlbStats& ts = k == 0 ? s.mmu.itlb : s.mmu.dtlb;
        j += fmt("    \"%s\": {", k == 0 ? "itlb" : "dtlb");
        bool first = true;
        for (const TlbRow& r : kTlbRows) {
            j += fmt("%s\"%s\": %" PRIu64, first ? "" : ", ", r.name, ts.*r.field);
            first = false;
        }
        j += k == 0 ? "},\n" : "}\n";
    }
    j += "  },\n";
    j += fmt("  \"page_faults\": %" PRIu64 ",\n", s.page_faults);
    j += s.tlb_checker ? fmt("  \"stale_reports\": %" PRIu64 ",\n", s.stale_reports)
                       : std::string("  \"stale_reports\": null,\n");
    auto by_vector = [&](const char* name, const u64* counts, unsigned n) {
        j += fmt("  \"%s\": {", name);
        bool first = true;
        for (unsigned v = 0; v < n; ++v) {
            if (!counts[v]) continue;
            j += fmt("%s\"%u\": %" PRIu64, first ? "" : ", ", v, counts[v]);
            first = false;
        }
        j += "},\n";
    };
    by_vector("exceptions", s.cpu.exceptions, 32);
    by_vector("interrupts", s.cpu.interrupts, 256);
    j += fmt("  \"cpu\": {\"far_transfers\": %" PRIu64 ", \"privilege_changes\": %" PRIu64 ", \"task_switches\": %" PRIu64
             ", \"double_faults\": %" PRIu64 ", \"blocks_built\": %" PRIu64 ", \"blocks_executed\": %" PRIu64
             ", \"blocks_invalidated\": %" PRIu64 "},\n",
             s.cpu.far_transfers, s.cpu.privilege_changes, s.cpu.task_switches, s.cpu.double_faults, s.cpu.blocks_built,
             s.cpu.blocks_executed, s.cpu.blocks_invalidated);
    j += "  \"devices\": {\n";
    j += fmt("    \"uart\": {\"tx_bytes\": %" PRIu64 ", \"rx_bytes\": %" PRIu64 ", \"overruns\": %" PRIu64
             ", \"interrupts\": %" PRIu64 "},\n",
             s.uart.tx_bytes, s.uart.rx_bytes, s.uart.overruns, s.uart.interrupts);
    j += fmt("    \"pit\": {\"irq0_edges\": %" PRIu64 ", \"reprograms\": %" PRIu64 "},\n", s.pit.irq0_edges,
             s.pit.reprograms);
    j += fmt("    \"pic\": {\"acknowledged\": %" PRIu64 ", \"spurious\": %" PRIu64 "},\n", s.pic.acknowledged,
             s.pic.spurious);
    j += fmt("    \"rtc\": {\"periodic_irqs\": %" PRIu64 ", \"update_irqs\": %" PRIu64 ", \"alarm_irqs\": %" PRIu64 "},\n",
             s.rtc.periodic_irqs, s.rtc.update_irqs, s.rtc.alarm_irqs);
    j += fmt("    \"kbc\": {\"commands\": %" PRIu64 ", \"bytes_to_guest\": %" PRIu64 ", \"reset_requests\": %" PRIu64 "},\n",
             s.kbc.commands, s.kbc.bytes_to_guest, s.kbc.reset_requests);
    j += fmt("    \"debugcon_bytes\": %" PRIu64 ",\n    \"post_writes\": %" PRIu64 ",\n", s.debugcon_bytes, s.post_writes);
    j += fmt("    \"diag\": {\"commands\": %" PRIu64 ", \"errors\": %" PRIu64 "},\n", s.diag.commands, s.diag.errors);
    j += fmt("    \"events_fired\": %" PRIu64 "\n  },\n", s.device_events);
    j += fmt("  \"bus\": {\"io_reads\": %" PRIu64 ", \"io_writes\": %" PRIu64 ", \"unassigned_io_reads\": %" PRIu64
             ", \"unassigned_io_writes\": %" PRIu64 ", \"mmio_reads\": %" PRIu64 ", \"mmio_writes\": %" PRIu64
             ", \"open_bus_reads\": %" PRIu64 ", \"open_bus_writes\": %" PRIu64 ", \"rom_writes_ignored\": %" PRIu64
             "}\n",
             s.bus.io_reads, s.bus.io_writes, s.bus.unassigned_io_reads, s.bus.unassigned_io_writes, s.bus.mmio_reads,
             s.bus.mmio_writes, s.bus.open_bus_reads, s.bus.open_bus_writes, s.bus.rom_writes_ignored);
    j += "}\n";
    return j;
}

}  // namespace hm
