// User processes: ring 3, system calls, faults that end only the process,
// user memory from highmem with the right page-table bits, copy_to/from_user
// fixups, and other address spaces reached through get_user_pages +
// kmap_local (access_process_vm, process_vm_readv/writev).
#include <asm/fpu.hpp>
#include <asm/cpufeature.hpp>
#include <kernel/bootmodule.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/highmem.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/process.hpp>
#include <kernel/string.hpp>

#include "ktest.hpp"
#include "utest_runner.hpp"

extern "C" const u8 user_utest_elf[];

namespace {
using utest::run;
using utest::spawn;
}  // namespace

KTEST(process, hello_runs_in_ring_3) { EXPECT_EQ(run("hello"), 7); }

KTEST(process, argv_reaches_main) {
    const char* argv[] = {"utest", "args", "two", "three", nullptr};
    task_struct* t = spawn(argv);
    ASSERT_NOT_NULL(t);
    EXPECT_EQ(kthread_join(t), 42);
    put_task_struct(t);
}

KTEST(process, getpid_is_the_tasks_pid) {
    const char* argv[] = {"utest", "pid", nullptr};
    task_struct* t = spawn(argv);
    ASSERT_NOT_NULL(t);
    int pid = t->pid;
    EXPECT_EQ(kthread_join(t), pid & 0xFF);
    put_task_struct(t);
}

// Bad user pointers give -EFAULT (the copy's fault is fixed up), a partial
// copy stops at the hole, unknown calls -ENOSYS, nanosleep sleeps.
KTEST(process, system_calls_and_user_copies) {
    unsigned long fixups = process_stats.uaccess_faults;
    EXPECT_EQ(run("syscalls"), 0);
    // Two of the bad pointers pass access_ok (user addresses) and fault inside
    // the copy: the unmapped one and the buffer running into a hole.
    EXPECT_EQ(process_stats.uaccess_faults, fixups + 2);
}

KTEST(process, faults_end_only_the_process) {
    unsigned long segv = process_stats.segfaults;
    unsigned long oopses = oops_count;
    EXPECT_EQ(run("null"), SIGSEGV);
    EXPECT_EQ(run("write-text"), SIGSEGV);
    EXPECT_EQ(run("kernel-read"), SIGSEGV);  // supervisor page: U=0
    EXPECT_EQ(run("int81"), SIGSEGV);
    EXPECT_EQ(run("int3"), SIGTRAP);
    EXPECT_EQ(run("ud2"), SIGILL);
    EXPECT_EQ(run("div0"), SIGFPE);
    EXPECT_EQ(process_stats.segfaults, segv + 4);
    EXPECT_EQ(oops_count, oopses);  // none of it is a kernel bug
}

// An unmasked x87 exception in user mode: #MF (CR0.NE), SIGFPE, no oops.
KTEST(process, x87_exception_is_sigfpe) {
    unsigned long oopses = oops_count;
    u64 mf = fpu_stats.mf_reports;
    EXPECT_EQ(run("x87-div0"), SIGFPE);
    EXPECT_EQ(fpu_stats.mf_reports, mf + 1);
    EXPECT_EQ(oops_count, oopses);
}

KTEST(process, stack_is_not_executable_with_nx) {
    KTEST_REQUIRE(__supported_pte_mask & _PAGE_NX, "NX not active (needs paging=pae and a CPU with NX)");
    EXPECT_EQ(run("exec-stack"), SIGSEGV);
}

KTEST(process, stack_is_executable_without_nx) {
    KTEST_REQUIRE(!(__supported_pte_mask & _PAGE_NX), "NX is active");
    EXPECT_EQ(run("exec-stack"), 0);
}

