// The values the debugger core hands to its front ends (the command language,
// the gdb stub, hm386-gui): plain structs, no behaviour, no text to parse. Every
// query of the Debugger (debugger.hpp) returns one of these.
#pragma once
#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "core/types.hpp"
#include "cpu/state.hpp"
#include "observe/events.hpp"
#include "mmu/mmu.hpp"

namespace hm::dbg {

// The error type of every refused request (bad address, unknown symbol, no such
// breakpoint, bad syntax): what() is one line for the user.
class DebugError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Which address space an address lives in.
enum class Space : u8 { Linear, Physical };
const char* space_name(Space s);

// ---------------------------------------------------------------- stops

// Kinds of access a watchpoint catches (bit 0 read, bit 1 write).
enum class WatchKind : u8 { Read = 1, Write = 2, ReadWrite = 3 };
const char* watch_kind_name(WatchKind k);  // "r", "w", "rw"

// Events the run can stop on.
enum class EventKind : u8 {
    PageFault,    // a #PF delivered (stop at the handler, CR2 and the error code known)
    Exception,    // any exception vector (arg = vector, or kAnyArg for every vector)
    Cr3Write,     // MOV to CR3 (stop after it)
    Invlpg,       // INVLPG (stop after it)
    TlbFlush,     // any TLB flush: INVLPG, CR3, CR0/CR4 changes, reset
    TripleFault,  // the CPU shut down
    PortIo,       // IN or OUT touching port arg (kAnyArg: every port)
};
constexpr u32 kAnyArg = ~0u;
const char* event_kind_name(EventKind k);  // the command-language spelling: pf, exc, cr3, ...

// Breakpoint::cpu for a breakpoint every CPU stops at.
constexpr int kAnyCpu = -1;

struct Breakpoint {
    int id = 0;
    Space space = Space::Linear;
    u64 addr = 0;
    bool enabled = true;
    bool temporary = false;  // deleted when hit (until, next)
    u64 hits = 0;
    int cpu = kAnyCpu;       // -smp N: only this CPU stops at it (`break ADDR cpu K`, gdb's `thread N`)
};

struct Watchpoint {
    int id = 0;
    Space space = Space::Linear;
    u64 addr = 0;
    u32 len = 1;
    WatchKind kind = WatchKind::Write;
    bool enabled = true;
    u64 hits = 0;
};

struct EventBreak {
    int id = 0;
    EventKind kind = EventKind::PageFault;
    u32 arg = kAnyArg;  // vector for Exception, port for PortIo
    bool enabled = true;
    u64 hits = 0;
};

// One access that matched a watchpoint (the run stops right after the instruction).
struct WatchHit {
    int id = 0;
    Access access = Access::Read;
    u32 linear = 0;
    u64 phys = 0;
    u8 size = 0;
    u64 value = 0;      // read or written
    u64 old_value = 0;  // writes: the memory before the store
    u32 eip = 0;        // the instruction that made the access
};

// The event that stopped the run, as the emulator reported it.
using EventRecord = std::variant<ExceptionEvent, InterruptEvent, PageWalkEvent, TlbFlushEvent, PortIoEvent,
                                 StaleTranslationEvent, WatchHit>;

struct EventHit {
    int id = 0;
    EventKind kind = EventKind::PageFault;
    EventRecord record;
    std::string shutdown_reason;  // TripleFault: what the CPU said
};

enum class StopKind : u8 {
    Step,         // the requested instructions ran (step, next over a plain instruction)
    Breakpoint,   // an execution breakpoint, linear or physical (temporary ones included)
    Watchpoint,   // a watched access; the instruction has completed
    Event,        // a break-on event
    Interrupted,  // interrupt(): Ctrl-C, the GUI's pause, gdb's ^C
    Budget,       // the cycle budget of this resume ran out (the machine is still "running")
    Exited,       // the guest wrote to the debug-exit port
    Shutdown,     // triple fault, or a reset request (hm386 never reboots)
    Hang,         // halted with nothing that can wake the CPU
    CycleLimit,   // the session's --max-cycles
};
const char* stop_kind_name(StopKind k);

struct StopInfo {
    StopKind kind = StopKind::Step;
    u32 eip = 0;
    u32 pc = 0;                   // linear address of CS:EIP
    int breakpoint_id = 0;        // Breakpoint: which one (0 = none)
    std::optional<WatchHit> watch;
    std::optional<EventHit> event;
    u32 exit_status = 0;          // Exited: the value written to the debug-exit port
    u64 instructions = 0;         // retired during this resume
    u64 cycles = 0;               // elapsed during this resume
    // -smp N: the CPU the stop happened on (the one that hit the breakpoint or
    // watchpoint, raised the event, or was stepped); eip, pc, instructions and
    // cycles are that CPU's. 0 with one CPU.
    unsigned cpu = 0;
    std::string message;          // one line for humans (the command language prints it)
    bool history_start = false;   // reverse-continue found no earlier hit: back where recording began
    // True when the machine can run on (false after Exited, Shutdown, Hang).
    bool can_continue() const { return kind != StopKind::Exited && kind != StopKind::Shutdown && kind != StopKind::Hang; }
};

// ---------------------------------------------------------------- registers

// Every register the debugger shows, in one enumeration: the GUI colours what
// changed since the previous stop through RegisterFile::changed (bit = Reg).
enum class Reg : u8 {
    EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, EIP, EFLAGS,
    ES, CS, SS, DS, FS, GS, LDTR, TR, GDTR, IDTR,
    CR0, CR2, CR3, CR4, EFER,
    DR0, DR1, DR2, DR3, DR6, DR7,
    Count
};
const char* reg_name(Reg r);  // lower case: "eax", "cr3", ...
std::optional<Reg> reg_from_name(const std::string& name);  // case-insensitive, "$" allowed

struct RegisterFile {
    u32 gpr[8] = {};  // EAX ECX EDX EBX ESP EBP ESI EDI
    u32 eip = 0;
    u32 eflags = 0;   // materialised (the CPU keeps arithmetic flags lazily)
    Segment seg[6];   // ES CS SS DS FS GS with their descriptor caches
    Segment ldtr, tr;
    DescriptorTableReg gdtr, idtr;
    ControlRegs cr;
    u32 dr[8] = {};
    u8 cpl = 0;
    PagingMode paging = PagingMode::None;
    bool halted = false;
    u64 cycles = 0, instructions = 0;
    u64 changed = 0;  // bit (1 << Reg) set: differs from the previous stop

