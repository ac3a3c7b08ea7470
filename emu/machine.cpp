#include "machine.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace hm {

namespace {
// Virtual time between looks at the host (wall-clock timeout, serial input):
// 10 ms of guest time, a few milliseconds of host time.
constexpr u64 kSlicesPerSecond = 100;

unsigned checked_cpu_count(unsigned cpus) {
    if (cpus < 1 || cpus > kMaxCpus) {
        throw std::invalid_argument("-smp " + std::to_string(cpus) + ": 1 to " + std::to_string(kMaxCpus) + " CPUs");
    }
    return cpus;
}

template <typename T, typename Make>
std::vector<std::unique_ptr<T>> make_each(unsigned n, Make make) {
    std::vector<std::unique_ptr<T>> v;
    for (unsigned i = 0; i < n; ++i) v.push_back(make(i));
    return v;
}
}  // namespace

Machine::Machine(const MachineConfig& config)
    : serial_gate_(config.serial_out),
      debugcon_gate_(config.debugcon_out),
      config_(config),
      ram_(config.ram_bytes),
      bus_(ram_),
      cores_(make_each<CpuCore>(checked_cpu_count(config.cpus), [&](unsigned) { return std::make_unique<CpuCore>(bus_); })),
      state_(cores_[0]->state),
      mmu_(cores_[0]->mmu),
      cpu_(cores_[0]->cpu),
      clock_(state_.cycles, config.cpu_hz),
      // Every APIC's timer is created here, CPU 0's first (event ids order ties).
      lapics_(make_each<Lapic>(config.cpus, [&](unsigned i) {
          return std::make_unique<Lapic>(clock_, events_, apic_bus_, static_cast<u8>(i), i == 0);
      })),
      lapic_(*lapics_[0]),
      lapic_adapters_(make_each<LapicAdapter>(config.cpus, [&](unsigned i) { return std::make_unique<LapicAdapter>(*this, i); })),
      pit_(clock_, events_, isa_irqs_.line(0)),
      port61_(clock_, pit_),
      uart_(clock_, events_, isa_irqs_.line(4), serial_gate_.sink()),
      rtc_(clock_, events_, isa_irqs_.line(8), config.rtc_epoch),
      kbc_(isa_irqs_.line(1)),
      vga_(clock_),
      debugcon_(debugcon_gate_.sink()),
      post_(clock_, config.post_log),
      diag_backend_(state_, mmu_, clock_),
      diag_(diag_backend_),
      fw_cfg_(FwCfgConfig{ram_.below_4g(), ram_.above_4g(), static_cast<u16>(config.cpus)}) {
    if (config.smp_quantum == 0) throw std::invalid_argument("--smp-quantum 0: give a positive number of cycles");
    std::vector<Mmu*> mmus;
    for (auto& c : cores_) {
        c->cpu.set_model(config.cpu_model);
        c->mmu.configure_tlb(config.tlb);
        c->mmu.set_coherence_checker(config.tlb_checker == CoherenceChecker::On);
        mmus.push_back(&c->mmu);
    }
    if (cores_.size() > 1) {
        for (auto& c : cores_) c->mmu.share_code_pages(mmus);
        // Synchronized TSCs: the CPUs take turns, each at its own cycle count, so a
        // CPU can read a TSC below one another CPU read (and published) earlier in
        // the run; Linux's check_tsc_sync_source calls that a warp and marks the TSC
        // unstable. RDTSC never returns less than the last value any CPU read.
        for (auto& c : cores_) c->cpu.share_tsc_floor(&tsc_floor_);
        // The checker names the CPU that changed an entry another CPU then used stale.
        if (config.tlb_checker == CoherenceChecker::On) {
            pte_write_log_ = std::make_unique<PteWriteLog>();
            for (unsigned i = 0; i < cores_.size(); ++i) {
                cores_[i]->mmu.set_pte_write_log(pte_write_log_.get(), static_cast<u8>(i));
            }
        }
    }
    cpu_halted_cycles_.assign(cores_.size(), 0);
    // One CPU: an instruction that arms a device event earlier than the deadline
    // its run() was given (the PIT or the LAPIC timer programmed for a short
    // count) ends that run when the event is due, so the event fires at its own
    // cycle whatever the slice, and a stop for an observer (a state hash, a
    // step) changes nothing. -smp N keeps its rounds: an event armed during a
    // round fires when the round ends (docs/devices.md, "SMP").
    if (cores_.size() == 1) {
        events_.on_earlier([](void* m, u64 when) {
            Machine& self = *static_cast<Machine*>(m);
            if (self.in_cpu_run_) self.cpu_.lower_deadline(when);
        }, this);
    }
    pending_init_.assign(cores_.size(), 0);
    wire();
}

