// The PC that hm386 emulates: wiring and the run loop, nothing else.
//
//   RAM + bus ─ MMU ─ CPU            virtual time: CpuState::cycles
//        │                           └─ EventQueue (device deadlines)
//        └─ ports: PIC pair 0x20/0xA0/0x4D0   PIT 0x40 + port 0x61    CMOS/RTC 0x70
//                  KBC 0x60/0x64   port 0x92   COM1 0x3F8 (IRQ 4)     VGA 0x3D4/0x3DA + 0xB8000
//                  debug console 0xE9   POST 0x80 (+ a second port)   debug exit 0xF4
//                  diagnostic device 0xD00   PCI mechanism #1 0xCF8-0xCFF (reset control 0xCF9)
//                  ACPI PM1a/PM timer 0x600-0x60B (tables written for a Linux boot)
//                  fw_cfg 0x510/0x511   (-device pc-testdev: 0xE0-0xEB but 0xE9, 0x2000, 0xFF000000)
//        └─ MMIO: local APIC 0xFEE00000 (moved by IA32_APIC_BASE), I/O APIC 0xFEC00000.
//           ISA IRQs go to the 8259 pair and to the I/O APIC (IRQ 0 on pin 2);
//           the 8259 pair reaches the CPU through LINT0 (ExtINT), as on a PC.
//
// -smp N (1..8): N CPUs, each with its own CpuState, MMU (TLBs, fetch-page
// register), decode cache and local APIC (APIC ID = index, CPU 0 the BSP); RAM,
// the bus, the devices and the I/O APIC are shared, and the APIC bus carries
// IPIs between the local APICs. The CPUs take turns in a fixed order, each for a
// quantum of virtual time (--smp-quantum); see run_smp() and docs/devices.md "SMP".
//
// The run loop lets the CPU run to the earliest of: the next device event, a
// short slice (so the host wall-clock timeout and serial input are looked at),
// and --max-cycles; the CPU stops at the first instruction boundary whose cycle
// count reaches it, so events fire at exact boundaries in every mode. A halted CPU with interrupts enabled skips straight to the
// next device event; halted with interrupts disabled (or every IRQ masked and
// nothing to wait for) is a hang. Everything guest-visible depends only on the
// cycle counter, so a run is reproducible; host time only decides when to give up.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "boot/acpi_tables.hpp"
#include "boot/linux_boot.hpp"
#include "boot/multiboot.hpp"
#include "boot/reset_rom.hpp"
#include "cpu/cpu.hpp"
#include "debug/port_io_tracer.hpp"
#include "devices/acpi_pm.hpp"
#include "devices/char_backend.hpp"
#include "devices/cmos_rtc.hpp"
#include "devices/debug_console.hpp"
#include "devices/debug_exit.hpp"
#include "devices/fw_cfg.hpp"
#include "devices/ioapic.hpp"
#include "devices/diag_device.hpp"
#include "devices/kbc8042.hpp"
#include "devices/fpu_error_latch.hpp"
#include "devices/pci_host.hpp"
#include "devices/pc_testdev.hpp"
#include "devices/lapic.hpp"
#include "devices/pic8259.hpp"
#include "devices/pit8254.hpp"
#include "devices/port61.hpp"
#include "devices/port92.hpp"
#include "devices/post_port.hpp"
#include "devices/uart16550.hpp"
#include "devices/vga_text.hpp"
#include "machine_diag.hpp"
#include "mmu/mmu.hpp"
#include "time/civil_time.hpp"
#include "time/event_queue.hpp"
#include "time/virtual_clock.hpp"

