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
#include "debug/debugger.hpp"
#include "snapshot/snapshot_error.hpp"

namespace hm::dbg {

namespace {

// Re-execution is invisible: no stops, log entries, trace records or state-hash
// lines, however it ends.
class ReplayScope {
public:
    ReplayScope(bool& flag, Machine& m) : flag_(flag), m_(m) {
        flag_ = true;
        m_.mute_state_hash_reports(true);
    }
    ~ReplayScope() {
        flag_ = false;
        m_.mute_state_hash_reports(false);
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

void Debugger::take_checkpoint_if_due() {
    if (!recording_) return;
    const CpuState& s = m_.cpu_state();
    if (!checkpoints_.empty() && s.instructions - checkpoints_.back().instructions < kCheckpointEvery &&
        s.instructions >= checkpoints_.back().instructions) {
        return;
    }
    checkpoints_.push_back({s.cycles, s.instructions, m_.save_snapshot(identity_)});
    u64 bytes = 0;
    for (const Checkpoint& c : checkpoints_) bytes += c.file.size();
    while (checkpoints_.size() > 1 && (checkpoints_.size() > kMaxCheckpoints || bytes > kMaxCheckpointBytes)) {
        bytes -= checkpoints_.front().file.size();
        checkpoints_.erase(checkpoints_.begin());
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
    const Checkpoint* ck = nullptr;  // the newest before now (the list is not in time order after going back)
    for (const Checkpoint& c : checkpoints_) {
        if (c.cycles < cur_cycles && (!ck || c.cycles > ck->cycles)) ck = &c;
    }
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

}  // namespace hm::dbg
