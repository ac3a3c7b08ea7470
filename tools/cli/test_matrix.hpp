// The machine configurations `hm386 test` boots each image in: the issue's
// matrix of paging modes and memory sizes (docs/testing.md).
//
//   64M-2level, 64M-pae   64 MiB with force_highmem=32M: a small lowmem limit, so
//                         highmem exists on a small machine
//   1G-2level, 1G-pae     1 GiB: 896 MiB of lowmem, 128 MiB of highmem
//   3G-2level, 3G-pae     3 GiB: mostly highmem
//   6G-pae                6 GiB: RAM above 4 GiB, reachable only with PAE
#pragma once
#include <string>
#include <vector>

namespace hm {

struct TestConfig {
    std::string name;    // e.g. "1G-pae"
    std::string mem;     // `hm386 run -m` value
    std::string append;  // kernel command-line words that define the configuration
};

const std::vector<TestConfig>& default_test_matrix();

// The configurations whose names match any of the shell globs, in matrix
// order; all of them for no pattern. Throws UsageError for a pattern that
// matches nothing (a typo must not silently run nothing).
std::vector<TestConfig> select_test_configs(const std::vector<std::string>& patterns);

// "ktest=GLOB" from --suite patterns joined by ','; empty for none.
std::string ktest_selection(const std::vector<std::string>& suites);

}  // namespace hm
