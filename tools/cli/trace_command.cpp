#include "trace_command.hpp"

#include <cstdio>

#include "debug/trace_reader.hpp"
#include "exit_codes.hpp"

namespace hm {

void add_trace_options(CLI::App& cmd, TraceOptions& o) {
    cmd.add_option("file", o.file, "trace file written by hm386 run --trace")->required();
    cmd.add_option("--events", o.events, "print only these: all or a list of insn,walk,flush,exc,int,io,stale");
    cmd.add_option("--limit", o.limit, "stop after printing this many events");
}

namespace {
TraceKind kind_of(const TraceRecord& r) { return static_cast<TraceKind>(r.index() + 1); }
}  // namespace

int trace_command(const TraceOptions& o) {
    TraceMask mask;
    if (!parse_trace_mask(o.events, mask)) {
        std::fprintf(stderr, "hm386: --events %s: expected all or a list of insn,walk,flush,exc,int,io,stale\n",
                     o.events.c_str());
        return exit_code::kUsage;
    }
    try {
        TraceReader reader(o.file);
        std::printf("# hm386 trace %s, CPU clock %.3f MHz; columns: cycle, event, details\n", o.file.c_str(),
                    reader.cpu_hz() / 1e6);
        u64 printed = 0;
        // -smp N: CPU switch records are not printed; every event after one is
        // prefixed with its CPU instead (one-CPU traces have none and no prefix).
        int cpu = -1;
        while (auto rec = reader.next()) {
            if (const auto* sw = std::get_if<CpuSwitchEvent>(&*rec)) {
                cpu = sw->cpu;
                continue;
            }
            if (!(mask & trace_bit(kind_of(*rec)))) continue;
            if (cpu >= 0) std::printf("cpu%d ", cpu);
            std::puts(format_trace_record(*rec).c_str());
            if (o.limit && ++printed >= o.limit) break;
        }
    } catch (const TraceError& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "hm386: %s\n", e.what());
        return exit_code::kBadImage;
    }
    return 0;
}

}  // namespace hm
