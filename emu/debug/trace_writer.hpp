// Writes emulator events to a compressed trace file (format in trace_format.hpp).
// An EventSink: install it on the CPU and MMU; port I/O arrives through the
// machine's bus observer. Errors (disk full) are remembered and reported by
// close(), never thrown into the middle of an instruction.
#pragma once
#include <string>

#include "debug/trace_format.hpp"

namespace hm {

class TraceWriter : public EventSink {
public:
    // Throws std::runtime_error if the file cannot be created.
    TraceWriter(const std::string& path, u64 cpu_hz, TraceMask mask = kTraceAll);
    ~TraceWriter() override;
    TraceWriter(const TraceWriter&) = delete;
    TraceWriter& operator=(const TraceWriter&) = delete;

    bool wants(TraceKind k) const { return mask_ & trace_bit(k); }

    void on_instruction(const InstructionEvent& e) override;
    void on_page_walk(const PageWalkEvent& e) override;
    void on_tlb_flush(const TlbFlushEvent& e) override;
    void on_exception(const ExceptionEvent& e) override;
    void on_interrupt(const InterruptEvent& e) override;
    void on_port_io(const PortIoEvent& e) override;
    void on_stale_translation(const StaleTranslationEvent& e) override;
    void on_cpu_switch(const CpuSwitchEvent& e) override;

    // Flushes and closes; returns an error message, or "" if all went well.
    std::string close();
    u64 records() const { return records_; }

private:
    void begin(TraceKind k);
    void u8_(u8 v) { buf_[len_++] = static_cast<char>(v); }
    void u16_(u16 v);
    void u32_(u32 v);
    void u64_(u64 v);
    void end();

    void* gz_ = nullptr;  // gzFile
    TraceMask mask_;
    char buf_[256];
    unsigned len_ = 0;
    u64 records_ = 0;
    bool failed_ = false;
    std::string path_;
};

}  // namespace hm
