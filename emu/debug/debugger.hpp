// The debugger core: run control, breakpoints, watchpoints, break-on-event and
// side-effect-free queries over one Machine. Three front ends sit on it: the
// command language (command_interpreter.hpp: `hm386 debug`, scripts, tests), the
// gdb remote stub (gdb_server.hpp) and hm386-gui. Every method returns structs
// (debugger_types.hpp); nothing here prints.
//
// Attaching: the Debugger installs itself as the machine's event sink for its
// lifetime (an optional forward sink still receives every event, e.g. a trace
// writer) and drives Machine::run itself. Without a Debugger nothing of this
// exists: the CPU tests one flag per block for breakpoints and the MMU keeps no
// page off its fast path.
//
// Run control is synchronous: cont/step/next/until run the machine on the calling
// thread and return why it stopped. A GUI keeps its frame rate by passing a cycle
// budget (StopKind::Budget comes back when it runs out); interrupt() may be called
// from another thread or a signal handler.
//
// Queries never change the guest: memory is read through host pointers (device
// memory is refused, never read), page walks and TLB views use the MMU's pure
// walk, nothing counts in the statistics. Writes (memory, registers) are explicit
// and tell the decode cache.
#pragma once
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "debug/debugger_types.hpp"
#include "debug/symbols.hpp"
#include "machine.hpp"

namespace hm::dbg {

class Disassembler;

class Debugger : public EventSink {
public:
    explicit Debugger(Machine& machine);
    ~Debugger() override;
    Debugger(const Debugger&) = delete;
    Debugger& operator=(const Debugger&) = delete;

    Machine& machine() { return m_; }

    // ------------------------------------------------------------ run control
    // Each returns why the run stopped. budget_cycles = 0: no budget.
    StopInfo cont(u64 budget_cycles = 0);
    StopInfo step(u64 instructions = 1);
    // Steps over CALL (and REP string instructions, INT n): runs to the next
    // instruction in this frame; anything else is one step.
    StopInfo next();
    // Runs until the instruction at linear `lin` is about to execute (or another stop).
    StopInfo until(u32 lin);
    // Runs until the current function returns to its caller (frame-pointer based:
    // the return address at [EBP+4], or [ESP] at the function's first instruction).
    StopInfo finish();
    // Asynchronous pause: safe from another thread or a signal handler.
    void interrupt();
    // The session-wide cycle limit (--max-cycles): 0 = none.
    void set_cycle_limit(u64 max_cycles) { cycle_limit_ = max_cycles; }
    const StopInfo& last_stop() const { return last_stop_; }
    // Whether the session may read and write host files (savevm, loadvm,
    // sym-file), on by default. Off, each of those throws DebugError whichever
    // way it was reached (a command, an alias, a `display`, gdb's `monitor`):
    // the fuzz targets turn it off so that no input can name a host file.
    void set_host_files(bool allowed) { host_files_ = allowed; }

    // ------------------------------------------------------------ breakpoints
    // Each add returns the new id (ids are shared by breakpoints, watchpoints and
    // event breaks, as in gdb). Throws DebugError for a bad request.
    // cpu: kAnyCpu, or (-smp N) the only CPU that stops at it.
    int add_breakpoint(Space space, u64 addr, bool temporary = false, int cpu = kAnyCpu);
    int add_watchpoint(Space space, u64 addr, u32 len, WatchKind kind);
    int add_event_break(EventKind kind, u32 arg = kAnyArg);
    void remove(int id);  // any kind; DebugError if there is no such id
    void remove_all();
    void set_enabled(int id, bool enabled);
    const std::vector<Breakpoint>& breakpoints() const { return bps_; }
    const std::vector<Watchpoint>& watchpoints() const { return wps_; }
    const std::vector<EventBreak>& event_breaks() const { return evbs_; }
    // gdb's Z/z packets name breakpoints by address and kind, not by id.
    bool remove_breakpoint_at(Space space, u64 addr);
    bool remove_watchpoint_at(Space space, u64 addr, u32 len, WatchKind kind);

