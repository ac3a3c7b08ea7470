// Kernel threads: creation, exit, joining, reference counting.
//
// A task_struct lives as long as someone holds a reference: the thread itself
// while it runs (dropped by whoever runs after it dies, in
// finish_task_switch), and each get_task_struct()/kthread_create() caller.
// The last put frees the stack and the task_struct.
#include <asm/fpu.hpp>
#include <asm/processor.hpp>
#include <asm/smp.hpp>
#include <asm/switch_to.hpp>
#include <kernel/bug.hpp>
#include <kernel/highmem.hpp>
#include <kernel/mm.hpp>
#include <kernel/printk.hpp>
#include <kernel/process.hpp>
#include <kernel/sched.hpp>
#include <kernel/slab.hpp>
#include <kernel/string.hpp>

namespace {
constexpr unsigned THREAD_ORDER = 1;  // 8 KiB stacks
static_assert((PAGE_SIZE << THREAD_ORDER) == THREAD_SIZE);

constinit kmem_cache* task_cache = nullptr;
constinit int next_pid = 1;
constinit list_head all_tasks = LIST_HEAD_INIT(all_tasks);
// Protects all_tasks and next_pid (Linux's tasklist_lock), taken with
// interrupts off: finish_task_switch removes dead threads from the list.
constinit spinlock_t tasklist_lock{0, "tasklist_lock"};

const char* state_name(unsigned state) {
    switch (state) {
    case TASK_RUNNING: return "R";
    case TASK_INTERRUPTIBLE: return "S";
    case TASK_UNINTERRUPTIBLE: return "D";
    case TASK_DEAD: return "X";
    }
    return "?";
}
}  // namespace

// The count is atomic (LOCK XADD): references are taken and dropped on every CPU.
void get_task_struct(task_struct* p) { __atomic_add_fetch(&p->refcount, 1, __ATOMIC_RELAXED); }

void put_task_struct(task_struct* p) {
    int left = __atomic_sub_fetch(&p->refcount, 1, __ATOMIC_ACQ_REL);
    BUG_ON(left < 0);
    if (left) return;
    BUG_ON(p == &init_task || p == current || p->state != TASK_DEAD);
    // Its last switch may still be finishing on another CPU (finish_task_switch
    // dropped the thread's own reference just before clearing on_cpu).
    while (__atomic_load_n(&p->on_cpu, __ATOMIC_ACQUIRE)) cpu_relax();
    free_task(p);
}

void free_task(task_struct* p) {
    free_pages(reinterpret_cast<unsigned long>(p->stack), THREAD_ORDER);
    kmem_cache_free(task_cache, p);
}

void wait_task_inactive(task_struct* p) {
    // TASK_DEAD is set only for the final switch (preemption and interrupts
    // off): dead and off its CPU means gone for good. A thread preempted
    // before that point runs again when its CPU's turn comes.
    while (!(__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == TASK_DEAD &&
             !__atomic_load_n(&p->on_cpu, __ATOMIC_ACQUIRE)))
        cpu_relax();
}

task_struct* kthread_create(int (*fn)(void*), void* data, const char* name) {
    if (!task_cache) task_cache = kmem_cache_create("task_struct", sizeof(task_struct), 16);
    if (!task_cache) return nullptr;
    auto* p = static_cast<task_struct*>(kmem_cache_zalloc(task_cache, GFP_KERNEL));
    if (!p) return nullptr;
    unsigned long stack = __get_free_pages(GFP_KERNEL, THREAD_ORDER);
    if (!stack) {
        kmem_cache_free(task_cache, p);
        return nullptr;
    }
    p->stack = reinterpret_cast<void*>(stack);
    *static_cast<u32*>(p->stack) = STACK_END_MAGIC;
    p->state = TASK_UNINTERRUPTIBLE;  // runs once woken
    p->flags = PF_KTHREAD;
    strlcpy(p->comm, name, sizeof p->comm);
    p->refcount = 2;  // the thread's own and the caller's
    INIT_LIST_HEAD(&p->run_list);
    p->cpu = smp_processor_id();
    p->cpus_allowed = CPU_MASK_ALL;
    p->time_slice = SCHED_TIMESLICE;
    p->threadfn = fn;
    p->data = data;
    init_waitqueue_head(&p->exit_wait);
    copy_thread(p);
    SpinLockIrqSaveGuard guard(tasklist_lock);
    p->pid = next_pid++;
    list_add_tail(&p->tasks, &all_tasks);
    return p;
}

