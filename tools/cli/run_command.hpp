// `hm386 run`: boots an image and maps how the run ended onto hm386's exit
// statuses (exit_codes.hpp). With --gdb PORT, gdb drives the machine first.
#pragma once
#include "snapshot/input_log.hpp"
#include <optional>

#include "debug/gdb_server.hpp"
#include "machine.hpp"
#include "run_options.hpp"
#include "snapshot_options.hpp"
#include "stats_report.hpp"

namespace hm {

int run_command(const RunOptions& options, const SnapshotOptions& snapshot, const ManifestVars& vars);

// Runs the machine to its end (the plan's limits) and reports how it ended. With
// a snapshot plan, it stops first at the snapshot's cycle count, writes the
// snapshot with `identity` and runs on.
struct SnapshotRequest {
    SnapshotPlan plan;
    SnapshotIdentity identity;
};
int run_machine_to_end(Machine& machine, const RunPlan& plan, RunSummary& summary,
                       const SnapshotRequest* snapshot = nullptr);
void report_statistics(Machine& machine, const RunPlan& plan, const RunSummary& summary);
// --state-hash-every N: prints "state-hash: instructions=I cycles=C hash=H" on
// stderr every N instructions (attach before running), and a "state-hash: final"
// line when the run is over. Both do nothing without the option.
void attach_state_hash(Machine& machine, const RunPlan& plan);
void print_final_state_hash(Machine& machine, const RunPlan& plan);

// A gdb session over the machine: listens on the plan's port and serves one gdb
// until it detaches, kills or hangs up. `status` is set when the stub could not
// even start (the reason printed).
struct GdbSession {
    dbg::GdbServer::End end = dbg::GdbServer::End::Disconnected;
    std::optional<int> status;
    double timeout_left = 0;  // what remains of --timeout for the run after gdb (0: no limit)
};
// With `recorder` (hm386 run --record), gdb's edits of memory and registers are
// logged with the machine's position.
GdbSession serve_gdb(Machine& machine, const RunPlan& plan, EventSink* forward, snap::InputRecorder* recorder = nullptr);

}  // namespace hm
