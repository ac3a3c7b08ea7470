// Executable invariants, Linux-style.
//
// BUG() and WARN() compile to a ud2 instruction plus an entry in the __bug_table
// section (address of the ud2, file, line, flags). The #UD handler looks the
// faulting address up: a BUG becomes an oops with the registers of the BUG site;
// a WARN prints a warning with a stack trace and resumes after the ud2.
#pragma once
#include <kernel/compiler.hpp>
#include <kernel/types.hpp>

constexpr u32 BUGFLAG_WARNING = 1u << 0;

struct bug_entry {
    u32 bug_addr;
    const char* file;
    u32 line;
    u32 flags;
};

#define __BUG_ENTRY(flags)                                                   \
    asm volatile("1: ud2\n"                                                  \
                 ".pushsection __bug_table, \"aw\"\n"                        \
                 ".balign 4\n"                                               \
                 ".long 1b, %c0, %c1, %c2\n"                                 \
                 ".popsection" ::"i"(__FILE__), "i"(__LINE__), "i"(flags))

#define BUG()                    \
    do {                         \
        __BUG_ENTRY(0);          \
        __builtin_unreachable(); \
    } while (0)

#define BUG_ON(cond)                 \
    do {                             \
        if (unlikely(cond)) BUG();   \
    } while (0)

#define __WARN_FLAGS(flags) __BUG_ENTRY(BUGFLAG_WARNING | (flags))

#define WARN_ON(cond)                                   \
    ({                                                  \
        bool __warn_cond = !!(cond);                    \
        if (unlikely(__warn_cond)) __WARN_FLAGS(0);     \
        unlikely(__warn_cond);                          \
    })

// The "once" state is a static per expansion, not a flag in the bug table:
// the compiler may duplicate a ud2 site (loop unrolling), never a static.
#define WARN_ON_ONCE(cond)                                   \
    ({                                                       \
        static bool __warned;                                \
        bool __warn_cond = !!(cond);                         \
        if (unlikely(__warn_cond && !__warned)) {            \
            __warned = true;                                 \
            __WARN_FLAGS(0);                                 \
        }                                                    \
        unlikely(__warn_cond);                               \
    })

// WARN with a message: the message is printed first, then the warning report.
#define WARN(cond, fmt, ...)                                 \
    ({                                                       \
        bool __warn_cond = !!(cond);                         \
        if (unlikely(__warn_cond)) {                         \
            printk(fmt, ##__VA_ARGS__);                      \
            __WARN_FLAGS(0);                                 \
        }                                                    \
        unlikely(__warn_cond);                               \
    })

struct pt_regs;
enum class bug_trap_type { none, warn, bug };
// Called by the #UD handler: prints the BUG/WARN report for regs->ip.
bug_trap_type report_bug(u32 bug_addr, pt_regs* regs);
// Warnings reported since boot (tests check that an expected WARN fired).
extern unsigned long warn_count;

[[noreturn]] void panic(const char* fmt, ...) __printf(1, 2);

// A compile-time-size check that also names the type in the error message.
#define BUILD_BUG_ON(cond) static_assert(!(cond), #cond)