void task_list_del(task_struct* p) {
    SpinLockIrqSaveGuard guard(tasklist_lock);
    list_del_init(&p->tasks);
}

task_struct* kthread_run(int (*fn)(void*), void* data, const char* name) {
    task_struct* p = kthread_create(fn, data, name);
    if (p) wake_up_process(p);
    return p;
}

// Every thread starts here (ret_from_fork), interrupts and preemption on.
extern "C" [[noreturn]] void kthread_entry() {
    task_struct* p = current;
    do_exit(p->threadfn(p->data));
}

void do_exit(int code) {
    task_struct* tsk = current;
    if (tsk == &init_task) panic("Attempted to kill the idle task!");
    if (tsk->pid == 1) panic("Attempted to kill init! exitcode=%#x", static_cast<unsigned>(code));
    BUG_ON(in_interrupt());
    if (preempt_count() || irqs_disabled()) {
        // Only an oops or a kill ends a thread in this state (locks it held
        // stay held, as in Linux).
        if (code != TASK_EXIT_OOPS)
            printk("note: %s[%d] exited with preempt_count %u%s\n", tsk->comm, tsk->pid, preempt_count(),
                   irqs_disabled() ? " and interrupts off" : "");
        preempt_count_set(0);
        local_irq_enable();
    }
    tsk->flags |= PF_EXITING;
    // An oops may leave mappings behind (the thread died mid-use); a normal
    // exit with mappings is a bug.
    if (code == TASK_EXIT_OOPS && tsk->kmap_ctrl.idx) {
        unsigned long flags = local_irq_save();
        __kmap_local_sched_out(tsk);
        tsk->kmap_ctrl.idx = 0;
        local_irq_restore(flags);
    }
    kmap_local_exit(tsk);
    fpu_exit(tsk);
    exit_mm(tsk);
    tsk->exit_code = code;
    tsk->exited = true;
    wake_up_all(&tsk->exit_wait);
    preempt_disable();
    local_irq_disable();
    tsk->state = TASK_DEAD;
    schedule_dead();
    BUG();  // a dead thread never runs again
}

int kthread_join(task_struct* p) {
    wait_event(p->exit_wait, p->exited);
    wait_task_inactive(p);
    return p->exit_code;
}

bool kthread_join_timeout(task_struct* p, long timeout, int* exit_code) {
    if (!wait_event_timeout(p->exit_wait, p->exited, timeout)) return false;
    wait_task_inactive(p);
    if (exit_code) *exit_code = p->exit_code;
    return true;
}

void kthread_kill(task_struct* p) {
    IrqSaveGuard guard;
    if (p->exited) return;
    p->kill_pending = true;
    try_to_wake_up(p, TASK_INTERRUPTIBLE);
}

task_struct* find_get_task_by_pid(int pid) {
    SpinLockIrqSaveGuard guard(tasklist_lock);
    task_struct* p;
    list_for_each_entry(p, &all_tasks, tasks) {
        if (p->pid == pid && !p->exited) {
            get_task_struct(p);
            return p;
        }
    }
    return nullptr;
}

void show_tasks() {
    printk("  PID STATE   TICKS    NVCSW   NIVCSW COMM\n");
    auto line = [](const task_struct* p) {
        printk("%5d %-5s %7llu %8llu %8llu %s\n", p->pid, state_name(p->state), p->ticks, p->nvcsw, p->nivcsw, p->comm);
    };
    SpinLockIrqSaveGuard guard(tasklist_lock);
    line(&init_task);
    task_struct* p;
    list_for_each_entry(p, &all_tasks, tasks) line(p);
}
