// Run control of the debugger core: resuming the machine, the step counter, the
// stop decision, and the event sink that turns emulator events into stops and
// log entries. Breakpoint bookkeeping is in debugger_breakpoints.cpp, queries in
// debugger_state.cpp, debugger_paging.cpp and debugger_code.cpp.
//
// How each stop is made exact:
//   * execution breakpoints: the CPU checks them before the instruction
//     (Cpu::set_breakpoints / set_physical_breakpoints) and returns Breakpoint;
//   * steps: the CPU runs one instruction at a time (instruction trace) and the
//     sink counts InstructionEvents; the stop request after the N-th one takes
//     effect when it completes;
//   * watchpoints: the MMU reports the access from inside the instruction; the
//     CPU is told to stop right after it (Cpu::request_stop_after_instruction);
//   * events: exceptions stop at the handler's first instruction (delivery is
//     done), INVLPG/CR3/port I/O right after their instruction (they end blocks).
#include "debug/debugger.hpp"

#include <cstdio>

#include "cpu/flags.hpp"
#include "debug/debug_format.hpp"
#include "debug/disassembler.hpp"
#include "debug/kernel_view.hpp"

namespace hm::dbg {

Debugger::Debugger(Machine& machine) : m_(machine) {
    m_.set_event_sink(this, InstructionTrace::Off);
    prev_regs_ = registers();
    fresh_stop("not started");
}

void Debugger::fresh_stop(std::string message) {
    last_stop_ = StopInfo{};
    last_stop_.eip = prev_regs_.eip;
    last_stop_.pc = prev_regs_.pc();
    last_stop_.message = std::move(message);
}

Debugger::~Debugger() {
    disarm();
    m_.set_event_sink(nullptr, InstructionTrace::Off);
}

// ---------------------------------------------------------------- resuming

StopInfo Debugger::cont(u64 budget_cycles) { return resume(Mode::Continue, 0, budget_cycles); }

StopInfo Debugger::step(u64 instructions) {
    if (instructions == 0) throw DebugError("step: the count must be at least 1");
    return resume(Mode::Step, instructions, 0);
}

StopInfo Debugger::until(u32 lin) {
    // -smp N: on the selected CPU only (another CPU passing there is no stop).
    const int id = add_breakpoint(Space::Linear, lin, true, m_.cpu_count() > 1 ? static_cast<int>(cpu_) : kAnyCpu);
    StopInfo s = cont();
    // The temporary breakpoint goes whatever stopped the run.
    for (size_t i = 0; i < bps_.size(); ++i) {
        if (bps_[i].id == id) bps_.erase(bps_.begin() + static_cast<std::ptrdiff_t>(i));
    }
    return s;
}

StopInfo Debugger::next() {
    const RegisterFile r = registers();
    const auto insn = disassemble(r.pc(), 1);
    if (insn.empty() || !insn[0].valid) return step(1);
    const Instruction& i = insn[0];
    const bool over = i.is_call || i.mnemonic.rfind("rep", 0) == 0 || i.mnemonic == "int" || i.mnemonic == "into";
    if (!over) return step(1);
    // Run to the instruction after this one in the same frame: a recursive call
    // reaches the same address with a deeper (lower) stack pointer.
    const u32 return_lin = i.linear + i.length;
    const u32 esp = r.gpr[reg::ESP];
    const u64 start_cycles = r.cycles, start_insns = r.instructions;
    const unsigned k = cpu_;
    for (;;) {
        StopInfo s = until(return_lin);
        const bool ours = s.kind == StopKind::Breakpoint && s.breakpoint_id == 0 && s.pc == return_lin;
        if (!ours || registers().gpr[reg::ESP] >= esp) {
            if (ours) {
                s.kind = StopKind::Step;
                s.message = cpu_prefix(s) + describe(s);
            }
            s.cycles = m_.cpu_state(k).cycles - start_cycles;
            s.instructions = m_.cpu_state(k).instructions - start_insns;
            last_stop_ = s;
            return s;
        }
    }
}

StopInfo Debugger::finish() {
    const RegisterFile r = registers();
    const Symbol* sym = symbols_.covering(r.pc());
    // At a function's first instruction the frame is not built yet.
    const bool at_entry = sym && sym->addr == r.pc();
    const u32 slot = at_entry ? r.gpr[reg::ESP] : r.gpr[reg::EBP] + 4;
    const u32 ret = static_cast<u32>(read_value(Space::Linear, slot, 4));
    // Without a caller the "return address" is whatever the stack holds, and
    // running to it would run the guest to its end.
    if (r.instructions == 0) throw DebugError("finish: no caller: nothing has run yet (this is the entry point)");
    if (!symbols_.empty() && !symbols_.covering(ret)) {
        char b[120];
        std::snprintf(b, sizeof b, "finish: no caller: the return address 0x%08x at [%s] is in no known function", ret,
                      at_entry ? "esp" : "ebp+4");
        throw DebugError(b);
    }
    const u32 esp = r.gpr[reg::ESP];
    for (;;) {
        StopInfo s = until(ret);
        const bool ours = s.kind == StopKind::Breakpoint && s.breakpoint_id == 0 && s.pc == ret;
        if (!ours || registers().gpr[reg::ESP] > esp) {
            if (ours) {
                s.kind = StopKind::Step;
                s.message = cpu_prefix(s) + "returned to " + location(s.pc);
            }
            last_stop_ = s;
            return s;
        }
    }
}

void Debugger::interrupt() {
    interrupted_.store(true, std::memory_order_relaxed);
    m_.request_debug_stop();
}

StopInfo Debugger::resume(Mode mode, u64 count, u64 budget_cycles) {
    if (!last_stop_.can_continue()) {
        // The guest's end (exit, triple fault, hang) is final: nothing runs and
        // the same end is reported again. Running on would execute what follows
        // the exit port write (a guest's HLT loop), so an observer that
        // continued twice would see a different machine than a plain run.
        // loadvm and the reverse commands give a state that runs again.
        StopInfo s = last_stop_;
        s.instructions = 0;
        s.cycles = 0;
        return s;
    }
    take_checkpoint_if_due();
    before_resume();
    // Run control counts the selected CPU (CPU 0 with one CPU).
    const unsigned k = run_cpu_ = cpu_;
    const bool smp = m_.cpu_count() > 1;
    const CpuState& st = m_.cpu_state(k);
    const u64 start_cycles = st.cycles, start_insns = st.instructions;
    StopInfo s;
    s.kind = StopKind::Step;
    int id = 0;
    if (breakpoint_at_pc(k, &id)) {
        // Leave the breakpoint's instruction first, with execution breakpoints off,
        // so that resuming from a breakpoint does not stop on it again. -smp N:
        // off on this CPU only; the others run meanwhile and keep theirs (a
        // breakpoint another CPU hits first ends this step-off as a stop).
        s = run_machine(Mode::Step, 1, 0, Breakpoints::Off, smp ? k : kNoCpu);
        if (mode == Mode::Step) --count;
        const bool done = mode == Mode::Step && count == 0;
        if (s.kind != StopKind::Step || done) {
            s.cycles = st.cycles - start_cycles;
            s.instructions = st.instructions - start_insns;
            after_stop(s);
            return s;
        }
        if (budget_cycles) budget_cycles -= std::min(budget_cycles - 1, st.cycles - start_cycles);
    }
    s = run_machine(mode, count, budget_cycles, Breakpoints::On);
    s.cycles = st.cycles - start_cycles;
    s.instructions = st.instructions - start_insns;
    after_stop(s);
    return s;
}

StopInfo Debugger::run_machine(Mode mode, u64 count, u64 budget_cycles, Breakpoints bps, unsigned off_cpu) {
    watch_hit_.reset();
    event_hit_.reset();
    step_done_ = false;
    mode_ = mode;
    steps_left_ = mode == Mode::Step ? count : 0;
    arm(off_cpu == kNoCpu ? bps : Breakpoints::On, off_cpu);
    // Only the counted CPU reports its instructions: steps count that CPU's.
    Cpu& counted = m_.cpu(run_cpu_);
    if (mode == Mode::Step) counted.set_instruction_trace(InstructionTrace::On);

    const u64 now = m_.cpu_state(run_cpu_).cycles;
    RunLimits limits;
    // The budget is a pause, the session's limit (--max-cycles) a limit: with
    // -smp N only the limit shapes the schedule, as in a plain run.
    const u64 budget_pause = budget_cycles ? now + budget_cycles : 0;
    limits.pause_at_cycles = budget_pause;
    limits.max_cycles = cycle_limit_;
    if (cycle_limit_ && m_.cpu_state().cycles >= cycle_limit_) {
        // Already at the session's limit: nothing may run.
        if (mode == Mode::Step) counted.set_instruction_trace(InstructionTrace::Off);
        StopInfo s;
        s.kind = StopKind::CycleLimit;
        s.cpu = run_cpu_;
        return s;
    }
    running_ = true;
    RunResult r;
    try {
        // While recording, a long continue stops at every checkpoint interval to
        // take one (docs/snapshots.md, "Checkpoints"); stopping is invisible to
        // the guest, and a breakpoint at the resume point stops there as it would
        // have without the pause.
        for (;;) {
            const u64 every = checkpoint_due_cycle();
            // A checkpoint is a pause too (between rounds with -smp N).
            const bool chunked = every && mode == Mode::Continue && (budget_pause == 0 || every < budget_pause) &&
                                 (cycle_limit_ == 0 || every < cycle_limit_);
            limits.pause_at_cycles = chunked ? every : budget_pause;
            r = m_.run(limits);
            if (!chunked || r.outcome != RunOutcome::CycleLimit || watch_hit_ || event_hit_ ||
                interrupted_.load(std::memory_order_relaxed)) {
                break;
            }
            take_checkpoint_if_due();
        }
    } catch (...) {
        running_ = false;
        counted.set_instruction_trace(InstructionTrace::Off);
        throw;
    }
    running_ = false;
    if (mode == Mode::Step) counted.set_instruction_trace(InstructionTrace::Off);

    StopInfo s;
    s.cpu = run_cpu_;
    // The guest's own end (a debug-exit write, a power-off or reset request)
    // wins over a step or watch hit made by the same instruction: the machine
    // cannot run on, as after a plain run's end.
    const bool guest_end = r.outcome == RunOutcome::DebugExit || r.outcome == RunOutcome::PowerOff ||
                           r.outcome == RunOutcome::ResetRequested;
    if (guest_end) {
        watch_hit_.reset();
        event_hit_.reset();
        step_done_ = false;
    }
    if (watch_hit_) {
        s.kind = StopKind::Watchpoint;
        s.watch = watch_hit_;
        s.cpu = hit_cpu_;
    } else if (event_hit_) {
        s.kind = StopKind::Event;
        s.event = event_hit_;
        s.cpu = hit_cpu_;
    } else if (step_done_) {
        s.kind = StopKind::Step;
    } else {
        switch (r.outcome) {
            case RunOutcome::DebugStop: {
                int id = 0;
                // The CPU whose turn it was is the one that stopped.
                s.cpu = m_.running_cpu_index();
                if (r.message == "breakpoint" && breakpoint_at_pc(s.cpu, &id)) {
                    s.kind = StopKind::Breakpoint;
                    s.breakpoint_id = id;
                } else {
                    s.kind = StopKind::Interrupted;
                }
                break;
            }
            case RunOutcome::DebugExit:
                s.kind = StopKind::Exited;
                s.exit_status = r.exit_value;
                break;
            case RunOutcome::PowerOff:
                s.kind = StopKind::Exited;
                s.exit_status = 0;
                break;
            case RunOutcome::Shutdown:
                if (EventBreak* e = match_event(EventKind::TripleFault, kAnyArg)) {
                    ++e->hits;
                    s.kind = StopKind::Event;
                    s.cpu = m_.running_cpu_index();
                    s.event = EventHit{e->id, EventKind::TripleFault, ExceptionEvent{}, m_.cpu(s.cpu).shutdown_reason()};
                } else {
                    s.kind = StopKind::Shutdown;
                }
                break;
            case RunOutcome::ResetRequested: s.kind = StopKind::Shutdown; break;
            case RunOutcome::Hang: s.kind = StopKind::Hang; break;
            case RunOutcome::CycleLimit:
                s.kind = (cycle_limit_ && m_.cpu_state().cycles >= cycle_limit_) ? StopKind::CycleLimit : StopKind::Budget;
                break;
            case RunOutcome::Timeout: s.kind = StopKind::Interrupted; break;
        }
        if (s.kind == StopKind::Shutdown || s.kind == StopKind::Hang) s.message = r.message;
    }
    if (interrupted_.exchange(false, std::memory_order_relaxed) && s.kind == StopKind::Budget) {
        s.kind = StopKind::Interrupted;
    }
    return s;
}

void Debugger::before_resume() {
    prev_regs_ = registers();
    prev_regs_.changed = 0;
    if (m_.cpu_count() > 1) {
        prev_by_cpu_.resize(m_.cpu_count());
        for (unsigned i = 0; i < m_.cpu_count(); ++i) prev_by_cpu_[i] = raw_registers(i);
    }
    for (auto& [handle, t] : tracked_) t.before = read_tracked(t);
    if (track_tables_) leaves_at_resume_ = page_map({}, MapMerge::None);
}

void Debugger::after_stop(StopInfo& s) {
    // A stop on another CPU selects it, as gdb switches to the thread that stopped.
    if (s.cpu != cpu_) select_cpu(s.cpu);
    const CpuState& st = m_.cpu_state(s.cpu);
    s.eip = st.eip;
    s.pc = st.seg[sreg::CS].base + st.eip;
    // Temporary breakpoints end when they are hit.
    if (s.kind == StopKind::Breakpoint) {
        for (size_t i = 0; i < bps_.size(); ++i) {
            if (bps_[i].id != s.breakpoint_id) continue;
            ++bps_[i].hits;
            if (bps_[i].temporary) {
                bps_.erase(bps_.begin() + static_cast<std::ptrdiff_t>(i));
                s.breakpoint_id = 0;  // "ours" for until/next/finish
            }
            break;
        }
    }
    const std::string shutdown = s.message;
    s.message = cpu_prefix(s) + describe(s);
    if (!shutdown.empty() && s.kind != StopKind::Event) {
        const size_t nl = shutdown.find('\n');
        s.message += ": " + shutdown.substr(0, nl);
    }
    last_stop_ = s;
}

// ---------------------------------------------------------------- events

void Debugger::log(const EventRecord& r, u64 cycle, u32 kind_bit) {
    if (!(log_mask_ & kind_bit)) return;
    log_.push_back(LogEntry{++log_seq_, cycle, r});
    while (log_.size() > log_capacity_) log_.pop_front();
}

EventBreak* Debugger::match_event(EventKind kind, u32 arg) {
    for (EventBreak& e : evbs_) {
        if (e.enabled && e.kind == kind && (e.arg == kAnyArg || e.arg == arg)) return &e;
    }
    return nullptr;
}

void Debugger::request_stop(EventHit hit) {
    if (!event_hit_) {
        event_hit_ = std::move(hit);
        hit_cpu_ = m_.running_cpu_index();
    }
    m_.request_debug_stop();
}

void Debugger::on_instruction(const InstructionEvent& e) {
    if (replaying_) {
        ++replay_steps_;
        if (mode_ == Mode::Step && steps_left_ && --steps_left_ == 0) {
            step_done_ = true;
            m_.request_debug_stop();
        }
        return;
    }
    if (forward_) forward_->on_instruction(e);
    if (!running_ || mode_ != Mode::Step || steps_left_ == 0) return;
    if (--steps_left_ == 0) {
        // Takes effect when this instruction completes (or has delivered its fault).
        step_done_ = true;
        m_.request_debug_stop();
    }
}

void Debugger::on_page_walk(const PageWalkEvent& e) {
    if (replaying_) return;
    if (forward_) forward_->on_page_walk(e);
    log(e, e.cycle, log_mask::kWalk);
}

void Debugger::on_tlb_flush(const TlbFlushEvent& e) {
    if (replaying_) return;
    if (forward_) forward_->on_tlb_flush(e);
    log(e, e.cycle, log_mask::kFlush);
    if (!running_) return;
    EventBreak* hit = nullptr;
    if (e.cause == TlbFlushCause::Invlpg) hit = match_event(EventKind::Invlpg, kAnyArg);
    if (e.cause == TlbFlushCause::Cr3Write) hit = match_event(EventKind::Cr3Write, kAnyArg);
    if (!hit) hit = match_event(EventKind::TlbFlush, kAnyArg);
    if (hit) {
        ++hit->hits;
        request_stop(EventHit{hit->id, hit->kind, e, {}});
    }
}

void Debugger::on_exception(const ExceptionEvent& e) {
    if (replaying_) return;
    if (forward_) forward_->on_exception(e);
    log(e, e.cycle, log_mask::kException);
    if (!running_) return;
    EventBreak* hit = e.vector == static_cast<u8>(Vector::PF) ? match_event(EventKind::PageFault, kAnyArg) : nullptr;
    if (!hit) hit = match_event(EventKind::Exception, e.vector);
    if (hit) {
        ++hit->hits;
        request_stop(EventHit{hit->id, hit->kind, e, {}});
    }
}

void Debugger::on_interrupt(const InterruptEvent& e) {
    if (replaying_) return;
    if (forward_) forward_->on_interrupt(e);
    log(e, e.cycle, log_mask::kInterrupt);
}

void Debugger::on_port_io(const PortIoEvent& e) {
    if (replaying_) return;
    if (forward_) forward_->on_port_io(e);
    log(e, e.cycle, log_mask::kIo);
    if (!running_) return;
    // A 2- or 4-byte access touches `size` consecutive ports.
    for (unsigned k = 0; k < e.size; ++k) {
        if (EventBreak* hit = match_event(EventKind::PortIo, static_cast<u16>(e.port + k))) {
            ++hit->hits;
            request_stop(EventHit{hit->id, hit->kind, e, {}});
            break;
        }
    }
}

void Debugger::on_stale_translation(const StaleTranslationEvent& e) {
    if (replaying_) return;
    if (forward_) forward_->on_stale_translation(e);
    log(e, e.cycle, log_mask::kStale);
}

void Debugger::watch_hook(void* ctx, const WatchedAccess& a) { static_cast<Debugger*>(ctx)->on_watch(a); }

void Debugger::on_watch(const WatchedAccess& a) {
    if (!running_ || (replaying_ && !scanning_)) return;
    const WatchKind need = a.access == Access::Write ? WatchKind::Write : WatchKind::Read;
    for (Watchpoint& w : wps_) {
        if (!w.enabled || !(static_cast<u8>(w.kind) & static_cast<u8>(need))) continue;
        const u64 at = w.space == Space::Linear ? u64{a.lin} : a.phys;
        if (at + a.size <= w.addr || w.addr + w.len <= at) continue;
        // The access is the running CPU's.
        const unsigned k = m_.running_cpu_index();
        const CpuState& st = m_.cpu_state(k);
        WatchHit hit{w.id, a.access, a.lin, a.phys, a.size, a.value, a.old_value, st.eip};
        if (!replaying_) {  // reverse-continue's search counts and logs nothing
            ++w.hits;
            log(hit, st.cycles, log_mask::kWatch);
        }
        if (!watch_hit_) {
            watch_hit_ = hit;
            hit_cpu_ = k;
        }
        m_.cpu(k).request_stop_after_instruction();
        m_.request_debug_stop();
        return;
    }
}

// ---------------------------------------------------------------- describing stops

std::string Debugger::location(u32 pc) const {
    char b[64];
    std::snprintf(b, sizeof b, "0x%08x", pc);
    const std::string sym = symbolize(pc);
    return sym.empty() ? std::string(b) : std::string(b) + " <" + sym + ">";
}

std::string Debugger::cpu_prefix(const StopInfo& s) const {
    if (m_.cpu_count() == 1 || s.kind == StopKind::Exited || s.kind == StopKind::Shutdown || s.kind == StopKind::Hang) {
        return {};
    }
    return "cpu " + std::to_string(s.cpu) + ": ";
}

std::string Debugger::describe(const StopInfo& s) const {
    char buf[256];
    const std::string where = location(s.pc);
    switch (s.kind) {
        case StopKind::Step: return "stepped to " + where;
        case StopKind::Breakpoint:
            if (s.breakpoint_id) {
                std::snprintf(buf, sizeof buf, "breakpoint %d at ", s.breakpoint_id);
                return buf + where;
            }
            return "stopped at " + where;
        case StopKind::Watchpoint: {
            const WatchHit& w = *s.watch;
            if (w.access == Access::Write) {
                std::snprintf(buf, sizeof buf,
                              "watchpoint %d: write of %u bytes at linear 0x%08x (physical 0x%llx): 0x%llx -> 0x%llx, by eip 0x%08x; now at ",
                              w.id, w.size, w.linear, static_cast<unsigned long long>(w.phys),
                              static_cast<unsigned long long>(w.old_value), static_cast<unsigned long long>(w.value), w.eip);
            } else {
                std::snprintf(buf, sizeof buf,
                              "watchpoint %d: read of %u bytes at linear 0x%08x (physical 0x%llx): 0x%llx, by eip 0x%08x; now at ",
                              w.id, w.size, w.linear, static_cast<unsigned long long>(w.phys),
                              static_cast<unsigned long long>(w.value), w.eip);
            }
            return buf + where;
        }
        case StopKind::Event: return describe_event(*s.event) + "; at " + where;
        case StopKind::Interrupted: return "interrupted at " + where;
        case StopKind::Budget: return "running (budget used) at " + where;
        case StopKind::Exited:
            std::snprintf(buf, sizeof buf, "the guest exited with status %u", s.exit_status);
            return buf;
        case StopKind::Shutdown: return "the machine shut down";
        case StopKind::Hang: return "the guest hangs";
        case StopKind::CycleLimit: return "cycle limit reached at " + where;
    }
    return "stopped";
}

}  // namespace hm::dbg