// The target sleeps in nanosleep; meanwhile the kernel inspects its memory.
KTEST(process, user_memory_is_highmem_and_user_only) {
    const char* argv[] = {"utest", "target", nullptr};
    task_struct* t = spawn(argv);
    ASSERT_NOT_NULL(t);
    msleep(30);
    mm_struct* mm = t->mm;
    ASSERT_NOT_NULL(mm);
    unsigned long pages = 0, high = 0, bad_bits = 0, writable_text = 0, executable_stack = 0;
    vm_area_struct* vma;
    list_for_each_entry(vma, &mm->mmap, list) {
        for (unsigned long a = vma->vm_start; a < vma->vm_end; a += PAGE_SIZE) {
            pte_t pte = user_pte_read(mm, a);
            if (!pte_present(pte)) continue;
            ++pages;
            high += PageHighMem(pfn_to_page(pte_pfn(pte)));
            bad_bits += !(pte.val & _PAGE_USER) || (pte.val & _PAGE_GLOBAL);
            if ((vma->vm_flags & VM_EXEC) && (pte.val & _PAGE_RW)) ++writable_text;
            if (!(vma->vm_flags & VM_EXEC) && (__supported_pte_mask & _PAGE_NX) && !(pte.val & _PAGE_NX))
                ++executable_stack;
        }
    }
    EXPECT_EQ(pages, mm->nr_pages);
    // Text, rodata, the shared area and the top of the stack at least (the
    // rest arrives on demand).
    EXPECT_GE(pages, 4u);
    if (totalhigh_pages()) EXPECT_EQ(high, pages);  // GFP_HIGHUSER
    EXPECT_EQ(bad_bits, 0u);
    EXPECT_EQ(writable_text, 0u);
    EXPECT_EQ(executable_stack, 0u);
    // The last-level page tables: highmem with highpte, lowmem otherwise.
    unsigned long tables = 0, high_tables = 0;
    list_for_each_entry(vma, &mm->mmap, list) {
        for (unsigned long a = vma->vm_start; a < vma->vm_end; a += PAGE_SIZE) {
            if (!pte_present(user_pte_read(mm, a))) continue;
            page* table = user_pte_table_page(mm, a);
            ASSERT_NOT_NULL(table);
            ++tables;
            high_tables += PageHighMem(table);
        }
    }
    if (highpte_enabled() && totalhigh_pages()) EXPECT_EQ(high_tables, tables);
    if (!highpte_enabled()) EXPECT_EQ(high_tables, 0u);
    // Let it finish: the kernel writes what it waits for.
    char text[] = "written by the kernel";
    EXPECT_EQ(access_process_vm(mm, UTEST_SHARED_ADDR + UTEST_TEXT_OFFSET, text, sizeof text, FOLL_WRITE),
              static_cast<long>(sizeof text));
    u32 cmd = UTEST_CMD_FROM_KERNEL;
    EXPECT_EQ(access_process_vm(mm, UTEST_SHARED_ADDR + UTEST_CMD_OFFSET, &cmd, 4, FOLL_WRITE), 4);
    EXPECT_EQ(kthread_join(t), static_cast<int>(UTEST_CMD_FROM_KERNEL));
    put_task_struct(t);
}

// access_process_vm reads another address space through gup + kmap_local.
KTEST(process, access_process_vm_reads_a_sleeping_process) {
    const char* argv[] = {"utest", "target", nullptr};
    task_struct* t = spawn(argv);
    ASSERT_NOT_NULL(t);
    msleep(30);
    unsigned long maps = highmem_stats.kmap_local_maps;
    char buf[UTEST_TEXT_LEN] = {};
    u32 magic = 0;
    EXPECT_EQ(access_process_vm(t->mm, UTEST_SHARED_ADDR, &magic, 4, 0), 4);
    EXPECT_EQ(magic, UTEST_MAGIC);
    EXPECT_EQ(access_process_vm(t->mm, UTEST_SHARED_ADDR + UTEST_TEXT_OFFSET, buf, sizeof buf, 0),
              static_cast<long>(sizeof buf));
    EXPECT_STREQ(buf, UTEST_SECRET);
    if (totalhigh_pages()) EXPECT_GE(highmem_stats.kmap_local_maps, maps + 2);
    // Read-only text cannot be written without FOLL_FORCE.
    u8 byte = 0;
    EXPECT_EQ(access_process_vm(t->mm, 0x08048000, &byte, 1, FOLL_WRITE), 0);
    EXPECT_EQ(access_process_vm(t->mm, 0x08048000, &byte, 1, 0), 1);
    // A hole reads nothing.
    EXPECT_EQ(access_process_vm(t->mm, 0x10000000, &byte, 1, 0), 0);
    char text[] = "written by the kernel";
    access_process_vm(t->mm, UTEST_SHARED_ADDR + UTEST_TEXT_OFFSET, text, sizeof text, FOLL_WRITE);
    u32 cmd = UTEST_CMD_FROM_KERNEL;
    access_process_vm(t->mm, UTEST_SHARED_ADDR + UTEST_CMD_OFFSET, &cmd, 4, FOLL_WRITE);
    EXPECT_EQ(kthread_join(t), static_cast<int>(UTEST_CMD_FROM_KERNEL));
    put_task_struct(t);
}

