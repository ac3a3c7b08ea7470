// Ending the machine: the debug-exit port (QEMU's isa-debug-exit, hm386's
// compatible device) carries a status to the host; without it the CPU halts.
#pragma once
#include <kernel/types.hpp>

// Exit statuses the kernel reports (docs/kernel.md).
constexpr u32 EXIT_STATUS_OK = 0;
constexpr u32 EXIT_STATUS_TEST_FAILURE = 1;
constexpr u32 EXIT_STATUS_PANIC = 2;

[[noreturn]] void machine_power_off(u32 status);
