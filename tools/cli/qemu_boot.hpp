// One boot of a guest under qemu-system-i386, through tools/scripts/run-qemu.sh
// (which runs QEMU the way hm386 runs guests and maps its results onto hm386's
// exit statuses): the other half of `hm386 test --qemu`.
#pragma once
#include <string>

#include "guest_boot.hpp"

namespace hm {

struct QemuBootSpec {
    std::string script;  // run-qemu.sh
    std::string image;
    std::string mem;
    std::string append;
    std::string cpu;     // QEMU -cpu model, e.g. "pentium3,+nx"
    double timeout_seconds = 120;
};

struct QemuBoot {
    BootRecord record;          // console = QEMU's serial output; message = the script's stderr
    bool qemu_missing = false;  // the script said SKIP (status 77): QEMU is not installed
};

// Throws UsageError when the script cannot be started at all.
QemuBoot run_qemu_boot(const QemuBootSpec& spec);

}  // namespace hm