Machine::~Machine() {
    bus_.set_io_observer(nullptr);
}

void Machine::wire() {
    bus_.attach_io(0x20, 2, pic_, "pic-master");
    bus_.attach_io(0xA0, 2, pic_, "pic-slave");
    bus_.attach_io(0x4D0, 2, pic_, "pic-elcr");
    bus_.attach_io(0x40, 4, pit_, "pit");
    bus_.attach_io(0x61, 1, port61_, "port61");
    bus_.attach_io(0x3F8, 8, uart_, "com1");
    bus_.attach_io(0x70, 2, rtc_, "cmos-rtc");
    bus_.attach_io(0x60, 1, kbc_, "kbc-data");
    bus_.attach_io(0x64, 1, kbc_, "kbc-command");
    bus_.attach_io(0x92, 1, port92_, "port92");
    bus_.attach_io(FpuErrorLatch::kPort, 1, fpu_error_, "fpu-error");
    bus_.attach_io(PciHost::kBase, PciHost::kPorts, pci_, "pci-host");
    bus_.attach_io(AcpiPm::kBase, AcpiPm::kPorts, acpi_pm_, "acpi-pm");
    vga_.attach(bus_);
    bus_.attach_io(DebugConsole::kPort, 1, debugcon_, "debugcon");
    bus_.attach_io(0x80, 1, post_, "post");
    if (config_.post_port2) bus_.attach_io(*config_.post_port2, 1, post_, "post2");
    bus_.attach_io(DebugExit::kPort, DebugExit::kPorts, debug_exit_, "debug-exit");
    bus_.attach_io(DiagDevice::kBase, DiagDevice::kPorts, diag_, "diag");
    bus_.attach_io(FwCfg::kSelectorPort, 2, fw_cfg_, "fw-cfg");
    bus_.attach_mmio(PhysAddr{IoApic::kBase}, IoApic::kSize, ioapic_, "ioapic");
    if (config_.pc_testdev) {
        testdev_ = std::make_unique<PcTestdev>(&isa_irqs_);
        // 0xE9 stays the debug console: the byte-wise scratch view has 0xE8, 0xEA, 0xEB.
        bus_.attach_io(PcTestdev::kScratchPort, 9, *testdev_, "pc-testdev");
        bus_.attach_io(PcTestdev::kByteScratchPort + 2, 2, *testdev_, "pc-testdev");
        bus_.attach_io(PcTestdev::kIrqPort, 24, *testdev_, "pc-testdev-irq");
        bus_.attach_mmio(PhysAddr{PcTestdev::kIomemBase}, PcTestdev::kIomemSize, *testdev_, "pc-testdev-iomem");
        testdev_->on_flush_page = [this](u64 page) {
            // Every translation that may lead to the page goes (the TLBs are
            // indexed by linear address, so all of them), and decoded code on it.
            for (auto& c : cores_) c->mmu.flush_all();
            invalidate_code(page, kPageSize);
        };
    }

    rtc_.set_memory_size(ram_.below_4g(), ram_.above_4g());
    // The PIC's INT drives LINT0; the local APIC drives the CPU's INTR and NMI.
    // The PIC's INT reaches every CPU's LINT0, as QEMU wires it (only the BSP's
    // LINT0 comes up as ExtINT; the APs' stay masked unless their OS unmasks them).
    pic_.on_intr = [this](bool level) {
        for (auto& l : lapics_) l->set_lint0(level);
    };
    for (unsigned i = 0; i < cores_.size(); ++i) {
        Lapic& l = *lapics_[i];
        Cpu& c = cores_[i]->cpu;
        l.on_intr = [&c](bool level) { c.set_intr(level); };
        l.on_nmi = [&c] { c.raise_nmi(); };
        l.pic_acknowledge = [this] { return pic_.acknowledge(); };
        l.on_init = [this, i] {
            // A CPU cannot be reset in the middle of its own ICR write: INIT to
            // itself waits for the end of that instruction (apply_pending_inits).
            pending_init_[i] = 1;
            if (in_cpu_run_ && i == running_) running_cpu().request_stop();
            else apply_pending_inits();
        };
        l.on_startup = [this, i](u8 vector) { cores_[i]->cpu.receive_startup(vector); };
        c.configure_local_apic(static_cast<u8>(i), i == 0);
        c.configure_core_clock(config_.cpu_hz);
        c.set_interrupt_controller(lapic_adapters_[i].get());
        c.set_ferr_handler([this](bool level) { fpu_error_.set_ferr(level); });
    }
    reset_application_processors();
    sync_lapic_with_msr();
    fpu_error_.on_ignne = [this](bool level) {
        for (auto& c : cores_) c->state.fpu.ignne = level;
    };
    debug_exit_.on_exit = [this](u32) { running_cpu().request_stop(); };
    kbc_.on_a20 = [this](bool) { update_a20(); };
    port92_.on_a20 = [this](bool) { update_a20(); };
    kbc_.on_reset = [this] {
        reset_requested_ = true;
        reset_source_ = "the keyboard controller";
        running_cpu().request_stop();
    };
    port92_.on_reset = [this] {
        reset_requested_ = true;
        reset_source_ = "port 0x92";
        running_cpu().request_stop();
    };
    acpi_pm_.on_power_off = [this] {
        power_off_requested_ = true;
        running_cpu().request_stop();
    };
    pci_.on_reset = [this] {
        reset_requested_ = true;
        reset_source_ = "port 0xCF9";
        running_cpu().request_stop();
    };
    update_a20();
}

