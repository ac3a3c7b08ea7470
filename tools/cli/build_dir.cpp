#include "build_dir.hpp"

#include <unistd.h>

#include <climits>
#include <cstdlib>

namespace hm {

std::string locate_build_dir(const std::string& exe_suffix, const std::string& built_in) {
    if (const char* env = std::getenv("HM386_BUILD_DIR"); env && *env) return env;
    char exe[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        const std::string path(exe, static_cast<size_t>(n));
        if (path.size() > exe_suffix.size() &&
            path.compare(path.size() - exe_suffix.size(), exe_suffix.size(), exe_suffix) == 0) {
            return path.substr(0, path.size() - exe_suffix.size());
        }
    }
    return built_in;
}

}  // namespace hm
