// Machine::run_smp: the run loop of -smp N (N > 1). -smp 1 keeps Machine::run's
// own loop, untouched, so one CPU runs exactly as before.
//
// Rounds of virtual time. The machine's time T (smp_now_) advances in rounds
// that end at the earliest of T + --smp-quantum, the next device event, the host
// slice and --max-cycles. In each round CPU 0, 1, ..., N-1 take their turns in
// that fixed order, each running until its own cycle counter reaches the round's
// end (at an instruction boundary, so it stays within one instruction of it);
// a halted CPU, or one waiting for a SIPI, is moved to the end at once. Then the
// events due by the end fire, with the clock at the end. While a CPU runs, the
// virtual clock is that CPU's counter (what its RDTSC and its device reads see).
// An interrupt or IPI raised for a CPU that has had its turn is taken in the
// next round. Only counters decide anything, so a run is reproducible.
//
// Atomicity: a CPU's turn ends only at an instruction boundary, so a locked
// read-modify-write, XCHG, CMPXCHG/CMPXCHG8B and the page walker's A/D updates
// are never split by another CPU's accesses.
//
// A run that returns inside a round (a debugger stop on CPU k: a breakpoint, a
// step count reached, a watch hit, an event) leaves the round open, and the
// next run finishes it first, with the same end, from CPU k: a debugger stop
// changes nothing in the schedule. The debugger's cycle budget
// (RunLimits::pause_at_cycles) is looked at only between rounds for the same
// reason; --max-cycles ends the last round where it falls, as it always has.
//
// When every CPU is halted or waiting for a SIPI, time skips to the next device
// event (nothing else can change anything); it is a hang only when no halted CPU
// can be woken by any pending or armed interrupt source.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "machine.hpp"