void Machine::update_a20() {
    for (auto& c : cores_) c->mmu.set_a20(kbc_.a20() || port92_.a20());
}

void Machine::sync_lapic_with_msr(bool flush_tlbs) {
    // The window sits where the enabled APICs are; CPUs that disagree on the
    // page would each need their own, which is not modelled.
    bool enabled = false;
    u64 base = 0;
    for (unsigned i = 0; i < cores_.size(); ++i) {
        const u64 msr = cores_[i]->state.msr.apic_base;
        const bool on = msr & msr_bit::kApicGlobalEnable;
        lapics_[i]->set_hw_enabled(on);
        if (!on) continue;
        if (enabled && (msr & msr_bit::kApicBaseMask) != base) {
            throw std::logic_error("IA32_APIC_BASE: CPUs with their local APICs at different addresses are not modelled");
        }
        enabled = true;
        base = msr & msr_bit::kApicBaseMask;
    }
    const Bus::Region* r = nullptr;
    for (const Bus::Region& reg : bus_.regions()) {
        if (reg.dev == &lapic_window_) r = &reg;
    }
    if (enabled && r && r->base == base) return;
    if (!enabled && !r) return;
    bus_.detach_mmio(lapic_window_);
    // A page another device already claims leaves the APIC unreachable (docs/devices.md).
    if (enabled) bus_.try_attach_mmio(PhysAddr{base}, Lapic::kSize, lapic_window_, "lapic");
    if (flush_tlbs) {
        for (auto& c : cores_) c->mmu.flush_all();
    }
}

u64 Machine::LapicWindow::mmio_read(u64 offset, unsigned size) {
    Lapic& l = *m_.lapics_[m_.running_];
    // A CPU whose own APIC is off sees open bus there (another CPU's APIC is on).
    if (!l.hw_enabled()) return size >= 8 ? ~u64{0} : (u64{1} << (size * 8)) - 1;
    return l.mmio_read(offset, size);
}

