// `hm386 run`'s snapshot options (docs/snapshots.md, docs/cli.md):
//   --snapshot-at CYCLES --snapshot FILE   write a snapshot when the cycle count
//                                          reaches CYCLES, then run on
//   --resume FILE                          continue from a snapshot
// A snapshot carries the flags that shape the machine (RAM, clock, TLBs, devices)
// and how the image was booted; --resume takes them from there, and the rest
// (--timeout, --trace, --max-cycles, --state-hash-every ...) from the command line.
#pragma once
#include <string>

#include <CLI/CLI.hpp>

#include "machine.hpp"
#include "run_options.hpp"

namespace hm {

struct SnapshotOptions {
    std::string at;      // --snapshot-at CYCLES
    std::string file;    // --snapshot FILE
    std::string resume;  // --resume FILE
    std::string record;  // --record FILE: log the serial input from the host
    std::string replay;  // --replay FILE: feed a logged input back instead
};

// Only `hm386 run` has them (the debugger has savevm/loadvm instead).
void add_snapshot_options(CLI::App& cmd, SnapshotOptions& o);

struct SnapshotPlan {
    u64 at = 0;  // 0: no snapshot
    std::string file;
};
// UsageError for --snapshot-at without --snapshot (or the reverse), or a bad count.
SnapshotPlan resolve_snapshot_plan(const SnapshotOptions& o);

// How the plan boots its image, as stored in a snapshot (opaque to the machine).
std::string boot_description(const RunPlan& plan);
// A 64-bit identity of the image: the boot kind, the command line, and the bytes
// of the kernel, ROM, initrd and every module. Throws BootError for a file that
// cannot be read.
u64 image_identity(const RunPlan& plan);

// The identity a debugger session gives savevm/loadvm. The image was read a
// moment ago; should it be unreadable now, the hash is 0 and loadvm then only
// accepts snapshots saved in this session.
SnapshotIdentity session_identity(const RunPlan& plan);

// The plan for --resume: the image and every machine-shaping flag from the
// snapshot, everything else from the command line. A machine flag given on the
// command line must agree with the snapshot (UsageError naming both values); an
// image on the command line is refused. A malformed boot description raises
// snap::SnapshotError.
RunPlan resume_run_plan(const RunOptions& o, const SnapshotHeader& h, const ManifestVars& vars);

}  // namespace hm
