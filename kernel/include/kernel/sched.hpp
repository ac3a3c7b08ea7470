// Kernel threads and the scheduler.
//
// Preemptive round robin on every online CPU, one run queue shared by all
// (docs/kernel.md, "Threads and the scheduler"): every runnable thread gets a
// timeslice of SCHED_TIMESLICE ticks of the CPU it runs on; when it runs out,
// that CPU's timer interrupt asks for a reschedule and the thread is preempted
// on the way out of the interrupt if it is preemptible (preempt_count() == 0,
// interrupts on), or later at preempt_enable(). A thread sleeps by setting its
// state and calling schedule(); a wake-up makes it runnable again (see
// wait.hpp) and kicks an idle CPU that may run it. Affinity: cpus_allowed
// (kthread_bind, set_cpus_allowed_ptr); migrate_disable() keeps a thread on its
// CPU while it holds per-CPU resources (kmap_local slots).
//
// Every thread has an 8 KiB kernel stack (THREAD_SIZE, naturally aligned) with
// STACK_END_MAGIC at its lowest word, checked at each context switch.
#pragma once
#include <asm/asm_defs.hpp>
#include <asm/fpu.hpp>
#include <asm/percpu.hpp>
#include <asm/pgtable.hpp>
#include <kernel/list.hpp>
#include <kernel/types.hpp>
#include <kernel/wait.hpp>

struct pt_regs;
struct mm_struct;

// How far the boot has come. might_sleep() checks start once threads exist.
enum class system_states { booting, scheduling, running, halted };
extern system_states system_state;

// Task states (Linux's values).
constexpr unsigned TASK_RUNNING = 0x0000;
constexpr unsigned TASK_INTERRUPTIBLE = 0x0001;   // woken by wake-ups and by kill
constexpr unsigned TASK_UNINTERRUPTIBLE = 0x0002; // woken by wake-ups only
constexpr unsigned TASK_DEAD = 0x0080;

// Task flags.
constexpr unsigned PF_IDLE = 1u << 1;
constexpr unsigned PF_EXITING = 1u << 2;
constexpr unsigned PF_KTHREAD = 1u << 21;

constexpr unsigned SCHED_TIMESLICE = 2;  // ticks (20 ms at HZ=100)
constexpr size_t TASK_COMM_LEN = 16;

// A thread's kmap_local stack (Linux's struct kmap_ctrl): how many fixmap
// slots it holds, and their PTEs, so that they can be torn down when it is
// switched out and put back when it runs again.
// idx counts mappings, pteval[i] is the i-th one's PTE (at most 15, or 16 with
// debug_kmap_local; arch_kmap_local_map_idx() turns i into its fixmap slot).
// hm386's debugger reads this struct (emu/debug/kernel_layout.hpp).
struct kmap_ctrl {
    unsigned idx;
    pte_t pteval[KM_MAX_IDX];
};

// Saved CPU state of a thread that is not running: its kernel stack pointer
// (everything else is on that stack, pushed by __switch_to_asm).
struct thread_struct {
    u32 sp;
};

struct task_struct {
    volatile unsigned state;
    unsigned flags;
    thread_struct thread;
    void* stack;           // lowest address of the THREAD_SIZE stack
    int pid;
    char comm[TASK_COMM_LEN];
    int refcount;          // the scheduler's while alive, plus get_task_struct()s
    bool on_rq;            // on the run queue (runnable, possibly running)
    list_head run_list;
    list_head tasks;       // every task, for ps-style reports
    unsigned time_slice;   // ticks left
    u64 nvcsw, nivcsw;     // voluntary / involuntary context switches
    u64 ticks;             // timer ticks spent running
    // Thread body and exit.
    int (*threadfn)(void* data);
    void* data;
    int exit_code;
    bool exited;
    bool kill_pending;     // kthread_kill(): die at the next preemption point
    wait_queue_head exit_wait;
    kmap_ctrl kmap_ctrl;
    int pagefault_disabled;  // pagefault_disable() nesting
    mm_struct* mm;           // user address space; nullptr for kernel threads
    // Last, so that the layout hm386's debugger reads (emu/debug/kernel_layout.hpp)
    // stays as it was: the x87 state, saved lazily (asm/fpu.hpp).
    fpu_struct fpu;
    // SMP scheduling (sched/core.cpp), after everything the debugger reads.
    unsigned cpu;                  // the CPU it runs on, or last ran on
    volatile u32 on_cpu;           // running (or being switched away from) on some CPU: no other may pick it
    unsigned cpus_allowed;         // CPUs it may run on (bit n: CPU n); kthread_bind, set_cpus_allowed_ptr
    unsigned migration_disabled;   // migrate_disable() nesting: stays on 'cpu' while nonzero
};

extern task_struct init_task;  // the boot thread, later the idle thread (pid 0)
// The BSP's current thread, kept for hm386's debugger (emu/debug/kernel_layout.hpp
// reads this symbol); the kernel itself reads each CPU's own (asm/percpu.hpp,
// cpu_data::curr). Threads run on every CPU: on an AP, the debugger's
// "current" is still the BSP's (docs/kernel.md, "SMP").
extern task_struct* current_task;
inline task_struct* get_current() { return this_cpu_read(curr); }
#define current get_current()

inline void set_current_state(unsigned state) { __atomic_store_n(&current->state, state, __ATOMIC_SEQ_CST); }
inline void __set_current_state(unsigned state) { current->state = state; }

// Sleeping is only legal in process context with preemption and interrupts on;
// anything else is a bug, reported as an oops at the caller.
#define might_sleep() __might_sleep(__FILE__, __LINE__)
void __might_sleep(const char* file, int line);