void Machine::LapicWindow::mmio_write(u64 offset, u64 value, unsigned size) {
    Lapic& l = *m_.lapics_[m_.running_];
    if (l.hw_enabled()) l.mmio_write(offset, value, size);
}

void Machine::reset_application_processors() {
    for (unsigned i = 1; i < cores_.size(); ++i) {
        cores_[i]->cpu.reset();
        cores_[i]->state.wait_for_sipi = true;  // after its BIST an AP waits for a SIPI (SDM 8.4.1)
        lapics_[i]->reset();
    }
}

void Machine::apply_pending_inits() {
    for (unsigned i = 0; i < cores_.size(); ++i) {
        if (!pending_init_[i] || (i == running_ && in_cpu_run_)) continue;
        pending_init_[i] = 0;
        cores_[i]->cpu.receive_init();
    }
    sync_lapic_with_msr();
}

void Machine::invalidate_code(u64 phys, u64 len) {
    for (auto& c : cores_) c->cpu.invalidate_code(phys, len);
}

void Machine::firmware_handoff() {
    // What SeaBIOS leaves behind under QEMU -kernel (read back from a guest on
    // QEMU 7.2): both PICs initialised with vectors 0x08 and 0x70, the timer,
    // keyboard, cascade, FDC, RTC, mouse, FPU and IDE IRQs unmasked; IRQ 10/11
    // level-triggered (PCI); PIT channel 0 in mode 2 at 18.2 Hz; COM1's OUT2 set;
    // A20 enabled through port 0x92. Written through the ports, as firmware would.
    auto out = [this](u16 port, u8 v) { bus_.io_write(port, v, 1); };
    out(0x20, 0x11), out(0x21, 0x08), out(0x21, 0x04), out(0x21, 0x01);
    out(0xA0, 0x11), out(0xA1, 0x70), out(0xA1, 0x02), out(0xA1, 0x01);
    out(0x21, 0xB8), out(0xA1, 0x8E);
    out(0x4D1, 0x0C);
    out(0x43, 0x34), out(0x40, 0x00), out(0x40, 0x00);
    out(0x3FC, 0x08);
    out(0x92, 0x02);
    // SeaBIOS's smp_setup: the BSP's local APIC software-enabled, LINT0 ExtINT
    // (virtual wire: the PIC keeps working) and LINT1 NMI, both level-triggered.
    auto apic = [this](u32 reg, u32 v) { bus_.write(PhysAddr{Lapic::kDefaultBase + reg}, v, 4); };
    apic(lapic_reg::kSvr, 0x1FF);
    apic(lapic_reg::kLvtLint0, 0x8700);
    apic(lapic_reg::kLvtLint1, 0x8400);
    bus_.reset_stats();  // the guest's own port traffic starts from zero
}

MultibootLoad Machine::boot_multiboot(const MultibootRequest& request) {
    MultibootLoad load = load_multiboot(bus_, request);
    invalidate_code(0, ram_.below_4g());
    lapic_.reset();
    reset_application_processors();
    firmware_handoff();
    cpu_.enter_multiboot_state(load.entry, load.eax, load.ebx);
    sync_lapic_with_msr();
    mmu_.reset_stats();  // statistics describe the guest's run, not the loader's set-up
    return load;
}

