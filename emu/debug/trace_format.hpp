// The on-disk event trace (`hm386 run --trace FILE`, read by `hm386 trace`).
//
// A gzip (zlib) stream holding a header and then one record per event:
//
//   header:  "HM386TRC" (8 bytes), u32 version = 1, u64 CPU frequency in Hz
//   record:  u8 kind, then the kind's fields in the order of the structs in
//            emu/observe/events.hpp, little-endian, fixed width (no padding)
//
// With -smp N (N > 1) a CpuSwitch record (kind 8: u64 cycle, u8 cpu) precedes
// the events of each CPU's turn whenever the CPU changes: every record after it
// belongs to that CPU. One-CPU traces have none, so they are as before.
//
// Fields are written one by one (never as raw structs), so the format does not
// depend on the host compiler's layout. A reader stops cleanly at the end of the
// stream and reports a record cut short (a run killed mid-write) as truncation.
#pragma once
#include <string>
#include <variant>

#include "observe/events.hpp"

namespace hm {

constexpr char kTraceMagic[8] = {'H', 'M', '3', '8', '6', 'T', 'R', 'C'};
constexpr unsigned kTraceVersion = 1;

enum class TraceKind : u8 {
    Instruction = 1,
    PageWalk = 2,
    TlbFlush = 3,
    Exception = 4,
    Interrupt = 5,
    PortIo = 6,
    StaleTranslation = 7,
    CpuSwitch = 8,  // only with -smp N > 1; always written, whatever the mask
};

// Which kinds a writer records (bit = 1 << kind).
using TraceMask = u32;
constexpr TraceMask trace_bit(TraceKind k) { return TraceMask{1} << static_cast<unsigned>(k); }
constexpr TraceMask kTraceAll = 0xFE;

// Parses "insn,walk,flush,exc,int,io,stale" or "all"; false on an unknown name.
bool parse_trace_mask(const std::string& text, TraceMask& mask);

using TraceRecord = std::variant<InstructionEvent, PageWalkEvent, TlbFlushEvent, ExceptionEvent, InterruptEvent,
                                 PortIoEvent, StaleTranslationEvent, CpuSwitchEvent>;

// One readable line per record (no trailing newline).
std::string format_trace_record(const TraceRecord& r);
const char* tlb_flush_cause_name(TlbFlushCause c);

}  // namespace hm
