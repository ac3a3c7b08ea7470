#include "stale_report_printer.hpp"

#include <cinttypes>

#include "debug/trace_format.hpp"
#include "mmu/mmu.hpp"

namespace hm {

void StaleReportPrinter::on_stale_translation(const StaleTranslationEvent& e) {
    ++seen_;
    if (seen_ <= limit_) {
        // The trace's own line format, so the report reads the same as `hm386 trace --events stale`.
        std::fprintf(out_, "hm386: stale translation used (TLB coherence checker):\n  %s\n",
                     format_trace_record(TraceRecord{e}).c_str());
        if (e.writer_cpu != PteWriteLog::kNobody) {
            std::fprintf(out_, "  used on CPU %u; the entry was last written by CPU %u at its cycle %" PRIu64
                               ", and no invalidation reached CPU %u since\n",
                         unsigned{e.cpu}, unsigned{e.writer_cpu}, e.write_cycle, unsigned{e.cpu});
        }
        std::fflush(out_);
    }
    if (next_) next_->on_stale_translation(e);
}

void StaleReportPrinter::summary() const {
    if (seen_ > limit_) {
        std::fprintf(out_, "hm386: %" PRIu64 " stale-translation reports in all (%" PRIu64 " not shown)\n", seen_,
                     seen_ - limit_);
    }
}

}  // namespace hm