LinuxBootLoad Machine::boot_linux(const LinuxBootRequest& request) {
    LinuxBootLoad load = load_linux(bus_, request);
    // ACPI tables where SeaBIOS keeps them (the e820 map reserves that area), and
    // the RSDP in the BIOS area Linux scans.
    const AcpiTables acpi = build_acpi_tables(static_cast<u32>(ram_.below_4g() - kAcpiTablesBelowTop), cpu_count());
    bus_.load_bytes(PhysAddr{acpi.tables_base}, acpi.tables.data(), acpi.tables.size());
    bus_.attach_rom(PhysAddr{kAcpiBiosAreaBase}, acpi.bios_area, "bios-area-acpi");
    invalidate_code(0, ram_.below_4g());
    reset_application_processors();
    firmware_handoff();
    // The Multiboot state is the same flat 32-bit protected mode with paging and
    // interrupts off; the boot protocol adds the selectors of the GDT it loaded,
    // ESI and zeroed general registers. Only selectors change, not the cached
    // bases and limits, so the CPU's segment bounds stay valid.
    cpu_.enter_multiboot_state(load.entry, 0, 0);
    state_.seg[sreg::CS].selector = kLinuxBootCs;
    for (u8 sr : {sreg::ES, sreg::SS, sreg::DS, sreg::FS, sreg::GS}) state_.seg[sr].selector = kLinuxBootDs;
    state_.gdtr.base = load.gdt_base;
    state_.gdtr.limit = load.gdt_limit;
    state_.r[reg::ESI] = load.boot_params;
    state_.r[reg::ESP] = load.boot_params;  // not required; the decompressor sets its own stack
    mmu_.reset_stats();
    return load;
}

RomPlacement Machine::boot_rom(std::span<const u8> image, const std::string& name) {
    RomPlacement p = map_reset_rom(bus_, image, name);
    cpu_.reset();
    lapic_.reset();
    reset_application_processors();
    sync_lapic_with_msr();
    mmu_.reset_stats();
    return p;
}

void Machine::set_event_sink(EventSink* sink, InstructionTrace instructions) {
    sink_ = sink;
    traced_cpu_ = 0;
    // -smp N: the trace starts by naming CPU 0, so every record has a CPU.
    if (sink && cores_.size() > 1) sink->on_cpu_switch(CpuSwitchEvent{state_.cycles, 0});
    for (auto& c : cores_) {
        c->cpu.set_event_sink(sink);
        c->mmu.set_event_sink(sink);
        c->cpu.set_instruction_trace(sink ? instructions : InstructionTrace::Off);
    }
    if (sink) {
        io_tracer_ = std::make_unique<PortIoTracer>(clock_, *sink);
        bus_.set_io_observer(io_tracer_.get());
    } else {
        bus_.set_io_observer(nullptr);
        io_tracer_.reset();
    }
}

void Machine::set_state_hash_every(u64 every, StateHashReport report) {
    hash_every_ = every;
    hash_report_ = std::move(report);
    next_hash_at_ = every ? (state_.instructions / every + 1) * every : ~u64{0};
    cpu_.set_instruction_stop(next_hash_at_);
}

void Machine::request_debug_stop() {
    debug_stop_.store(true, std::memory_order_relaxed);
    // Every CPU: whichever runs next stops (a stale request on another one makes
    // its next run() return at once, which the SMP loop simply resumes).
    for (auto& c : cores_) c->cpu.request_stop();
}

void Machine::pump_serial_input() {
    if (!config_.serial_in || !uart_.listening()) return;
    if (serial_pending_.empty() && config_.serial_in->open()) {
        u8 buf[64];
        size_t n = config_.serial_in->read(buf, sizeof buf);
        serial_pending_.assign(buf, buf + n);
    }
    size_t used = 0;
    while (used < serial_pending_.size() && uart_.can_receive()) uart_.receive(serial_pending_[used++]);
    serial_pending_.erase(serial_pending_.begin(), serial_pending_.begin() + static_cast<std::ptrdiff_t>(used));
}

bool Machine::interrupts_can_wake(unsigned cpu) const {
    if (!(cores_[cpu]->state.eflags & flag::IF)) return false;
    if (lapics_[cpu]->can_interrupt()) return true;  // a pending vector or an armed LAPIC timer
    // Some PIC input can still reach INTR (the cascade input is not a device).
    for (unsigned line = 0; line < 16; ++line) {
        if (line != pic_.master().cascade_ir && irq_reaches_cpu(line, cpu)) return true;
    }
    return false;
}

