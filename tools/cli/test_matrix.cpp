#include "test_matrix.hpp"

#include <fnmatch.h>

#include "qemu_args.hpp"

namespace hm {

const std::vector<TestConfig>& default_test_matrix() {
    static const std::vector<TestConfig> matrix = {
        {"64M-2level", "64M", "paging=2level force_highmem=32M"},
        {"64M-pae", "64M", "paging=pae force_highmem=32M"},
        {"1G-2level", "1G", "paging=2level"},
        {"1G-pae", "1G", "paging=pae"},
        {"3G-2level", "3G", "paging=2level"},
        {"3G-pae", "3G", "paging=pae"},
        {"6G-pae", "6G", "paging=pae"},
    };
    return matrix;
}

std::vector<TestConfig> select_test_configs(const std::vector<std::string>& patterns) {
    const std::vector<TestConfig>& all = default_test_matrix();
    if (patterns.empty()) return all;
    for (const std::string& p : patterns) {
        bool any = false;
        for (const TestConfig& c : all) any = any || fnmatch(p.c_str(), c.name.c_str(), 0) == 0;
        if (!any) {
            std::string names;
            for (const TestConfig& c : all) names += (names.empty() ? "" : ", ") + c.name;
            throw UsageError("--config " + p + ": no such configuration (the matrix: " + names + ")");
        }
    }
    std::vector<TestConfig> out;
    for (const TestConfig& c : all) {
        for (const std::string& p : patterns) {
            if (fnmatch(p.c_str(), c.name.c_str(), 0) == 0) {
                out.push_back(c);
                break;
            }
        }
    }
    return out;
}

std::string ktest_selection(const std::vector<std::string>& suites) {
    std::string joined;
    for (const std::string& s : suites) {
        if (s.empty() || s.find_first_of(" \t\n") != std::string::npos) {
            throw UsageError("--suite '" + s + "': expected a glob without spaces, e.g. buddy or highmem.kmap_*");
        }
        joined += (joined.empty() ? "" : ",") + s;
    }
    return joined.empty() ? "" : "ktest=" + joined;
}

}  // namespace hm