    // ------------------------------------------------------------ registers
    // The registers now; `changed` marks what differs from the previous stop.
    // -smp N: the CPU whose registers, TLBs, walks, page maps, disassembly
    // mode and linear memory the queries show (and set_register edits), and
    // the one run control counts: step(N) runs the machine (every CPU, in the
    // deterministic round-robin) until this CPU has retired N instructions;
    // until/next/finish put their temporary breakpoint on this CPU only. A stop
    // on another CPU (its breakpoint, watchpoint or event) selects that CPU, as
    // gdb switches to the thread that stopped. Throws DebugError for a bad index.
    void select_cpu(unsigned cpu);
    unsigned selected_cpu() const { return cpu_; }
    unsigned cpu_count() const { return m_.cpu_count(); }

    RegisterFile registers() const;
    // Every edit of registers or memory that succeeded (set_register,
    // write_memory: gdb's G/P/M/X, `set`, `write`) goes to this callback with the
    // machine's position, so that `hm386 run --record` can log it (docs/snapshots.md,
    // "Record and replay"). Empty: none.
    struct Edit {
        bool memory = true;       // else a register
        Space space = Space::Linear;
        u64 addr = 0;             // memory
        std::vector<u8> bytes;    // memory
        Reg reg = Reg::EAX;       // register
        u64 value = 0;            // register
        unsigned cpu = 0;         // the selected CPU (registers)
    };
    void set_edit_log(std::function<void(const Edit&)> log) { edit_log_ = std::move(log); }
    // Any CPU's registers, without change marks.
    RegisterFile raw_registers(unsigned cpu) const;
    // Writes one register. General registers, EIP and EFLAGS always; segment
    // registers only in real mode (their caches follow the selector); CR0/3/4 and
    // EFER go through the MMU's checks. DebugError when refused.
    void set_register(Reg r, u64 value);

    // ------------------------------------------------------------ memory
    MemoryBytes read_memory(Space space, u64 addr, u32 len) const;
    // Writes guest memory (RAM only; a linear address must be mapped). Tells the
    // decode cache. DebugError when any byte cannot be written (nothing is written then).
    void write_memory(Space space, u64 addr, const std::vector<u8>& bytes);
    // Little-endian value of 1/2/4/8 bytes; DebugError when unreadable.
    u64 read_value(Space space, u64 addr, unsigned size) const;
    // Linear -> physical as the CPU would translate it now (TLB first), nullopt if it faults.
    std::optional<u64> translate(u32 lin, Access a = Access::Read, Priv p = Priv::Supervisor) const;
    // Marks a region whose changes the front end wants to see: read_memory sets
    // `changed` for tracked bytes that differ from their value at the last resume.
    int track_memory(Space space, u64 addr, u32 len);
    void untrack_memory(int handle);

    // ------------------------------------------------------------ paging
    WalkView walk(u32 lin, Access a = Access::Read, Priv p = Priv::Supervisor) const;
    std::vector<TlbEntryView> tlb(TlbKind kind) const;
    // The page-table tree as ranges (QEMU info mem / info tlb, gdb-pt-dump filters).
    std::vector<PageRange> page_map(const MapFilter& filter = {}, MapMerge merge = MapMerge::Rights) const;
    // Every linear page that maps the physical page of `phys` (all aliases).
    std::vector<u32> aliases(u64 phys) const;
    // With tracking on, the leaves are remembered at each resume, and page_map marks
    // ranges whose mapping changed since (costs one table scan per resume).
    void set_page_table_tracking(bool on);

    // ------------------------------------------------------------ code and symbols
    std::vector<Instruction> disassemble(u32 lin, unsigned count, Syntax syntax = Syntax::Intel) const;
    // Loads ELF symbols (the kernel's symtab). DebugError if the file is unusable.
    void load_symbols(const std::string& elf_path);
    const SymbolTable& symbols() const { return symbols_; }
    // "kmap_high+0x12" for an address inside a known symbol, else empty.
    std::string symbolize(u32 addr) const;
    // The call chain by frame pointers (EBP), as the kernel's oops reports walk it;
    // at a function's first instruction the return address is taken from [ESP].
    std::vector<Frame> backtrace(unsigned max_frames = 32) const;