bool Machine::irq_reaches_cpu(unsigned line, unsigned cpu) const {
    // Unmasked on the master, or on the slave with the cascade input unmasked,
    // and the local APIC passes the PIC's INT on (LINT0 ExtINT); or an
    // unmasked I/O APIC entry routes it. (Whether the entry's destination names
    // this CPU is not checked: with several CPUs a hang may then be reported
    // only at --timeout, never wrongly.)
    const Lapic& lapic = *lapics_[cpu];
    if (line != 2 && ioapic_.pin_unmasked(IsaIrqs::ioapic_pin(line)) && lapic.hw_enabled()) return true;
    if (!lapic.extint_passes()) return false;
    const u8 m = pic_.master().imr();
    if (line < 8) return !(m & (1u << line));
    return !(m & (1u << pic_.master().cascade_ir)) && !(pic_.slave().imr() & (1u << (line - 8)));
}

std::string Machine::armed_events_description() const {
    std::string out;
    for (EventQueue::TimerId id = 0; id < events_.size(); ++id) {
        if (!events_.armed(id)) continue;
        if (!out.empty()) out += ", ";
        out += events_.name(id);
        const int irq = events_.irq(id);
        if (irq != EventQueue::kNoIrq) out += " on IRQ " + std::to_string(irq) + " (masked)";
    }
    return out;
}

bool Machine::armed_event_can_wake(unsigned cpu) const {
    for (EventQueue::TimerId id = 0; id < events_.size(); ++id) {
        if (!events_.armed(id)) continue;
        const int irq = events_.irq(id);
        if (irq == EventQueue::kNoIrq || irq_reaches_cpu(static_cast<unsigned>(irq), cpu)) return true;
    }
    return false;
}

std::optional<RunResult> Machine::guest_or_debugger_stop(StopReason why) {
    auto stop = [](RunOutcome o, std::string msg, u32 value = 0) { return RunResult{o, value, std::move(msg)}; };
    if (debug_exit_.requested()) {
        return stop(RunOutcome::DebugExit, "debug exit with value " + std::to_string(debug_exit_.value()),
                    debug_exit_.value());
    }
    if (power_off_requested_) return stop(RunOutcome::PowerOff, "the guest powered off (ACPI S5 through PM1a_CNT)");
    if (reset_requested_) {
        return stop(RunOutcome::ResetRequested,
                    "the guest requested a reset through " + reset_source_ + "; hm386 stops (like QEMU -no-reboot)");
    }
    // A debugger stop wins over everything but the guest's own end. The CPU may
    // have reached its deadline before it saw the request: then the request is
    // still pending in the CPU, and the next run() consumes it harmlessly.
    if (why == StopReason::Breakpoint) return stop(RunOutcome::DebugStop, "breakpoint");
    if (debug_stop_.exchange(false, std::memory_order_relaxed)) {
        return stop(RunOutcome::DebugStop, "stopped by the debugger");
    }
    return std::nullopt;
}

