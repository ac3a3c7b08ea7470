// `hm386 run`: boots an image and maps how the run ended onto hm386's exit
// statuses (exit_codes.hpp).
#pragma once
#include "run_options.hpp"

namespace hm {

int run_command(const RunOptions& options, const ManifestVars& vars);

}  // namespace hm
