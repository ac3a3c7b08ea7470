// With --tlb-check, `hm386 run` says on stderr the moment a stale translation is
// used (cycle, EIP, linear address, what the TLB held, what memory says now), so a
// missing INVLPG is seen without a trace file. It sits in front of the trace writer
// (if any) and forwards every event to it unchanged.
#pragma once

#include <cstdint>
#include <cstdio>

#include "observe/events.hpp"

namespace hm {

class StaleReportPrinter final : public EventSink {
public:
    // Prints at most `limit` reports; the rest are counted for summary().
    StaleReportPrinter(std::FILE* out, EventSink* next, unsigned limit = 20) : out_(out), next_(next), limit_(limit) {}

    void on_instruction(const InstructionEvent& e) override { if (next_) next_->on_instruction(e); }
    void on_page_walk(const PageWalkEvent& e) override { if (next_) next_->on_page_walk(e); }
    void on_tlb_flush(const TlbFlushEvent& e) override { if (next_) next_->on_tlb_flush(e); }
    void on_exception(const ExceptionEvent& e) override { if (next_) next_->on_exception(e); }
    void on_interrupt(const InterruptEvent& e) override { if (next_) next_->on_interrupt(e); }
    void on_port_io(const PortIoEvent& e) override { if (next_) next_->on_port_io(e); }
    void on_cpu_switch(const CpuSwitchEvent& e) override { if (next_) next_->on_cpu_switch(e); }
    void on_stale_translation(const StaleTranslationEvent& e) override;

    // Prints how many reports were not shown, if any.
    void summary() const;
    uint64_t reports() const { return seen_; }

private:
    std::FILE* out_;
    EventSink* next_;
    unsigned limit_;
    uint64_t seen_ = 0;
};

}  // namespace hm
