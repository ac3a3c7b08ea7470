// Where ${BUILD} in an image manifest points: $HM386_BUILD_DIR if set, else the
// build tree the running executable sits in (found by stripping `exe_suffix`,
// e.g. "/tools/cli/hm386", from /proc/self/exe), else `built_in`, the tree it was
// built in. Shared by hm386 and hm386-gui so both resolve manifests alike.
#pragma once

#include <string>

namespace hm {

std::string locate_build_dir(const std::string& exe_suffix, const std::string& built_in);

}  // namespace hm
