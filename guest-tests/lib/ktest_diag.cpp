// ktest's access to hm386's diagnostic device: the kernel's driver
// (asm/hm386_diag.hpp) under the framework's names.
#include <asm/hm386_diag.hpp>

#include "ktest.hpp"

namespace ktest {

bool diag_present() { return hm386_diag_present(); }
u64 diag_command(u32 command, u64 arg) { return hm386_diag_command(command, arg); }

}  // namespace ktest
