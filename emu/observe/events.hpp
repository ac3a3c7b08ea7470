// Events the emulator reports to observers: the trace writer, the debugger, and
// statistics that need more than counters. The CPU and MMU call a sink only on
// their slow paths and only when one is installed (nullptr = off = free); per-
// instruction events are produced only while the CPU runs in its stepping mode.
//
// emu/observe is the observer layer: it sits below the CPU, the MMU and the
// devices (it includes only core), so that they can report without knowing who
// listens; the debugger and the trace writer (emu/debug) implement EventSink on
// top of it. tools/scripts/check-layering.sh (CTest layering.includes) keeps it so.
#pragma once
#include "core/types.hpp"

namespace hm {

enum class TlbFlushCause : u8 {
    Invlpg,      // one page (any page size), global or not
    Cr3Write,    // all non-global entries
    Cr4Change,   // PGE/PAE/PSE toggled: everything
    Cr0Change,   // PG/PE toggled: everything (WP needs no flush: entries cache rights)
    EferChange,  // not produced by the P6 model: NXE needs no flush either
    Reset,       // CPU reset or debugger request
};

struct InstructionEvent {
    u64 cycle;
    u32 eip;
    u16 cs;
    u32 linear;
    u8 length;
    u8 bytes[15];
};

struct PageWalkEvent {
    u64 cycle;
    u32 linear;
    u8 access;     // Access: 0 read, 1 write, 2 execute
    u8 user;       // 1 when the access was a user-mode access
    u8 pae;        // 1 for a PAE walk
    u8 levels;     // entries read (1..3)
    u64 entry_addr[3];
    u64 entry_value[3];  // as read, before A/D updates
    u8 set_accessed;     // bitmask of levels whose A bit the walk set
    u8 set_dirty;        // 1 if the leaf's D bit was set
    u8 faulted;          // 1 if the walk ends in #PF
    u8 page_size_log2;   // 12, 21 or 22 on success
    u32 error_code;      // #PF error code when faulted
    u64 phys;            // translated address on success
};

struct TlbFlushEvent {
    u64 cycle;
    TlbFlushCause cause;
    u32 linear;          // Invlpg only
    u32 entries_dropped;
};

struct ExceptionEvent {
    u64 cycle;
    u8 vector;
    u8 has_error_code;
    u32 error_code;
    u32 eip;
    u16 cs;
    u32 cr2;
};

struct InterruptEvent {
    u64 cycle;
    u8 vector;
    u8 external;  // 1 = from the PIC (INTR) or NMI, 0 = INT n / INT3 / INTO
    u32 eip;
    u16 cs;
};

struct PortIoEvent {
    u64 cycle;
    u16 port;
    u8 size;
    u8 is_write;
    u32 value;
};

// The coherence checker's report: the TLB served a translation that no longer
// matches the page tables in memory.
struct StaleTranslationEvent {
    u64 cycle;
    u32 eip;
    u32 linear;
    u8 access;
    u8 tlb_is_instruction;
    u64 tlb_phys;         // what the TLB said
    u32 tlb_flags;        // its permission bits (P, RW, US, NX, G, D) as PTE bits
    u8 memory_present;    // 0: the tables now say "not present"
    u64 memory_phys;      // what the tables now say
    u32 memory_flags;
    // -smp N only (not in trace files, whose CPU-switch records name the CPU):
    // the CPU that used the entry, and the last store into the walk's entries,
    // by which CPU at which of its cycles (writer_cpu 0xFF: none recorded).
    u8 cpu = 0;
    u8 writer_cpu = 0xFF;
    u64 write_cycle = 0;
};

// Observers implement the events they care about.
// -smp N: from here on, events come from this CPU (written at the start of a
// CPU's turn when another CPU produced the previous ones).
struct CpuSwitchEvent {
    u64 cycle;  // the CPU's own counter as its turn starts
    u8 cpu;
};

class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void on_instruction(const InstructionEvent&) {}
    virtual void on_page_walk(const PageWalkEvent&) {}
    virtual void on_tlb_flush(const TlbFlushEvent&) {}
    virtual void on_exception(const ExceptionEvent&) {}
    virtual void on_interrupt(const InterruptEvent&) {}
    virtual void on_port_io(const PortIoEvent&) {}
    virtual void on_stale_translation(const StaleTranslationEvent&) {}
    virtual void on_cpu_switch(const CpuSwitchEvent&) {}
};

}  // namespace hm
