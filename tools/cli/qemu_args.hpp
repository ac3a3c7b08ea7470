// QEMU's spellings for the options hm386 shares with it. CLI11 reads "-append"
// as a cluster of short flags, so QEMU's single-dash long options are rewritten
// to hm386's before parsing:
//   -kernel F  -append S  -initrd "F ARGS,F2"  -bios F (= --rom)  -m SIZE  -smp N|cpus=N
//   -serial stdio|none|file:P  -debugcon ...  -rtc base=DATE[,clock=vm]
//   -no-reboot (hm386 never reboots)  -nographic / -display none (no display here)
//   -device isa-debug-exit[,iobase=0xf4][,iosize=0x04] (= --debug-exit-qemu)
// Anything else that looks like a QEMU option is left for CLI11 to reject.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace hm {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// args excludes argv[0]. Throws UsageError for a QEMU option with an argument
// hm386 cannot honour (e.g. an isa-debug-exit at another port).
std::vector<std::string> translate_qemu_args(const std::vector<std::string>& args);

// QEMU's -initrd list: modules separated by ',', a literal comma written ",,".
std::vector<std::string> split_initrd_list(const std::string& list);

}  // namespace hm