    u32 pc() const { return seg[sreg::CS].base + eip; }
    // The register's value as the debugger shows it (segments: the selector;
    // GDTR/IDTR: the base).
    u64 get(Reg r) const;
    bool was_changed(Reg r) const { return (changed >> static_cast<unsigned>(r)) & 1; }
};

// ---------------------------------------------------------------- memory

struct MemoryBytes {
    Space space = Space::Linear;
    u64 addr = 0;
    std::vector<u8> bytes;
    std::vector<u8> valid;    // 1 per byte: 0 = not mapped (linear) or device/open bus (not read)
    std::vector<u8> changed;  // 1 per byte: differs from the same tracked bytes at the last resume
    bool all_valid() const;
    // First invalid byte's explanation, e.g. "linear 0xdead0000 is not mapped".
    std::string error;
};

// ---------------------------------------------------------------- paging

// One paging-structure entry with every bit named.
struct EntryBits {
    bool present = false, writable = false, user = false, write_through = false, cache_disable = false;
    bool accessed = false, dirty = false, page_size = false, global = false, nx = false;
    u64 address = 0;    // the frame or next table it points to
    u64 reserved = 0;   // reserved bits that are set (non-zero: the entry faults with RSVD)
    std::string text;   // "P RW US A D G" style, every set bit named
};

struct WalkLevel {
    const char* name = "";  // "PDPTE", "PDE", "PTE"
    unsigned index = 0;     // which entry of its table
    u64 entry_addr = 0;     // physical address of the entry
    u64 value = 0;
    bool from_register = false;  // PAE PDPTEs come from the PDPTE registers
    bool leaf = false;
    bool sets_accessed = false;  // a real walk would set A here now
    bool sets_dirty = false;
    EntryBits bits;
};

struct WalkView {
    u32 linear = 0;
    Access access = Access::Read;
    Priv priv = Priv::Supervisor;
    PagingMode mode = PagingMode::None;
    std::vector<WalkLevel> levels;
    bool ok = false;
    bool mapped = false;    // the tables map the page (even if this access is denied)
    u64 phys = 0;
    u64 frame = 0;
    u8 page_size_log2 = 12;
    bool writable = false, user = false, nx = false, global = false;
    std::string fault;      // empty, or e.g. "#PF error 0x0002 (not present, write, supervisor) at the PTE"
    u32 error_code = 0;
    // What the TLBs hold for this address now, and whether it agrees with memory.
    std::optional<TlbEntryView> itlb, dtlb;
};

// A run of linear pages with the same rights (the page-table tree).
struct PageRange {
    u32 lin_start = 0;
    u64 lin_end = 0;        // exclusive (up to 4 GiB)
    u64 phys_start = 0;     // physical address of lin_start
    bool phys_contiguous = true;
    u8 page_size_log2 = 12; // of the first page (only MapMerge::Rights mixes sizes)
    u64 pages = 0;
    bool writable = false, user = false, nx = false, global = false;
    bool accessed = false, dirty = false;  // any page of the range
    bool changed = false;   // the mapping differs from the last resume (page-table tracking on)
};

enum class MapMerge : u8 {
    None,         // one row per leaf (4 KiB or large page), like QEMU's info tlb
    Contiguous,   // merge pages that are linearly and physically contiguous with equal rights
    Rights,       // merge linearly contiguous pages with equal rights, like QEMU's info mem
};

struct MapFilter {
    std::optional<bool> writable, user, executable, global;
    u32 lo = 0;
    u64 hi = u64{1} << 32;  // exclusive
    std::optional<u64> phys_page;  // only pages mapping this physical page (alias finder)
};

// ---------------------------------------------------------------- code

enum class Syntax : u8 { Intel, Att };

struct Instruction {
    u32 linear = 0;
    u8 length = 0;
    std::array<u8, 16> bytes{};
    std::string mnemonic, operands;
    std::string symbol;       // "kmap_high+0x12", empty if no symbol covers it
    bool is_call = false, is_jump = false, is_ret = false;
    std::optional<u32> target;  // direct branch target
    bool valid = true;        // false: the bytes do not decode (".byte")
};

// One frame of a frame-pointer backtrace.
struct Frame {
    u32 pc = 0;        // frame 0: CS:EIP; then return addresses
    u32 frame = 0;     // the frame pointer (EBP) that led to it
    std::string symbol;
};

// ---------------------------------------------------------------- kernel awareness

struct PkmapSlot {
    unsigned index = 0;
    u32 vaddr = 0;
    int count = 0;            // pkmap_count[index]: 0 free and flushed, 1 unused (maybe cached), n: n-1 users
    bool pte_present = false;
    u64 pte = 0;
    u64 phys = 0;             // frame the PTE maps
    u32 page = 0;             // its struct page (mem_map + pfn), 0 when the PTE is not present
    bool in_dtlb = false, in_itlb = false;
    bool tlb_stale = false;   // a TLB entry for vaddr that memory no longer supports
    std::string state;        // "free", "unused, maybe cached", "2 users"...
};

struct PkmapView {
    unsigned last_pkmap = 0;  // LAST_PKMAP: 1024 (2-level) or 512 (PAE)
    u32 pkmap_base = 0;
    unsigned last_pkmap_nr = 0;
    unsigned free = 0, unused = 0, in_use = 0;
    std::vector<PkmapSlot> slots;  // every slot
};

struct KmapLocalSlot {
    unsigned depth = 0;       // position in the task's stack (0 = first pushed)
    u32 vaddr = 0;            // fix_to_virt(FIX_KMAP_BEGIN + KM_SLOTS_PER_CPU * block + depth) (2 * depth + 1: guard slots)
    u64 pteval = 0;           // saved in task_struct::kmap_ctrl
    u64 phys = 0;
    bool installed = false;   // the selected CPU's fixmap PTE holds this value now (the task runs there)
    bool in_dtlb = false;
};

// Which fixmap block of kmap_local slots the task views read: the selected
// CPU's (kmap_local_layout.hpp).
struct KmapLocalPlace {
    unsigned cpu = 0;           // the selected CPU
    unsigned block = 0;         // the block shown
    unsigned blocks = 1;        // the kernel's blocks (its NR_CPUS)
    bool blocks_found = false;  // read from the fixmap (FIX_APIC_BASE after the last block); else one assumed
    bool guard_slots = false;   // debug_kmap_local: mapping n in slot 2n + 1
    std::string note;           // why the block is not simply this CPU's own, when it is not
};

struct TaskView {
    u32 addr = 0;             // the task_struct
    int pid = 0;
    std::string comm;
    u32 state = 0;
    bool current = false;
    bool kthread = true;
    unsigned kmap_idx = 0;
    std::vector<KmapLocalSlot> kmap_local;
    int cpu = -1;             // Linux: the CPU this task is current on (pid and comm unknown), else -1
    int runs_on = -1;         // hm386's kernel at -smp N: the CPU running it, else -1
    unsigned slot_cpu = 0;    // whose fixmap block holds its kmap_local slots (the CPU it last ran on)
};

struct ZoneView {
    std::string name;
    u32 start_pfn = 0, spanned = 0, present = 0, managed = 0, free = 0;
    u32 watermark[3] = {};    // min, low, high
    std::array<u32, 11> nr_free{};  // free blocks per order
};

// ---------------------------------------------------------------- the event log

struct LogEntry {
    u64 seq = 0;
    u64 cycle = 0;
    EventRecord record;
};

// What goes into the event log (bit per kind). Walks and port I/O are frequent,
// so they are off unless asked for.
namespace log_mask {
constexpr u32 kException = 1u << 0, kInterrupt = 1u << 1, kWalk = 1u << 2, kFlush = 1u << 3;
constexpr u32 kIo = 1u << 4, kStale = 1u << 5, kWatch = 1u << 6;
constexpr u32 kDefault = kException | kInterrupt | kFlush | kStale | kWatch;
constexpr u32 kAll = kDefault | kWalk | kIo;
}  // namespace log_mask

}  // namespace hm::dbg