    // ------------------------------------------------------------ kernel awareness
    // Reads highmem386's kernel through its symbols (DebugError without them, or
    // when the kernel's memory cannot be read, e.g. before paging is on).
    PkmapView pkmap() const;
    // Each task's kmap_local stack as the selected CPU's block of fixmap slots
    // holds it (-smp N: `cpu K` chooses the block; kmap_local_place says which).
    std::vector<TaskView> tasks() const;
    KmapLocalPlace kmap_local_place() const;
    std::vector<ZoneView> zones() const;

    // ------------------------------------------------------------ statistics and log
    MachineStats stats() const { return m_.stats(); }
    const std::deque<LogEntry>& event_log() const { return log_; }
    void clear_log() { log_.clear(); }
    void set_log_mask(u32 mask) { log_mask_ = mask; }
    u32 log_mask() const { return log_mask_; }
    void set_log_capacity(size_t n) { log_capacity_ = n ? n : 1; }
    // Events also go to this sink (a trace writer); nullptr: none.
    void set_forward_sink(EventSink* sink) { forward_ = sink; }

    // ------------------------------------------------------------ snapshots
    // savevm / loadvm (debugger_snapshot.cpp, docs/snapshots.md). The front end
    // says which image the machine booted (hm386 run --resume checks it); loadvm
    // accepts only snapshots of that image. Breakpoints, watchpoints and displays
    // are the session's and stay. Both throw DebugError with the reason; a load
    // that fails after the file checked out leaves the machine undefined, and the
    // message says so.
    void set_snapshot_identity(SnapshotIdentity id) { identity_ = std::move(id); }
    u64 save_snapshot(const std::string& path);  // returns the file's size
    void load_snapshot(const std::string& path);

    // reverse-stepi (debugger_reverse.cpp): back to the stop before the current
    // one that `step` would have made, found by re-executing from the newest
    // in-memory checkpoint before it. Recording (`record on`, off by default so
    // that a session that never goes back pays nothing) takes a checkpoint at
    // once, whenever the machine resumes, and every kCheckpointEvery cycles
    // during a long continue (so a reverse step near now re-executes at most that
    // many); over kMaxCheckpoints or kMaxCheckpointBytes the old ones thin out
    // (thin_checkpoints) but the first stays. loadvm and edits of registers or
    // memory drop them (re-execution would not see the edit). Re-execution must
    // reach the current state exactly (cycles, instructions and state hash),
    // else it is an error and nothing changes.
    static constexpr u64 kCheckpointEvery = 20'000'000;
    static constexpr size_t kMaxCheckpoints = 64;
    static constexpr u64 kMaxCheckpointBytes = 512 * kMiB;
    void set_recording(bool on);
    bool recording() const { return recording_; }
    StopInfo reverse_step();
    // reverse-continue: back to the latest breakpoint or watchpoint hit before
    // now that `continue` would have stopped at (with the breakpoints and
    // watchpoints set now; event breaks are not searched), or to where recording
    // began when there is none (StopInfo::history_start).
    StopInfo reverse_continue();
    size_t checkpoints() const { return checkpoints_.size(); }
    u64 checkpoint_bytes() const {
        u64 n = 0;
        for (const Checkpoint& c : checkpoints_) n += c.file.size();
        return n;
    }

    // ------------------------------------------------------------ EventSink
    void on_instruction(const InstructionEvent& e) override;
    void on_page_walk(const PageWalkEvent& e) override;
    void on_tlb_flush(const TlbFlushEvent& e) override;
    void on_exception(const ExceptionEvent& e) override;
    void on_interrupt(const InterruptEvent& e) override;
    void on_port_io(const PortIoEvent& e) override;
    void on_stale_translation(const StaleTranslationEvent& e) override;
    void on_cpu_switch(const CpuSwitchEvent& e) override {
        if (forward_) forward_->on_cpu_switch(e);
    }

private:
    enum class Mode : u8 { Continue, Step };
    enum class Breakpoints : u8 { Off, On };
    struct Tracked {
        Space space;
        u64 addr;
        u32 len;
        std::vector<u8> before;
    };

