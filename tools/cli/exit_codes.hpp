// hm386's exit statuses (documented in docs/cli.md; tools/scripts/run-qemu.sh maps
// QEMU's results onto the same numbers). A guest's debug-exit value is the status
// itself (low 8 bits), so guests should avoid the reserved numbers below.
#pragma once

namespace hm::exit_code {

constexpr int kUsage = 64;        // bad command line
constexpr int kBadImage = 65;     // bad kernel, module, ROM or manifest
constexpr int kInternal = 70;     // emulator error (an unimplemented feature, a bug)
constexpr int kShutdown = 122;    // triple fault / shutdown / reset request
constexpr int kHang = 123;        // halted with nothing that can wake the CPU
constexpr int kTimeout = 124;     // host wall-clock --timeout
constexpr int kCycleLimit = 125;  // --max-cycles reached

}  // namespace hm::exit_code
