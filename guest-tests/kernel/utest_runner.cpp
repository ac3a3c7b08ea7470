// See utest_runner.hpp.
#include "utest_runner.hpp"

#include <kernel/jiffies.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/process.hpp>

#include "ktest.hpp"

extern "C" const u8 user_utest_elf[], user_utest_elf_end[];

namespace utest {

task_struct* spawn(const char* const* argv) {
    int err = 0;
    auto size = static_cast<unsigned long>(reinterpret_cast<uintptr_t>(user_utest_elf_end) -
                                           reinterpret_cast<uintptr_t>(user_utest_elf));
    task_struct* t = process_spawn(user_utest_elf, size, argv, "utest", &err);
    if (!t) KTEST_FAIL("process_spawn(%s) failed: %d", argv[1], err);
    return t;
}

task_struct* spawn(const char* const* argv, unsigned cpu) {
    task_struct* t = spawn(argv);
    // It may have started elsewhere: it moves at its next preemption point.
    if (t && !set_cpus_allowed_ptr(t, 1u << cpu)) KTEST_FAIL("CPU %u is not online", cpu);
    return t;
}

int run(const char* what) {
    const char* argv[] = {"utest", what, nullptr};
    task_struct* t = spawn(argv);
    if (!t) return -1000;
    int code = -1000;
    if (!kthread_join_timeout(t, 5 * HZ, &code)) {
        kthread_kill(t);
        kthread_join(t);
        code = -1000;
    }
    put_task_struct(t);
    return code;
}

u32 read_shared(mm_struct* mm, unsigned offset) {
    u32 v = 0;
    if (access_process_vm(mm, UTEST_SHARED_ADDR + offset, &v, sizeof v, 0) != sizeof v)
        KTEST_FAIL("cannot read the shared area at +%u", offset);
    return v;
}

void write_shared(mm_struct* mm, unsigned offset, u32 value) {
    if (access_process_vm(mm, UTEST_SHARED_ADDR + offset, &value, sizeof value, FOLL_WRITE) != sizeof value)
        KTEST_FAIL("cannot write the shared area at +%u", offset);
}

bool wait_state(task_struct* t, u32 state) {
    for (unsigned waited = 0; waited < 2000; waited += 5) {
        if (t->exited) return false;
        if (read_shared(t->mm, UTEST_STATE_OFFSET) >= state) return true;
        msleep(5);
    }
    return false;
}

}  // namespace utest