namespace hm {

namespace snap {
struct SnapshotPayload;  // snapshot/snapshot_file.hpp
}

enum class CoherenceChecker : u8 { Off, On };

constexpr unsigned kMaxCpus = 8;
// 10 us at the default 100 MHz: short enough that a spinning CPU waits little
// for its peer's store (a cross-CPU handshake costs at most about a quantum per
// step), long enough that switching (a few host calls) stays far below the
// interpretation cost (docs/devices.md, "SMP").
constexpr u64 kDefaultSmpQuantum = 1000;

struct MachineConfig {
    u64 ram_bytes = 128 * kMiB;  // QEMU's default -m
    u64 cpu_hz = kDefaultCpuHz;
    i64 rtc_epoch = kDefaultRtcEpoch;
    CharSink* serial_out = nullptr;
    CharSource* serial_in = nullptr;
    CharSink* debugcon_out = nullptr;
    CharSink* post_log = nullptr;
    std::optional<u16> post_port2;  // a second POST-code port besides 0x80
    // The processor presented (emu/cpu/cpu_profile.hpp). `tlb` is set apart: a
    // front end starts from cpu_profile(cpu_model).tlb and applies its overrides.
    CpuModel cpu_model = CpuModel::Default;
    TlbConfig tlb;
    CoherenceChecker tlb_checker = CoherenceChecker::Off;
    bool pc_testdev = false;  // QEMU's -device pc-testdev
    unsigned cpus = 1;        // -smp N, 1..kMaxCpus
    u64 smp_quantum = kDefaultSmpQuantum;  // cycles each CPU runs before the next one's turn (cpus > 1)
};

// What the front end knows about the image a snapshot belongs to: a hash of the
// image bytes (kernel, modules, ROM, initrd, command line) and the description
// it needs to boot the same image again (opaque to the machine).
struct SnapshotIdentity {
    u64 image_hash = 0;
    std::string boot;
};

// The configuration and identity stored in a snapshot, read without a machine.
struct SnapshotHeader {
    MachineConfig config;  // host pointers (serial_out ...) left null
    SnapshotIdentity identity;
};
// Throws snap::SnapshotError for a file that is not a readable snapshot.
SnapshotHeader read_snapshot_header(std::span<const u8> file);

enum class RunOutcome : u8 {
    DebugExit,       // the guest wrote to port 0xF4
    PowerOff,        // ACPI soft-off (S5) through PM1a_CNT: status 0, as QEMU exits
    Shutdown,        // triple fault or shutdown cycle
    ResetRequested,  // port 0x92 / keyboard controller reset (hm386 stops, as QEMU -no-reboot)
    Hang,            // halted with nothing that can wake the CPU
    CycleLimit,      // --max-cycles reached
    Timeout,         // host wall-clock --timeout reached
    DebugStop,       // a debugger breakpoint, or request_debug_stop() (watchpoint, event, step, pause)
};

struct RunLimits {
    u64 max_cycles = 0;        // 0: no limit
    double timeout_seconds = 0;  // 0: no limit
    // A pause (the debugger's cycle budget), 0: none. With one CPU it acts as
    // max_cycles; with -smp N it is looked at only between rounds, so that it
    // never shapes the schedule (max_cycles ends the last round where it falls,
    // as a plain run's --max-cycles does).
    u64 pause_at_cycles = 0;
};

struct RunResult {
    RunOutcome outcome;
    u32 exit_value = 0;   // DebugExit: the value written
    std::string message;  // what happened, one line (plus the CPU state for Shutdown)
};

// One CPU's share of --stats (-smp N > 1).
struct CpuRunStats {
    u64 cycles = 0, instructions = 0, halted_cycles = 0;  // halted: idle or waiting for a SIPI
    TlbStats itlb, dtlb;
    u64 exceptions = 0, interrupts = 0;  // delivered, all vectors
    u64 apic_vectors = 0;                // vectors its local APIC handed to the CPU
    u64 ipis_sent = 0, sipis_received = 0;
};

// Everything --stats reports, gathered after a run. With -smp N > 1 the
// machine-wide figures are totals over the CPUs (cycles: the machine's time,
// the largest counter), and per_cpu holds each CPU's own.
struct MachineStats {
    u64 cycles = 0, instructions = 0, halted_cycles = 0;
    double host_seconds = 0;
    u64 cpu_hz = 0;
    CpuStats cpu;
    MmuStats mmu;
    u64 page_faults = 0, stale_reports = 0;  // totals, across guest TLB-stat resets
    bool tlb_checker = false;
    BusStats bus;
    UartStats uart;
    PicStats pic;
    PitStats pit;
    RtcStats rtc;
    KbcStats kbc;
    DiagStats diag;
    u64 debugcon_bytes = 0, post_writes = 0, device_events = 0;
    unsigned cpus = 1;
    std::vector<CpuRunStats> per_cpu;  // empty with one CPU
};

class Machine {
public:
    // Throws std::invalid_argument for a bad RAM size, CPU clock or TLB geometry.
    explicit Machine(const MachineConfig& config);
    ~Machine();
    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;