// One process reads and writes another with process_vm_readv/writev.
KTEST(process, process_vm_readv_between_processes) {
    const char* targv[] = {"utest", "target", nullptr};
    task_struct* target = spawn(targv);
    ASSERT_NOT_NULL(target);
    char pid[12];
    snprintf(pid, sizeof pid, "%d", target->pid);
    const char* pargv[] = {"utest", "peek", pid, nullptr};
    task_struct* peek = spawn(pargv);
    ASSERT_NOT_NULL(peek);
    EXPECT_EQ(kthread_join(peek), 0);
    EXPECT_EQ(kthread_join(target), static_cast<int>(UTEST_CMD_FROM_PEEK));
    put_task_struct(peek);
    put_task_struct(target);
}

// A process spinning in user mode is preempted like any thread, and can be killed.
KTEST(process, user_mode_is_preempted_and_killable) {
    const char* argv[] = {"utest", "spin", nullptr};
    // Both on one CPU, so that they take turns.
    task_struct* a = spawn(argv, 0);
    task_struct* b = spawn(argv, 0);
    ASSERT_NOT_NULL(a);
    ASSERT_NOT_NULL(b);
    msleep(200);
    EXPECT_GT(a->ticks, 2u);
    EXPECT_GT(b->ticks, 2u);
    EXPECT_GT(a->nivcsw, 0u);
    kthread_kill(a);
    kthread_kill(b);
    int code = 0;
    EXPECT_TRUE(kthread_join_timeout(a, HZ, &code));
    EXPECT_EQ(code, -EINTR);
    EXPECT_TRUE(kthread_join_timeout(b, HZ, &code));
    EXPECT_EQ(code, -EINTR);
    put_task_struct(a);
    put_task_struct(b);
}

// Every page of a process (user pages and page tables) comes back at exit.
KTEST(process, memory_comes_back_at_exit) {
    EXPECT_EQ(run("hello"), 7);  // warm up the slab caches
    unsigned long free = nr_free_pages(), high = nr_free_highpages();
    EXPECT_EQ(run("hello"), 7);
    EXPECT_EQ(nr_free_pages(), free);
    EXPECT_EQ(nr_free_highpages(), high);
}

KTEST(process, bad_images_are_refused) {
    static const u8 junk[64] = {0x7F, 'E', 'L', 'F'};
    const char* argv[] = {"junk", nullptr};
    int err = 0;
    EXPECT_NULL(process_spawn(junk, sizeof junk, argv, "junk", &err));
    EXPECT_EQ(err, -8);  // -ENOEXEC
    EXPECT_NULL(process_spawn(user_utest_elf, 100, argv, "short", &err));
    EXPECT_EQ(err, -8);
}

// The same program, loaded by the boot loader as a Multiboot module (the
// 64 MiB CTest runs pass it with -initrd): its pages stay reserved.
KTEST(process, a_program_from_a_multiboot_module) {
    const boot_module* m = find_boot_module("utest.elf");
    KTEST_REQUIRE(m, "no utest.elf module (boot with -initrd build/guest/user/utest.elf)");
    ASSERT_NOT_NULL(m->data);
    EXPECT_TRUE(PageReserved(pfn_to_page(PFN_DOWN(m->start))));
    const char* argv[] = {"utest.elf", "hello", nullptr};
    int err = 0;
    task_struct* t = process_spawn(m->data, static_cast<unsigned long>(m->end - m->start), argv, "utest-module", &err);
    ASSERT_NOT_NULL(t);
    EXPECT_EQ(kthread_join(t), 7);
    put_task_struct(t);
}
