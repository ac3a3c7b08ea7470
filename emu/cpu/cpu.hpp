// The x86-32 CPU: a cycle-approximate interpreter of the 386/486 integer
// instruction set plus the P6 additions an i686 compiler emits.
//
// Construction order: CpuState, Mmu(bus, state.cr, state.cycles), Cpu.
// The machine calls run(deadline) in a loop; the CPU executes whole blocks of
// pre-decoded instructions and checks the deadline, interrupts and stop requests
// between blocks. Guest faults never escape run(): they are delivered to the
// guest, and a triple fault ends the run with StopReason::Shutdown. Host-side
// errors (std::logic_error from an unfinished component, std::bad_alloc) do
// escape, as internal errors for the machine to report.
//
// See docs/cpu.md for the design (decode cache, lazy flags, exceptions).
#pragma once
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "cpu/state.hpp"
#include "observe/events.hpp"
#include "mem/bus.hpp"
#include "mmu/mmu.hpp"

namespace hm {

namespace cpu {
struct Core;
}

// What the CPU sees of its interrupt controller: the local APIC (or, in a
// machine without one, the PIC pair). Called outside the hot path only.
class InterruptController {
public:
    virtual ~InterruptController() = default;
    virtual u8 acknowledge() = 0;  // INTA: the vector of the highest pending IRQ
    // WRMSR to IA32_APIC_BASE changed it (the new value is in CpuState::msr).
    virtual void apic_base_written(u64 /*old_value*/, u64 /*new_value*/) {}
};

enum class StopReason : u8 { CycleLimit, Halted, Shutdown, StopRequested, Breakpoint };
const char* stop_reason_name(StopReason r);

struct CpuStats {
    u64 instructions = 0;            // retired (same as CpuState::instructions)
    u64 exceptions[32] = {};         // delivered, by vector
    u64 interrupts[256] = {};        // INTR, NMI and INT n delivered, by vector
    u64 far_transfers = 0;           // far JMP/CALL/RET, IRET, gates
    u64 privilege_changes = 0;       // CPL changes
    u64 task_switches = 0;
    u64 double_faults = 0;
    u64 blocks_executed = 0;
    u64 blocks_built = 0;
    u64 blocks_invalidated = 0;      // by self-modifying code or explicit invalidation
    u64 code_cache_flushes = 0;      // the whole decode cache dropped (arena full)
    u64 slow_steps = 0;              // instructions run one at a time (TF, breakpoints, shadows, edges)
};

enum class InstructionTrace : u8 { Off, On };

// What the CPU core latches besides CpuState: interrupt lines, a pending task-switch
// trap, shutdown, and two switches that decide which accesses take the slow path.
// A snapshot keeps them (docs/snapshots.md); restore_latches rebuilds the rest.
struct CpuLatches {
    bool intr_line = false;
    bool nmi_latched = false;
    bool task_trap = false;
    bool shutdown = false;
    bool data_breakpoints_armed = false;
    bool alignment_check = false;
    std::string shutdown_reason;
};

class Cpu {
public:
    Cpu(CpuState& state, Mmu& mmu, Bus& bus);
    ~Cpu();
    Cpu(const Cpu&) = delete;
    Cpu& operator=(const Cpu&) = delete;