    // Loads a Multiboot kernel, leaves the devices as QEMU's firmware leaves
    // them for -kernel, and puts the CPU in the Multiboot entry state.
    MultibootLoad boot_multiboot(const MultibootRequest& request);
    // Loads a Linux bzImage by the 32-bit boot protocol (no BIOS), leaves the
    // devices as for Multiboot, and enters the kernel at code32_start with
    // CS = __BOOT_CS, DS = ES = SS = __BOOT_DS from the loader's GDT, ESI = boot_params.
    LinuxBootLoad boot_linux(const LinuxBootRequest& request);
    // Maps a reset-vector ROM; the CPU and devices stay in their power-on state.
    RomPlacement boot_rom(std::span<const u8> image, const std::string& name);

    RunResult run(const RunLimits& limits);

    // Observers (trace writer, debugger): CPU and MMU events and port I/O.
    void set_event_sink(EventSink* sink, InstructionTrace instructions);
    // For the debugger, from an event hook, another thread or a signal handler:
    // run() returns DebugStop at the next instruction boundary the CPU reaches
    // (use Cpu::request_stop_after_instruction() first for an exact stop).
    void request_debug_stop();

    MachineStats stats() const;

    // A 64-bit digest of the guest-visible state: CPU registers and caches, RAM
    // contents, the MMU (TLB contents, replacement state, counters), the PICs,
    // device counters and every timer deadline (machine_state_hash.cpp,
    // docs/state-hash.md). Equal states give equal digests on any host.
    u64 state_hash() const;
    // From now on, run() calls `report` each time CpuState::instructions reaches a
    // multiple of `every`, at exactly that instruction boundary (after the device
    // events due by then), whatever the block size or observer. 0: off.
    using StateHashReport = std::function<void(u64 instructions, u64 cycles, u64 hash)>;
    void set_state_hash_every(u64 every, StateHashReport report);
    // While muted, run() keeps the schedule but does not call the report: the
    // debugger's re-execution for reverse-stepi must not print lines twice.
    void mute_state_hash_reports(bool muted) { hash_muted_ = muted; }
    // While muted, what the guest writes to the serial port and port 0xE9 does
    // not reach the host's sinks (the devices behave exactly as unmuted): the
    // debugger's re-execution must not print the guest's output twice.
    void mute_guest_output(bool muted) { serial_gate_.muted = debugcon_gate_.muted = muted; }

    // Snapshots (machine_snapshot.cpp, docs/snapshots.md): the whole guest-visible
    // state, the configuration that shapes it and the caller's identity of the
    // image, as a complete compressed file image. Take one between runs (an
    // instruction boundary). load_snapshot restores a machine built from the same
    // configuration (read_snapshot_header gives it) and booted from the same
    // image; it throws snap::SnapshotError, saying why, for a bad or foreign file.
    // A failed load can leave the machine half-restored: it must not run then.
    std::vector<u8> save_snapshot(const SnapshotIdentity& identity);
    void load_snapshot(std::span<const u8> file, u64 expected_image_hash);
    // The same from a payload snap::decode_snapshot_file already checked and
    // inflated (the fuzz targets restore one start state thousands of times a
    // second and keep it inflated): every check after the container's.
    void load_snapshot_payload(const snap::SnapshotPayload& payload, u64 expected_image_hash);

