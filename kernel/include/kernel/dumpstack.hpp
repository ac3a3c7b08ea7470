// Oops reports and stack traces.
#pragma once
#include <kernel/types.hpp>

struct pt_regs;

// Registers, control registers and the call trace of an exception frame.
void show_regs(const pt_regs* regs);
// The call trace of the caller.
void dump_stack();
// A frame-pointer walk starting at frame bp, bounded to the kernel stack that
// contains it; prints one " [<addr>] symbol+off/size" line per frame.
void show_trace(u32 bp);
// Prints one address with its symbol (" [<c0101234>] foo+0x12/0x40").
void print_ip_sym(const char* prefix, u32 ip);

// Ends an oops: the current thread dies, or the kernel panics when that is
// impossible (interrupt context, the idle thread, before the scheduler).
[[noreturn]] void oops_end(const pt_regs* regs, const char* reason);
// Starts an oops report; returns its number (1 for the first oops since boot).
unsigned oops_begin();
extern unsigned long oops_count;

// die(): a kernel-mode exception nobody can handle.
[[noreturn]] void die(const char* str, pt_regs* regs, u32 err);

// Something to tell when the kernel oopses (the test runner marks the running
// case failed). Called after the report, before the thread dies.
using die_notifier_fn = void (*)(const char* reason);
void register_die_notifier(die_notifier_fn fn);
