// One boot of a guest inside this process, its console captured: what
// `hm386 test` and `hm386 cost-report` run. A boot is described by `hm386 run`
// arguments, parsed and resolved by the very code `hm386 run` uses
// (run_options.hpp), so an image, a manifest and every run option mean the same
// thing in both commands. Boots share nothing: several may run at once in
// different threads.
#pragma once
#include <string>
#include <vector>

#include "boot/manifest.hpp"
#include "boot_record.hpp"
#include "run_options.hpp"

namespace hm {

// `hm386 run` arguments (image first) resolved into a plan. Throws UsageError
// (bad options, exit 64) or BootError (an unreadable image or manifest, 65).
RunPlan boot_plan(const std::vector<std::string>& run_args, const ManifestVars& vars);

// Boots the plan with COM1 and port 0xE9 captured (the plan's --serial,
// --debugcon, --stats, --trace and --post-log are ignored). Never throws for
// what the guest does; throws BootError when the image cannot be loaded.
BootRecord run_boot(const RunPlan& plan);

}  // namespace hm