namespace hm {

namespace {
constexpr u64 kSlicesPerSecond = 100;  // as Machine::run: when the host is looked at
}

std::string Machine::cpus_summary() const {
    std::string out;
    for (unsigned i = 0; i < cores_.size(); ++i) {
        const CpuState& s = cores_[i]->state;
        char line[160];
        std::snprintf(line, sizeof line, "CPU %u: %s, IF=%u, CS:EIP=%04x:%08x, cycles %llu, instructions %llu\n", i,
                      s.wait_for_sipi ? "waiting for SIPI" : s.halted ? "halted" : "running",
                      (s.eflags & flag::IF) ? 1u : 0u, s.seg[sreg::CS].selector, s.eip,
                      static_cast<unsigned long long>(s.cycles), static_cast<unsigned long long>(s.instructions));
        out += line;
    }
    return out;
}

bool Machine::cpu_idle(unsigned i) const {
    const CpuState& s = cores_[i]->state;
    return s.wait_for_sipi || (s.halted && !cores_[i]->cpu.interrupt_would_wake());
}

void Machine::advance_idle_cpu(unsigned i, u64 end) {
    CpuState& s = cores_[i]->state;
    if (s.cycles >= end) return;
    cpu_halted_cycles_[i] += end - s.cycles;
    if (i == 0) halted_cycles_ += end - s.cycles;
    s.cycles = end;
}

RunResult Machine::run_smp(const RunLimits& limits) {
    using Clock = std::chrono::steady_clock;
    const auto host_start = Clock::now();
    auto host_elapsed = [&] { return std::chrono::duration<double>(Clock::now() - host_start).count(); };
    const u64 slice = std::max<u64>(config_.cpu_hz / kSlicesPerSecond, 1);
    const u64 max_cycles = limits.max_cycles ? limits.max_cycles : EventQueue::kNever;
    const unsigned n = cpu_count();
    RunResult result{RunOutcome::Hang, 0, {}};
    auto finish = [&](RunOutcome o, std::string msg) {
        clock_.bind(smp_now_);
        host_seconds_ += host_elapsed();
        result.outcome = o;
        result.message = std::move(msg);
        return result;
    };
    const u64 pause_at = limits.pause_at_cycles ? limits.pause_at_cycles : EventQueue::kNever;
    clock_.bind(smp_now_);

    for (;;) {
        u64 end = 0;
        unsigned first = 0;
        if (smp_round_open_) {
            // Finish the round a debugger stop interrupted, exactly as it would have gone on.
            smp_round_open_ = false;
            end = smp_round_end_;
            first = smp_round_cpu_;
        } else {
            if (limits.timeout_seconds > 0 && host_elapsed() >= limits.timeout_seconds) {
                char msg[128];
                std::snprintf(msg, sizeof msg, "host timeout after %g s at cycle %llu", limits.timeout_seconds,
                              static_cast<unsigned long long>(smp_now_));
                return finish(RunOutcome::Timeout, msg);
            }
            if (smp_now_ >= max_cycles) {
                return finish(RunOutcome::CycleLimit, "--max-cycles " + std::to_string(limits.max_cycles) + " reached");
            }
            if (smp_now_ >= pause_at) return finish(RunOutcome::CycleLimit, "paused (the debugger's budget)");
            pump_serial_input();

            bool all_idle = true;
            for (unsigned i = 0; i < n && all_idle; ++i) all_idle = cpu_idle(i);
            end = std::min(events_.next_deadline(), max_cycles);
            if (!all_idle) {
                end = std::min({end, smp_now_ + slice, smp_now_ + config_.smp_quantum});
            } else {
                // Nothing runs until an interrupt: is there one that can come?
                bool wakeable = false, armed = false;
                for (unsigned i = 0; i < n; ++i) {
                    if (cores_[i]->state.wait_for_sipi) continue;
                    wakeable = wakeable || interrupts_can_wake(i);
                    armed = armed || ((cores_[i]->state.eflags & flag::IF) && armed_event_can_wake(i));
                }
                const bool input_can_wake = config_.serial_in && config_.serial_in->open() && uart_.listening() &&
                                            uart_.rx_interrupt_enabled();
                if (input_can_wake && serial_pending_.empty() && !armed) {
                    // Interactive and idle: wait for the host's input, not for nothing.
                    config_.serial_in->wait(50);
                    continue;
                }
                if (!wakeable || events_.next_deadline() == EventQueue::kNever || (!armed && !input_can_wake)) {
                    return finish(RunOutcome::Hang,
                                  "guest hang: every CPU is halted or waiting for a SIPI, and no interrupt can wake any "
                                  "of them" +
                                      (armed_events_description().empty() ? std::string()
                                                                          : " (armed: " + armed_events_description() + ")") +
                                      "\n" + cpus_summary() + cpu_.dump_state());
                }
            }
        }

        for (unsigned i = first; i < n; ++i) {
            CpuCore& c = *cores_[i];
            if (cpu_idle(i)) {
                advance_idle_cpu(i, end);
                continue;
            }
            running_ = i;
            clock_.bind(c.state.cycles);
            if (sink_ && traced_cpu_ != i) {
                sink_->on_cpu_switch(CpuSwitchEvent{c.state.cycles, static_cast<u8>(i)});
                traced_cpu_ = i;
            }
            for (;;) {
                in_cpu_run_ = true;
                const StopReason why = c.cpu.run(end);
                in_cpu_run_ = false;
                if (pending_init_[i]) apply_pending_inits();
                while (i == 0 && state_.instructions >= next_hash_at_) {  // CPU 0 stopped exactly there
                    if (hash_report_) hash_report_(state_.instructions, state_.cycles, state_hash());
                    next_hash_at_ += hash_every_;
                    cpu_.set_instruction_stop(next_hash_at_);
                }
                if (auto stop = guest_or_debugger_stop(why)) {
                    smp_round_open_ = true;
                    smp_round_end_ = end;
                    smp_round_cpu_ = i;
                    result.exit_value = stop->exit_value;
                    return finish(stop->outcome, std::move(stop->message));
                }
                if (why == StopReason::Shutdown) {
                    return finish(RunOutcome::Shutdown, "CPU " + std::to_string(i) + ": " + c.cpu.shutdown_reason() +
                                                            "\n" + c.cpu.dump_state());
                }
                if (c.state.cycles >= end || c.state.wait_for_sipi) break;
                if (why == StopReason::Halted) {
                    if (c.cpu.interrupt_would_wake()) continue;
                    advance_idle_cpu(i, end);
                    break;
                }
                // An instruction-count stop or a stale stop request: the turn goes on.
            }
            clock_.bind(smp_now_);
        }
        running_ = 0;
        smp_now_ = end;
        events_.run_due(smp_now_);
    }
}

}  // namespace hm