RunResult Machine::run(const RunLimits& limits) {
    if (cores_.size() > 1) return run_smp(limits);
    using Clock = std::chrono::steady_clock;
    const auto host_start = Clock::now();
    auto host_elapsed = [&] { return std::chrono::duration<double>(Clock::now() - host_start).count(); };
    const u64 slice = std::max<u64>(config_.cpu_hz / kSlicesPerSecond, 1);
    const u64 max_cycles = std::min(limits.max_cycles ? limits.max_cycles : EventQueue::kNever,
                                     limits.pause_at_cycles ? limits.pause_at_cycles : EventQueue::kNever);
    const u64 run_start_cycles = state_.cycles;
    RunResult result{RunOutcome::Hang, 0, {}};

    auto finish = [&](RunOutcome o, std::string msg) {
        host_seconds_ += host_elapsed();
        result.outcome = o;
        result.message = std::move(msg);
        return result;
    };

    for (;;) {
        if (limits.timeout_seconds > 0 && host_elapsed() >= limits.timeout_seconds) {
            char msg[128];
            std::snprintf(msg, sizeof msg, "host timeout after %g s at cycle %llu", limits.timeout_seconds,
                          static_cast<unsigned long long>(state_.cycles));
            return finish(RunOutcome::Timeout, msg);
        }
        if (state_.cycles >= max_cycles) {
            return finish(RunOutcome::CycleLimit, "--max-cycles " + std::to_string(limits.max_cycles) + " reached");
        }
        pump_serial_input();
        const u64 deadline = std::min({events_.next_deadline(), state_.cycles + slice, max_cycles});
        in_cpu_run_ = true;
        const StopReason why = cpu_.run(deadline);
        in_cpu_run_ = false;
        if (HM_UNLIKELY(pending_init_[0])) apply_pending_inits();
        events_.run_due(state_.cycles);
        while (state_.instructions >= next_hash_at_) {  // the CPU stopped exactly there
            if (hash_report_ && !hash_muted_) hash_report_(state_.instructions, state_.cycles, state_hash());
            next_hash_at_ += hash_every_;
            cpu_.set_instruction_stop(next_hash_at_);
        }

        if (auto stop = guest_or_debugger_stop(why)) {
            result.exit_value = stop->exit_value;
            return finish(stop->outcome, std::move(stop->message));
        }
        switch (why) {
            case StopReason::Shutdown:
                return finish(RunOutcome::Shutdown, cpu_.shutdown_reason() + "\n" + cpu_.dump_state());
            case StopReason::Halted: {
                // An event due by the HLT's own cycle (run_due above, after the CPU
                // stopped) may have raised INTR, say a one-shot LAPIC timer: the CPU
                // wakes on the next run. Without this the hang checks below saw no
                // armed event and reported a hang with the interrupt pending.
                if (cpu_.interrupt_would_wake()) break;
                if (!interrupts_can_wake(0)) {
                    const char* why_not = (state_.eflags & flag::IF) ? "every IRQ is masked at the PIC"
                                                                     : "interrupts are disabled (IF=0)";
                    return finish(RunOutcome::Hang, std::string("guest hang: halted and ") + why_not +
                                                        ", nothing can wake the CPU\n" + cpu_.dump_state());
                }
                u64 next = events_.next_deadline();
                // Host input can wake the guest through the UART's receive
                // interrupt. While the guest idles waiting for it, guest time is
                // not allowed to run ahead of host time (as on a real machine),
                // so an idle interactive guest does not burn a host core.
                // Non-interactive runs (no terminal or pipe on stdin) never get
                // here and keep skipping at full speed.
                const bool input_can_wake = config_.serial_in && config_.serial_in->open() && uart_.listening() &&
                                            uart_.rx_interrupt_enabled();
                if (input_can_wake) {
                    pump_serial_input();
                    if (serial_pending_.empty()) {
                        double ahead_s = next == EventQueue::kNever
                                             ? 1.0
                                             : static_cast<double>(next - run_start_cycles) / config_.cpu_hz -
                                                   host_elapsed();
                        if (ahead_s > 0) {
                            config_.serial_in->wait(static_cast<int>(std::min(ahead_s, 0.05) * 1000) + 1);
                            continue;  // look again: input, the timeout, or time for the event
                        }
                    } else if (next == EventQueue::kNever) {
                        continue;
                    }
                }
                if (next == EventQueue::kNever) {
                    return finish(RunOutcome::Hang,
                                  "guest hang: halted with interrupts enabled but no device event pending\n" +
                                      cpu_.dump_state());
                }
                // Timers still tick, but none of them drives an IRQ the PIC lets
                // through (say the PIT with IRQ 0 masked): skipping from tick to
                // tick would run until --timeout without ever waking the CPU.
                if (!input_can_wake && !armed_event_can_wake(0)) {
                    return finish(RunOutcome::Hang,
                                  "guest hang: halted with interrupts enabled, but no pending device event can "
                                  "raise an IRQ the PIC lets through (" +
                                      armed_events_description() + ")\n" + cpu_.dump_state());
                }
                next = std::min(next, max_cycles);
                if (next > state_.cycles) {
                    halted_cycles_ += next - state_.cycles;
                    state_.cycles = next;  // skip ahead: nothing happens until then
                }
                events_.run_due(state_.cycles);
                break;
            }
            case StopReason::Breakpoint:  // handled above
            case StopReason::StopRequested:
            case StopReason::CycleLimit: break;
        }
    }
}