    // CPU 0 (the BSP); the indexed forms for -smp N.
    Cpu& cpu() { return cpu_; }
    CpuState& cpu_state() { return state_; }
    Mmu& mmu() { return mmu_; }
    unsigned cpu_count() const { return static_cast<unsigned>(cores_.size()); }
    Cpu& cpu(unsigned i) { return cores_.at(i)->cpu; }
    CpuState& cpu_state(unsigned i) { return cores_.at(i)->state; }
    const CpuState& cpu_state(unsigned i) const { return cores_.at(i)->state; }
    Mmu& mmu(unsigned i) { return cores_.at(i)->mmu; }
    const Mmu& mmu(unsigned i) const { return cores_.at(i)->mmu; }
    Lapic& lapic(unsigned i) { return *lapics_.at(i); }
    // -smp N: the CPU whose turn it is, or was when run() returned (the one a
    // debugger stop, a watch hit or an event came from); 0 between rounds.
    unsigned running_cpu_index() const { return running_; }
    // Tells every CPU's decode cache that something other than a guest store
    // (a loader, the debugger, DMA) changed physical memory.
    void invalidate_code(u64 phys, u64 len);
    Bus& bus() { return bus_; }
    PhysicalMemory& ram() { return ram_; }
    VgaText& vga() { return vga_; }
    Uart16550& uart() { return uart_; }
    Kbc8042& keyboard() { return kbc_; }
    Lapic& lapic() { return lapic_; }
    IoApic& ioapic() { return ioapic_; }
    const VirtualClock& clock() const { return clock_; }

private:
    // One CPU: registers, MMU and interpreter (construction order matters).
    struct CpuCore {
        explicit CpuCore(Bus& bus) : mmu(bus, state.cr, state.cycles), cpu(state, mmu, bus) {}
        CpuState state;
        Mmu mmu;
        Cpu cpu;
    };
    // A CPU's interrupt controller is its local APIC (which asks the PIC in
    // ExtINT mode); a write to IA32_APIC_BASE moves or switches off its MMIO page.
    class LapicAdapter : public InterruptController {
    public:
        LapicAdapter(Machine& m, unsigned index) : m_(m), index_(index) {}
        u8 acknowledge() override { return m_.lapics_[index_]->acknowledge(); }
        void apic_base_written(u64, u64) override { m_.sync_lapic_with_msr(); }

    private:
        Machine& m_;
        unsigned index_;
    };
    // Every CPU sees its own local APIC at the same physical page: the bus holds
    // this one device there, which forwards to the APIC of the CPU that is running.
    class LapicWindow : public MmioDevice {
    public:
        explicit LapicWindow(Machine& m) : m_(m) {}
        u64 mmio_read(u64 offset, unsigned size) override;
        void mmio_write(u64 offset, u64 value, unsigned size) override;

    private:
        Machine& m_;
    };

    void wire();
    void firmware_handoff();
    // The state hash, the snapshot writer and reader all walk this one
    // description of the state (machine_state_visit.hpp).
    template <class V>
    void visit_state(V& v);
    // ISA interrupt lines as a PC wires them: to the 8259 pair and to the I/O
    // APIC, IRQ n on pin n except IRQ 0 on pin 2 (IRQ 2, the cascade, on none).
    class IsaIrqs : public IrqSink {
    public:
        IsaIrqs(PicPair& pic, IoApic& ioapic) : pic_(pic), ioapic_(ioapic) {}
        void set_irq(unsigned line, bool level) override {
            pic_.set_irq(line, level);
            if (line != 2) ioapic_.set_irq(ioapic_pin(line), level);
        }
        static unsigned ioapic_pin(unsigned line) { return line == 0 ? 2 : line; }
        IrqLine line(unsigned irq) { return IrqLine{this, irq}; }

    private:
        PicPair& pic_;
        IoApic& ioapic_;
    };

    void update_a20();
    // Every CPU's IA32_APIC_BASE -> its LAPIC's enable, the MMIO page. A snapshot
    // load maps the page without the TLB flush a guest's move of it implies.
    void sync_lapic_with_msr(bool flush_tlbs = true);
    void pump_serial_input();
    bool interrupts_can_wake(unsigned cpu) const;
    bool irq_reaches_cpu(unsigned line, unsigned cpu) const;  // not masked at the PIC pair (cascade included)
    bool armed_event_can_wake(unsigned cpu) const;  // an armed timer drives an IRQ that reaches INTR
    std::string armed_events_description() const;
    // The guest ended the run (debug exit, power-off, reset request), or the debugger stopped it.
    std::optional<RunResult> guest_or_debugger_stop(StopReason why);
    RunResult run_smp(const RunLimits& limits);
    void reset_application_processors();  // power-on state: waiting for a SIPI
    void apply_pending_inits();
    Cpu& running_cpu() { return cores_[running_]->cpu; }
    bool cpu_idle(unsigned i) const;  // halted with nothing to take, or waiting for a SIPI
    void advance_idle_cpu(unsigned i, u64 end);  // an idle CPU's counter to `end`, counted as halted
    std::string cpus_summary() const;  // one line per CPU, for hang reports

