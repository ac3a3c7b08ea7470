// reverse-stepi: periodic in-memory snapshots plus deterministic re-execution
// (docs/snapshots.md, "Reverse stepping"). Everything guest-visible depends only
// on the cycle counter, and stopping anywhere changes nothing (the observers.*
// CTests), so re-executing from a checkpoint reaches the same states again.
//
// The target is the stop that `step` would have made just before the current
// state. From the newest checkpoint before it, the machine runs at full speed to
// a point Q a few cycles earlier than the current state, then one instruction at
// a time while counting steps up to the current state (which must be reached
// exactly: same cycles, instructions and state hash), and finally again from Q
// one step fewer. Q itself is a stop `step` would make unless it was reached
// mid-halt or between an interrupt's delivery and its handler's first
// instruction, so Q is only ever the answer when it is the checkpoint (a real
// stop); otherwise Q moves further back until two steps or more separate it
// from the current state.
#include <algorithm>

#include "debug/debugger.hpp"
#include "snapshot/snapshot_error.hpp"

namespace hm::dbg {

namespace {

// Re-execution is invisible: no stops, log entries, trace records, state-hash
// lines or guest output (shown already), however it ends.
class ReplayScope {
public:
    ReplayScope(bool& flag, Machine& m) : flag_(flag), m_(m) {
        flag_ = true;
        m_.mute_state_hash_reports(true);
        m_.mute_guest_output(true);
    }
    ~ReplayScope() {
        flag_ = false;
        m_.mute_state_hash_reports(false);
        m_.mute_guest_output(false);
    }

private:
    bool& flag_;
    Machine& m_;
};

}  // namespace

void Debugger::set_recording(bool on) {
    if (on == recording_) return;
    recording_ = on;
    checkpoints_.clear();
    take_checkpoint_if_due();  // going back to where recording began is possible
}

const Debugger::Checkpoint* Debugger::checkpoint_before(u64 cycle, bool or_at) const {
    // checkpoints_ is in cycle order: the newest whose cycle is below (or at) `cycle`.
    auto it = std::partition_point(checkpoints_.begin(), checkpoints_.end(), [&](const Checkpoint& c) {
        return or_at ? c.cycles <= cycle : c.cycles < cycle;
    });
    return it == checkpoints_.begin() ? nullptr : &*(it - 1);
}

u64 Debugger::checkpoint_due_cycle() const {
    // -smp N: a run cut at an arbitrary cycle is scheduled differently from one
    // that goes through it (the CPUs' rounds restart at the cut), so a pause for a
    // checkpoint would change the guest: none during a continue there.
    if (!recording_ || replaying_ || m_.cpu_count() > 1) return 0;
    const Checkpoint* c = checkpoint_before(m_.cpu_state().cycles, true);
    return c ? c->cycles + kCheckpointEvery : m_.cpu_state().cycles;
}

void Debugger::take_checkpoint_if_due() {
    if (!recording_ || replaying_) return;
    const u64 now = m_.cpu_state().cycles;
    const Checkpoint* prev = checkpoint_before(now, true);
    if (prev && now - prev->cycles < kCheckpointEvery) return;
    // After going back, the checkpoints ahead stay valid (re-execution is exact),
    // so the new one goes in its place in time.
    auto at = std::partition_point(checkpoints_.begin(), checkpoints_.end(),
                                   [&](const Checkpoint& c) { return c.cycles < now; });
    checkpoints_.insert(at, Checkpoint{now, m_.cpu_state().instructions, m_.save_snapshot(identity_)});
    thin_checkpoints(now);
}

void Debugger::thin_checkpoints(u64 now) {
    // Over the limits, the checkpoint whose removal leaves the smallest gap
    // relative to its distance from now goes: recent ones stay dense (a reverse
    // step near now re-executes at most kCheckpointEvery cycles) and old ones
    // thin out geometrically. The first (where recording began) always stays,
    // so reverse-continue can go back to it.
    u64 bytes = 0;
    for (const Checkpoint& c : checkpoints_) bytes += c.file.size();
    while (checkpoints_.size() > 2 && (checkpoints_.size() > kMaxCheckpoints || bytes > kMaxCheckpointBytes)) {
        size_t victim = 0;
        double best = 0;
        for (size_t i = 1; i < checkpoints_.size(); ++i) {
            const u64 next = i + 1 < checkpoints_.size() ? checkpoints_[i + 1].cycles : std::max(now, checkpoints_[i].cycles);
            const u64 gap = next - checkpoints_[i - 1].cycles;
            const u64 dist = now > checkpoints_[i].cycles ? now - checkpoints_[i].cycles : checkpoints_[i].cycles - now;
            const double score = static_cast<double>(gap) / static_cast<double>(dist + 1);
            if (!victim || score < best) {
                victim = i;
                best = score;
            }
        }
        bytes -= checkpoints_[victim].file.size();
        checkpoints_.erase(checkpoints_.begin() + static_cast<std::ptrdiff_t>(victim));
    }
}

void Debugger::restore(const std::vector<u8>& file) { m_.load_snapshot(file, identity_.image_hash); }

void Debugger::fast_forward(u64 cycle) {
    arm(Breakpoints::Off);
    mode_ = Mode::Continue;
    running_ = true;
    m_.run(RunLimits{cycle, 0});
    running_ = false;
}

u64 Debugger::count_steps_to(u64 cycle) {
    arm(Breakpoints::Off);
    mode_ = Mode::Step;
    steps_left_ = 0;  // count only
    replay_steps_ = 0;
    m_.cpu().set_instruction_trace(InstructionTrace::On);
    running_ = true;
    m_.run(RunLimits{cycle, 0});
    running_ = false;
    m_.cpu().set_instruction_trace(InstructionTrace::Off);
    return replay_steps_;
}

StopInfo Debugger::reverse_step() {
    const CpuState& st = m_.cpu_state();
    const u64 cur_cycles = st.cycles, cur_insns = st.instructions;
    const Checkpoint* ck = checkpoint_before(cur_cycles, false);
    if (!ck) {
        throw DebugError(recording_ ? "reverse-stepi: no checkpoint before this point (loadvm and edits of registers or "
                                      "memory drop them; one is taken when the machine resumes)"
                                    : "reverse-stepi: no checkpoint before this point: turn recording on (`record on`) "
                                      "before running the part to step back through");
    }
    before_resume();
    run_cpu_ = 0;  // re-execution counts CPU 0's steps
    const u64 cur_hash = m_.state_hash();
    const std::vector<u8> here = m_.save_snapshot(identity_);
    StopInfo s;
    try {
        ReplayScope scope(replaying_, m_);
        std::vector<u8> from;
        u64 steps = 0;
        for (u64 back = 64;; back *= 4) {
            restore(ck->file);
            const bool at_checkpoint = ck->cycles + back >= cur_cycles;
            if (!at_checkpoint) fast_forward(cur_cycles - back);
            if (st.cycles >= cur_cycles) continue;  // the instruction there ends at or after now
            from = m_.save_snapshot(identity_);
            steps = count_steps_to(cur_cycles);
            if (st.cycles != cur_cycles || st.instructions != cur_insns || m_.state_hash() != cur_hash) {
                throw DebugError("reverse-stepi: re-executing from the checkpoint at instruction " +
                                 std::to_string(ck->instructions) +
                                 " does not reach the current state again (has something outside the guest changed it?)");
            }
            if (steps >= 2 || (at_checkpoint && steps >= 1)) break;
        }
        restore(from);
        if (steps > 1) {
            const StopInfo r = run_machine(Mode::Step, steps - 1, 0, Breakpoints::Off);
            if (r.kind != StopKind::Step) throw DebugError("reverse-stepi: re-execution stopped early");
        }
    } catch (const snap::SnapshotError& e) {
        restore(here);
        throw DebugError(std::string("reverse-stepi: ") + e.what());
    } catch (...) {
        restore(here);
        throw;
    }
    s.kind = StopKind::Step;  // StopInfo's counts are forward progress: none
    after_stop(s);
    return s;
}

// ---------------------------------------------------------------- reverse-continue
//
// Each checkpoint starts a segment that ends at the next one (the last at now).
// From the newest segment backwards, the machine re-executes the segment as
// `continue` would, with the breakpoints and watchpoints of now, counting their
// hits; the first segment with a hit holds the answer, its last hit. A second
// re-execution of that segment stops at that hit. A breakpoint at a segment's
// first instruction is a hit of that segment (a continue that reached the
// checkpoint would have stopped there); hits at or after the segment's end
// belong to the next.

StopInfo Debugger::scan_continue(u64 end) {
    int id = 0;
    if (breakpoint_at_pc(0, &id)) {
        const StopInfo s = run_machine(Mode::Step, 1, 0, Breakpoints::Off);
        if (s.kind != StopKind::Step) return s;
    }
    const u64 now = m_.cpu_state().cycles;
    if (now >= end) {
        StopInfo s;
        s.kind = StopKind::Budget;
        return s;
    }
    return run_machine(Mode::Continue, 0, end - now, Breakpoints::On);
}

template <class AtHit>
u64 Debugger::scan_hits(u64 end, AtHit&& at_hit) {
    u64 hits = 0;
    int id = 0;
    if (m_.cpu_state().cycles < end && breakpoint_at_pc(0, &id)) {
        StopInfo h;
        h.kind = StopKind::Breakpoint;
        h.breakpoint_id = id;
        if (at_hit(++hits, h)) return hits;
    }
    for (;;) {
        StopInfo s = scan_continue(end);
        if (s.kind != StopKind::Breakpoint && s.kind != StopKind::Watchpoint) return hits;
        if (m_.cpu_state().cycles >= end) return hits;
        if (at_hit(++hits, s)) return hits;
    }
}

StopInfo Debugger::reverse_continue() {
    const CpuState& st = m_.cpu_state();
    const u64 cur_cycles = st.cycles;
    const Checkpoint* newest = checkpoint_before(cur_cycles, false);
    if (!newest) {
        if (!checkpoints_.empty() && checkpoints_.front().cycles == cur_cycles) {
            throw DebugError("reverse-continue: no checkpoint before this point: this is where recording began");
        }
        throw DebugError(recording_ ? "reverse-continue: no checkpoint before this point (loadvm and edits of registers "
                                      "or memory drop them; one is taken when the machine resumes)"
                                    : "reverse-continue: no checkpoint before this point: turn recording on (`record "
                                      "on`) before running the part to go back through");
    }
    before_resume();
    const std::vector<u8> here = m_.save_snapshot(identity_);
    StopInfo found;
    try {
        ReplayScope scope(replaying_, m_);
        scanning_ = true;
        struct ScanOff {
            bool& f;
            ~ScanOff() { f = false; }
        } scan_off{scanning_};
        size_t i = static_cast<size_t>(newest - checkpoints_.data());
        for (;; --i) {
            const u64 end = i + 1 < checkpoints_.size() ? std::min(checkpoints_[i + 1].cycles, cur_cycles) : cur_cycles;
            restore(checkpoints_[i].file);
            StopInfo last;
            const u64 hits = scan_hits(end, [&](u64, const StopInfo& s) {
                last = s;
                return false;
            });
            if (hits) {
                restore(checkpoints_[i].file);
                scan_hits(end, [&](u64 n, const StopInfo& s) {
                    found = s;
                    return n == hits;
                });
                if (found.kind != last.kind || found.breakpoint_id != last.breakpoint_id) {
                    throw DebugError("reverse-continue: re-execution did not reach the same hit again");
                }
                break;
            }
            if (i == 0) {
                restore(checkpoints_[0].file);
                found = StopInfo{};
                found.kind = StopKind::Step;
                found.history_start = true;
                break;
            }
        }
    } catch (const snap::SnapshotError& e) {
        restore(here);
        throw DebugError(std::string("reverse-continue: ") + e.what());
    } catch (...) {
        restore(here);
        throw;
    }
    // Report the hit without counting it again (after_stop would).
    found.eip = st.eip;
    found.pc = st.seg[sreg::CS].base + st.eip;
    found.cycles = found.instructions = 0;
    found.message = found.history_start ? "no earlier breakpoint or watchpoint hit: back where recording began, at " +
                                              location(found.pc)
                                        : describe(found);
    last_stop_ = found;
    return found;
}

}  // namespace hm::dbg