MachineStats Machine::stats() const {
    MachineStats s;
    s.cycles = state_.cycles;
    s.instructions = state_.instructions;
    s.halted_cycles = halted_cycles_;
    s.host_seconds = host_seconds_;
    s.cpu_hz = config_.cpu_hz;
    s.cpu = cpu_.stats();
    s.mmu = mmu_.stats();
    s.page_faults = diag_backend_.page_faults();
    s.stale_reports = diag_backend_.stale_total();
    s.tlb_checker = mmu_.coherence_checker();
    s.bus = bus_.stats();
    s.uart = uart_.stats();
    s.pic = pic_.stats();
    s.pit = pit_.stats();
    s.rtc = rtc_.stats();
    s.kbc = kbc_.stats();
    s.diag = diag_.stats();
    s.debugcon_bytes = debugcon_.bytes();
    s.post_writes = post_.writes();
    s.device_events = events_.fired();
    s.cpus = cpu_count();
    if (cores_.size() == 1) return s;
    auto add_tlb = [](TlbStats& to, const TlbStats& from) {
        to.lookups += from.lookups, to.hits += from.hits, to.misses += from.misses, to.walks += from.walks;
        to.walk_memory_accesses += from.walk_memory_accesses, to.evictions += from.evictions;
        to.flush_invlpg += from.flush_invlpg, to.flush_cr3 += from.flush_cr3, to.flush_cr4_cr0 += from.flush_cr4_cr0;
        to.entries_invalidated += from.entries_invalidated, to.fills_4k += from.fills_4k;
        to.fills_large += from.fills_large;
    };
    s.cycles = s.instructions = s.halted_cycles = 0;
    for (unsigned i = 0; i < cores_.size(); ++i) {
        const CpuCore& c = *cores_[i];
        const CpuStats& cs = c.cpu.stats();
        const MmuStats& ms = c.mmu.stats();
        CpuRunStats r;
        r.cycles = c.state.cycles;
        r.instructions = c.state.instructions;
        r.halted_cycles = cpu_halted_cycles_[i];
        r.itlb = ms.itlb;
        r.dtlb = ms.dtlb;
        for (u64 n : cs.exceptions) r.exceptions += n;
        for (u64 n : cs.interrupts) r.interrupts += n;
        r.apic_vectors = lapics_[i]->stats().delivered;
        r.ipis_sent = lapics_[i]->stats().ipis_sent;
        r.sipis_received = lapics_[i]->stats().sipis_received;
        s.per_cpu.push_back(r);
        s.cycles = std::max(s.cycles, r.cycles);
        s.instructions += r.instructions;
        s.halted_cycles += r.halted_cycles;
        if (i == 0) continue;  // CPU 0's counters are already in s
        add_tlb(s.mmu.itlb, ms.itlb);
        add_tlb(s.mmu.dtlb, ms.dtlb);
        s.mmu.page_faults += ms.page_faults;
        s.mmu.stale_reports += ms.stale_reports;
        s.mmu.pdpte_loads += ms.pdpte_loads;
        for (unsigned v = 0; v < 32; ++v) s.cpu.exceptions[v] += cs.exceptions[v];
        for (unsigned v = 0; v < 256; ++v) s.cpu.interrupts[v] += cs.interrupts[v];
        s.cpu.instructions += cs.instructions;
        s.cpu.far_transfers += cs.far_transfers, s.cpu.privilege_changes += cs.privilege_changes;
        s.cpu.task_switches += cs.task_switches, s.cpu.double_faults += cs.double_faults;
        s.cpu.blocks_executed += cs.blocks_executed, s.cpu.blocks_built += cs.blocks_built;
        s.cpu.blocks_invalidated += cs.blocks_invalidated, s.cpu.code_cache_flushes += cs.code_cache_flushes;
        s.cpu.slow_steps += cs.slow_steps;
    }
    return s;
}

}  // namespace hm
