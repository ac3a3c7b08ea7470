// The register frame an exception or interrupt leaves on the kernel stack. The
// entry code (arch/x86/kernel/entry.S) pushes it in exactly this order; the
// static_asserts pin the offsets the assembly relies on.
#pragma once
#include <kernel/types.hpp>

struct pt_regs {
    u32 bx, cx, dx, si, di, bp, ax;  // pushed by the entry code
    u32 ds, es, fs, gs;
    u32 vector;      // which IDT vector brought us here
    u32 error_code;  // pushed by the CPU, or 0 by the stub
    u32 ip, cs, flags;  // pushed by the CPU
    u32 sp, ss;      // pushed by the CPU only on a privilege change (user mode)
};

static_assert(__builtin_offsetof(pt_regs, ds) == 28);
static_assert(__builtin_offsetof(pt_regs, vector) == 44);
static_assert(__builtin_offsetof(pt_regs, ip) == 52);
static_assert(__builtin_offsetof(pt_regs, flags) == 60);

inline bool user_mode(const pt_regs* regs) { return (regs->cs & 3) != 0; }

// The stack pointer at the moment of the exception: for a kernel-mode exception
// the CPU pushed no sp/ss, so the old stack starts right where they would be.
inline u32 kernel_stack_pointer(const pt_regs* regs) {
    return user_mode(regs) ? regs->sp : reinterpret_cast<u32>(&regs->sp);
}