    // The front end's serial and port 0xE9 sinks, behind a switch: the
    // debugger's re-execution (reverse-stepi, reverse-continue) reruns guest code
    // whose output the host has already shown.
    class OutputGate : public CharSink {
    public:
        explicit OutputGate(CharSink* to) : to_(to) {}
        void write(const u8* data, size_t n) override {
            if (!muted && to_) to_->write(data, n);
        }
        CharSink* sink() { return to_ ? this : nullptr; }  // no sink stays no sink
        bool muted = false;

    private:
        CharSink* to_;
    };
    OutputGate serial_gate_;
    OutputGate debugcon_gate_;
    MachineConfig config_;
    PhysicalMemory ram_;
    Bus bus_;
    std::unique_ptr<PteWriteLog> pte_write_log_;  // -smp N with --tlb-check (declared first: the MMUs point to it)
    std::vector<std::unique_ptr<CpuCore>> cores_;
    CpuState& state_;  // CPU 0's
    Mmu& mmu_;
    Cpu& cpu_;
    VirtualClock clock_;
    EventQueue events_;
    PicPair pic_;
    ApicBus apic_bus_;
    IoApic ioapic_{apic_bus_};
    IsaIrqs isa_irqs_{pic_, ioapic_};
    std::vector<std::unique_ptr<Lapic>> lapics_;
    Lapic& lapic_;  // CPU 0's
    std::vector<std::unique_ptr<LapicAdapter>> lapic_adapters_;
    LapicWindow lapic_window_{*this};
    Pit8254 pit_;
    Port61 port61_;
    Uart16550 uart_;
    CmosRtc rtc_;
    Kbc8042 kbc_;
    Port92 port92_;
    // FERR# drives ISA IRQ 13: the 8259's line and the I/O APIC's pin 13 (an OS
    // on the APICs masks the 8259 and takes IRQ 13 from its I/O APIC).
    FpuErrorLatch fpu_error_{isa_irqs_.line(13)};
    PciHost pci_;
    AcpiPm acpi_pm_{clock_};
    VgaText vga_;
    DebugConsole debugcon_;
    PostPort post_;
    DebugExit debug_exit_;
    MachineDiag diag_backend_;
    DiagDevice diag_;
    FwCfg fw_cfg_;
    std::unique_ptr<PcTestdev> testdev_;
    std::unique_ptr<PortIoTracer> io_tracer_;

    std::atomic<bool> debug_stop_{false};
    bool reset_requested_ = false;
    bool power_off_requested_ = false;
    std::string reset_source_;
    u64 halted_cycles_ = 0;              // CPU 0's
    std::vector<u64> cpu_halted_cycles_;  // -smp N: every CPU's (CPU 0's too)
    unsigned running_ = 0;                // the CPU whose turn it is
    bool in_cpu_run_ = false;             // inside running_'s Cpu::run()
    u64 tsc_floor_ = 0;                   // -smp N: the highest TSC any CPU has read (Core::read_tsc)
    u64 smp_now_ = 0;                     // -smp N: the machine's time between quanta
    // -smp N: a run that returned inside a round (a debugger stop on some CPU)
    // leaves it open; the next run finishes it first, with the same end and from
    // the same CPU, so that stopping never changes the schedule.
    bool smp_round_open_ = false;
    u64 smp_round_end_ = 0;
    unsigned smp_round_cpu_ = 0;
    EventSink* sink_ = nullptr;           // set_event_sink's
    unsigned traced_cpu_ = 0;             // the CPU the sink last heard of (CpuSwitchEvent)
    std::vector<u8> pending_init_;        // INIT sent by a CPU to itself: applied at its next stop
    double host_seconds_ = 0;
    std::vector<u8> serial_pending_;
    u64 hash_every_ = 0;
    u64 next_hash_at_ = ~u64{0};
    StateHashReport hash_report_;
    bool hash_muted_ = false;
};

}  // namespace hm