void sched_init();
void schedule();
// Gives up the CPU to the next runnable thread (round robin), staying runnable.
void yield();
// From the interrupt return path: interrupts are off and stay off.
void preempt_schedule_irq();
// Makes a sleeping task runnable; false if it already was.
bool wake_up_process(task_struct* p);
bool try_to_wake_up(task_struct* p, unsigned state_mask);

// Sleeps for 'timeout' jiffies unless woken first; returns the jiffies left
// (0 when the time ran out). The caller sets the task state first.
long schedule_timeout(long timeout);
long schedule_timeout_uninterruptible(long timeout);
void msleep(unsigned ms);

// Timer tick: accounting and timeslice expiry, on the CPU that took the tick.
void scheduler_tick();

// Affinity (Linux's names). kthread_bind: before the thread's first wake-up,
// it will only ever run on 'cpu'. set_cpus_allowed_ptr: any thread, any time;
// a thread running on a CPU it may no longer use leaves it at its next
// preemption point (at once for the caller itself, if preemptible). False for
// a mask with no online CPU.
void kthread_bind(task_struct* p, unsigned cpu);
bool set_cpus_allowed_ptr(task_struct* p, unsigned mask);
constexpr unsigned CPU_MASK_ALL = ~0u;
// The thread stays on its CPU until the matching migrate_enable(): it may
// still be preempted and may sleep, but resumes on the same CPU (Linux's
// semantics; kmap_local_page holds it, kernel/highmem.hpp). Defined below.
inline void migrate_disable();
inline void migrate_enable();
void __migrate_enable_slow(task_struct* p);
// Sends CPU 'cpu' to its scheduler (the reschedule IPI; locally a flag).
void resched_cpu(unsigned cpu);
// From the reschedule IPI's handler (arch/x86/kernel/smp.cpp).
void scheduler_ipi();
// An AP, once online: becomes that CPU's idle thread (never returns).
[[noreturn]] void cpu_startup_entry();
// Context switches and the thread each CPU runs (the sched_smp suite).
unsigned long nr_running();
// On the way out of an interrupt: preempt the interrupted thread if it is
// preemptible and a reschedule is pending.
void irqentry_exit_cond_resched(pt_regs* regs);

// Kernel threads (sched/kthread.cpp).
// Creates a thread that will run fn(data) and exit with its return value. It
// starts stopped (TASK_UNINTERRUPTIBLE): wake_up_process() starts it. The
// caller owns one reference (put_task_struct when done).
task_struct* kthread_create(int (*fn)(void*), void* data, const char* name);
// kthread_create + wake_up_process.
task_struct* kthread_run(int (*fn)(void*), void* data, const char* name);
// Waits until the thread has exited and left its CPU; returns its exit code.
// Does not drop the caller's reference.
int kthread_join(task_struct* p);
// Like kthread_join with a limit: false when the thread is still alive.
bool kthread_join_timeout(task_struct* p, long timeout_jiffies, int* exit_code);
// Asks a thread to die: a kernel thread at its next preemption point, a
// process on its next way back to user mode; at once for a thread that sleeps
// interruptibly. The test runner uses it for cases that overrun their timeout.
void kthread_kill(task_struct* p);
inline bool fatal_signal_pending(const task_struct* p) { return p->kill_pending; }
[[noreturn]] void do_exit(int code);
// Internal to do_exit: switches away from a TASK_DEAD thread.
void schedule_dead();
void get_task_struct(task_struct* p);
// Takes a dead thread off the task list (finish_task_switch).
void task_list_del(task_struct* p);
// Frees a dead thread's stack and task_struct (the last reference is gone).
void free_task(task_struct* p);
// Waits until a thread that has exited has also left its CPU for good (its
// last switch done, its own reference dropped): kthread_join returns then,
// so a caller sees the thread's state TASK_DEAD and, after its own
// put_task_struct, the stack given back (Linux's wait_task_inactive).
void wait_task_inactive(task_struct* p);
void put_task_struct(task_struct* p);

// Exit codes of threads that did not return on their own.
constexpr int TASK_EXIT_OOPS = 11;  // killed by an oops (SIGSEGV, as Linux reports it)
// (kthread_kill: -EINTR)

// Whether an oops may end the current thread (false before the scheduler runs,
// in the idle thread and in init: then an oops is a panic).
bool task_can_die();
// Ends the current thread after an oops.
[[noreturn]] void make_task_dead();

// Called once, at the end of start_kernel: the boot thread starts init (pid 1,
// running init_fn) and becomes the idle thread.
[[noreturn]] void rest_init(int (*init_fn)(void*));

// Diagnostics.
unsigned long nr_context_switches();
void show_tasks();
// True when the stack's end marker is intact.
bool task_stack_end_intact(const task_struct* p);

// Only the thread itself (and interrupt handlers on its CPU, balanced before
// they return) changes its count, and the scheduler reads it only while the
// thread is off every CPU: no lock and no preempt_disable are needed (Linux's
// fast path is the same increment). Once the count is nonzero the thread
// stays on whatever CPU it is on then; the compiler barriers keep this CPU's
// per-CPU reads (the kmap_local slot base) after the pinning and before the
// release. On every highmem kmap_local pair: kept to an increment and a
// decrement with a test.
inline void migrate_disable() {
    ++current->migration_disabled;
    barrier();
}
inline void migrate_enable() {
    barrier();
    task_struct* p = current;
    const unsigned n = p->migration_disabled;
    if (likely(n > 1 || (n == 1 && (p->cpus_allowed & (1u << smp_processor_id()))))) {
        p->migration_disabled = n - 1;
        return;
    }
    __migrate_enable_slow(p);  // unbalanced (BUG), or leaving a CPU no longer allowed
}

#include <kernel/wait_impl.hpp>