    StopInfo resume(Mode mode, u64 count, u64 budget_cycles);
    StopInfo run_machine(Mode mode, u64 count, u64 budget_cycles, Breakpoints bps, unsigned off_cpu = kNoCpu);
    // Off for `off_cpu` only (-smp N: the CPU stepping off a breakpoint while
    // the others keep theirs); kNoCpu: as `bps` says for every CPU.
    static constexpr unsigned kNoCpu = ~0u;
    void arm(Breakpoints bps, unsigned off_cpu = kNoCpu);
    void disarm();
    void before_resume();
    void after_stop(StopInfo& stop);
    bool breakpoint_at_pc(unsigned cpu, int* id) const;
    void log(const EventRecord& r, u64 cycle, u32 kind_bit);
    void request_stop(EventHit hit);
    EventBreak* match_event(EventKind kind, u32 arg);
    int next_id() { return ++last_id_; }
    static void watch_hook(void* ctx, const WatchedAccess& a);
    void on_watch(const WatchedAccess& a);
    std::vector<u8> read_tracked(const Tracked& t) const;
    std::string describe(const StopInfo& s) const;
    std::string cpu_prefix(const StopInfo& s) const;  // "cpu K: " with -smp N, else empty
    std::string location(u32 pc) const;  // "0x... <symbol+off>"

    Machine& m_;
    SymbolTable symbols_;
    mutable std::unique_ptr<Disassembler> disasm_;
    EventSink* forward_ = nullptr;

    std::vector<Breakpoint> bps_;
    std::vector<Watchpoint> wps_;
    std::vector<EventBreak> evbs_;
    int last_id_ = 0;

    // State of the resume in progress.
    Mode mode_ = Mode::Continue;
    u64 steps_left_ = 0;
    bool step_done_ = false;
    bool running_ = false;  // events and watch hits count only while the machine runs
    std::optional<WatchHit> watch_hit_;
    std::optional<EventHit> event_hit_;
    std::atomic<bool> interrupted_{false};
    u64 cycle_limit_ = 0;
    bool host_files_ = true;
    // Throws DebugError unless host files are allowed (set_host_files).
    void require_host_files(const char* what) const;
    // last_stop_ as at the start: a stop that can continue, at prev_regs_'s PC.
    void fresh_stop(std::string message);
    StopInfo last_stop_;

    unsigned cpu_ = 0;      // select_cpu
    unsigned run_cpu_ = 0;  // the CPU the resume in progress counts (the selected one)
    unsigned hit_cpu_ = 0;  // the CPU a watch hit or event break came from
    std::vector<RegisterFile> prev_by_cpu_;  // -smp N: every CPU's registers at the last resume

    // Change tracking.
    RegisterFile prev_regs_;
    std::map<int, Tracked> tracked_;
    int last_track_ = 0;
    bool track_tables_ = false;
    std::vector<PageRange> leaves_at_resume_;

    std::deque<LogEntry> log_;
    u64 log_seq_ = 0;
    u32 log_mask_ = log_mask::kDefault;
    size_t log_capacity_ = 4096;

    SnapshotIdentity identity_;
    std::function<void(const Edit&)> edit_log_;
    void set_register_unlogged(Reg r, u64 value);

    // Reverse execution (debugger_reverse.cpp).
    struct Checkpoint {
        u64 cycles = 0, instructions = 0;
        std::vector<u8> file;
    };
    void take_checkpoint_if_due();
    void thin_checkpoints(u64 now);
    const Checkpoint* checkpoint_before(u64 cycle, bool or_at) const;
    // The cycle at which a continue pauses to take the next checkpoint; 0: none.
    u64 checkpoint_due_cycle() const;
    void restore(const std::vector<u8>& file);
    void fast_forward(u64 cycle);
    u64 count_steps_to(u64 cycle);
    std::vector<Checkpoint> checkpoints_;
    bool recording_ = false;
    bool replaying_ = false;  // re-executing: no stops, logs, forwards or reports
    u64 replay_steps_ = 0;
    bool scanning_ = false;  // reverse-continue's re-execution: breakpoints and watchpoints stop it
    template <class AtHit>
    u64 scan_hits(u64 end, AtHit&& at_hit);
    StopInfo scan_continue(u64 end);
};

}  // namespace hm::dbg