    // Power-on: real mode, CS=F000 base FFFF0000, EIP=FFF0, CR0=60000010.
    void reset();
    void set_interrupt_controller(InterruptController* pic);
    // Gives this CPU a local APIC: IA32_APIC_BASE exists (its power-on value is
    // set now and at every reset) and CPUID reports the APIC and the initial ID.
    void configure_local_apic(u8 initial_apic_id, bool bsp);
    // Presents processor model m (cpu_profile.hpp): CPUID, the instructions that
    // exist, CR4 bits and every cost. Before the guest runs (decoded code is
    // dropped). The TLB geometry is the machine's to set (Mmu::configure_tlb).
    // CpuState::model records the choice; whatever overwrites the state (a
    // snapshot restore) calls set_model(state().model) afterwards.
    void set_model(CpuModel m);
    // The clock CPUID leaves 0x15/0x16 report (MsrState::core_clock_hz).
    void configure_core_clock(u64 hz);
    // -smp N: the machine's TSC floor shared by every CPU (Core::read_tsc); nullptr: none.
    void share_tsc_floor(u64* floor);
    void set_intr(bool asserted);  // level of the INTR line
    // A halted CPU would leave HLT at once: INTR asserted with IF set, or an NMI
    // latched and not blocked.
    bool interrupt_would_wake() const;
    void raise_nmi();
    // The x87 FERR# output (MS-DOS compatibility error reporting, CR0.NE = 0):
    // called with the new level when it changes. The machine routes it to IRQ 13
    // and drives IGNNE# (CpuState::fpu.ignne) from its port F0h.
    void set_ferr_handler(std::function<void(bool)> handler);
    // Runs until cycles >= deadline (checked at block boundaries), HLT, shutdown
    // or a stop request.
    StopReason run(u64 cycle_deadline);
    // From a device during run() (through the machine): an event now due at
    // cycle `when`, earlier than run()'s deadline, ends the run at the first
    // instruction boundary whose cycle count reaches it, even mid-block.
    void lower_deadline(u64 when);
    // From a device callback or the debugger: takes effect at the next
    // instruction boundary (IN/OUT end their block, so right after them).
    void request_stop();
    const std::string& shutdown_reason() const;
    std::string dump_state() const;
    const CpuStats& stats() const;
    // Observer for exceptions/interrupts (and per-instruction events while the
    // instruction trace is on). nullptr = off = free.
    void set_event_sink(EventSink* sink);
    // Per-instruction events (EventSink::on_instruction): runs one instruction
    // at a time, so only for debugging and tracing.
    void set_instruction_trace(InstructionTrace t);
    // Debugger breakpoints at linear addresses (CS.base + EIP): run() returns
    // StopReason::Breakpoint with EIP on the instruction, before executing it;
    // the next run() executes that instruction first. An empty list costs
    // nothing; otherwise one check per block.
    void set_breakpoints(std::vector<u32> linear_addresses);
    // The same at physical addresses: matched against the physical address of the
    // instruction's first byte, whichever linear alias executes it. Both lists live
    // in debug_breakpoints.cpp; with both empty the hot path tests one flag.
    void set_physical_breakpoints(std::vector<u64> physical_addresses);
    // From a hook inside an instruction (a debugger watchpoint): like request_stop,
    // but run() returns right after the instruction being executed, even in the
    // middle of a block (the rest of the block is decoded again next time).
    void request_stop_after_instruction();
    // run() returns StopReason::CycleLimit as soon as CpuState::instructions
    // reaches this count, exactly (a block that would pass it runs one
    // instruction at a time). ~0: none. For --state-hash-every.
    void set_instruction_stop(u64 instructions);

    // INIT (from the local APIC): the state after RESET except that the x87
    // state, the MSRs (IA32_APIC_BASE included) and the cycle counter are
    // kept (SDM vol. 3A table 9-1); an AP then waits for a
    // SIPI, the BSP starts at the reset vector.
    void receive_init();
    // SIPI: a CPU waiting for one starts in real mode at vector << 12 (CS =
    // vector << 8, IP = 0) and returns true; otherwise the SIPI is ignored.
    bool receive_startup(u8 vector);

    // Multiboot entry state: 32-bit flat protected mode, PG=0, IF=0, EAX/EBX
    // given, EIP = entry. Nothing executes.
    void enter_multiboot_state(u32 entry, u32 eax, u32 ebx);
    // Tells the decode cache that something other than a guest store (DMA, a
    // loader, the debugger) changed physical memory.
    void invalidate_code(u64 phys, u64 len);
    // Reloads the hidden parts of the segment registers after their selectors
    // were edited in real mode (base = selector << 4): for loaders and tests.
    void sync_real_mode_segments();

    CpuState& state();
    const CpuState& state() const;

    CpuLatches latches() const;
    // After CpuState was overwritten (a snapshot load): sets the latches and rebuilds
    // what the core derives from the state (segment bounds, data privilege, pending
    // work) and drops every decoded block. The lazy flags must be materialised.
    void restore_latches(const CpuLatches& l);

private:
    std::unique_ptr<cpu::Core> core_;
};

}  // namespace hm
