// Running the user test program (user/utest.cpp, embedded in ktest.elf) from
// kernel test cases, and talking to it through its shared area.
#pragma once
#include <kernel/sched.hpp>

#include "user_abi.hpp"

struct mm_struct;

namespace utest {

// Starts "utest argv[1] ..." (argv[0] is the program name); null, with a test
// failure recorded, when it cannot start.
task_struct* spawn(const char* const* argv);
// The same, kept on one CPU (set_cpus_allowed_ptr).
task_struct* spawn(const char* const* argv, unsigned cpu);
// Runs "utest what" to the end: its exit status, or -1000 when it hung (killed).
int run(const char* what);

// A u32 of the process's shared area (offset: UTEST_*_OFFSET), read or
// written through access_process_vm (gup + kmap_local).
u32 read_shared(mm_struct* mm, unsigned offset);
void write_shared(mm_struct* mm, unsigned offset, u32 value);
// Waits until the program's state is at least 'state'; false after 2 s.
bool wait_state(task_struct* t, u32 state);

}  // namespace utest
