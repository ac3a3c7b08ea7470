// The scheduler: one run queue, round robin, preemption on timeslice expiry.
//
// Invariants:
//  - The run queue holds every TASK_RUNNING thread except the idle thread,
//    the running one included (on_rq says whether a task is on it).
//  - Every context switch happens in __schedule() with interrupts off and
//    preempt_count() == 1, so the CPU's preempt counter is the same before and
//    after a switch, whichever thread resumes.
//  - Only the BSP runs threads: the APs (arch/x86/kernel/smpboot.cpp) sit in
//    their idle loops and run call-function IPIs (docs/kernel.md, "SMP").
//  - A thread that sets a sleeping state stays on the run queue until it calls
//    schedule() itself: a preemption in between (preempt=true) does not
//    dequeue it, so a wake-up arriving in that window is never lost.
#include <asm/layout.hpp>
#include <asm/ptrace.hpp>
#include <asm/switch_to.hpp>
#include <kernel/bug.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/highmem.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/preempt.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>
#include <kernel/string.hpp>
#include <kernel/timer.hpp>

extern "C" char init_thread_union[];

constinit volatile u64 jiffies_64 = 0;
constinit system_states system_state = system_states::booting;

constinit task_struct init_task{
    .state = TASK_RUNNING,
    .flags = PF_KTHREAD,
    .thread = {0},
    .stack = init_thread_union,
    .pid = 0,
    .comm = "swapper",
    .refcount = 1,
    .on_rq = false,
    .run_list = {nullptr, nullptr},  // list heads pointing at themselves: sched_init()
    .tasks = {nullptr, nullptr},
    .time_slice = SCHED_TIMESLICE,
    .nvcsw = 0,
    .nivcsw = 0,
    .ticks = 0,
    .threadfn = nullptr,
    .data = nullptr,
    .exit_code = 0,
    .exited = false,
    .kill_pending = false,
    .exit_wait = {{0, "exit_wait"}, {nullptr, nullptr}},
    .kmap_ctrl = {0, {}},
    .pagefault_disabled = 0,
    .mm = nullptr,
    .fpu = {},
};
constinit task_struct* current_task = &init_task;
// CPU 0's entry is ready before start_kernel (head.S loads %fs); the APs' are
// filled by smp_init() (arch/x86/kernel/smpboot.cpp).
constinit cpu_data percpu_area[NR_CPUS]{{.curr = &init_task,
                                         .preempt_count = 0,
                                         .need_resched = 0,
                                         .cpu = 0,
                                         .kmap_slot_base = 0,
                                         .apic_id = 0,
                                         .ipis_sent = 0,
                                         .ipis_received = 0,
                                         .remote_tlb_flushes = 0,
                                         .tlb_shootdowns = 0,
                                         .fpu_owner = nullptr,
                                         .ipi_handler_cycles = 0}};

namespace {

constinit list_head runqueue = LIST_HEAD_INIT(runqueue);
constinit unsigned long context_switches = 0;
constinit bool scheduler_running = false;

task_struct* idle_task() { return &init_task; }

void enqueue_task(task_struct* p) {
    if (p->on_rq || p == idle_task()) return;
    list_add_tail(&p->run_list, &runqueue);
    p->on_rq = true;
}

void dequeue_task(task_struct* p) {
    if (!p->on_rq) return;
    list_del(&p->run_list);
    p->on_rq = false;
}

u32* stack_end(const task_struct* p) { return static_cast<u32*>(p->stack); }

void check_stack_end(const task_struct* p) {
    if (*stack_end(p) == STACK_END_MAGIC) return;
    printk("Kernel stack overflow or corruption in %s[%d]: end marker %08x at %p\n", p->comm, p->pid,
           *stack_end(p), static_cast<void*>(stack_end(p)));
    BUG();
}

// The next thread to run: the head of the run queue, or idle.
task_struct* pick_next_task() {
    if (list_empty(&runqueue)) return idle_task();
    return list_first_entry(&runqueue, task_struct, run_list);
}

void finish_task_switch(task_struct* prev) {
    if (unlikely(current->kmap_ctrl.idx)) __kmap_local_sched_in(current);
    if (prev->state == TASK_DEAD) {
        list_del_init(&prev->tasks);
        put_task_struct(prev);  // the reference the thread held while alive
    }
}

void context_switch(task_struct* prev, task_struct* next) {
    check_stack_end(prev);
    check_stack_end(next);
    ++context_switches;
    if (unlikely(prev->kmap_ctrl.idx)) __kmap_local_sched_out(prev);
    // Kernel threads run on the kernel's page tables (no lazy TLB borrowing).
    if (next->mm != prev->mm) switch_mm(next->mm ? next->mm : &init_mm);
    arch_switch_to(next);
    this_cpu_write(curr, next);
    current_task = next;  // only the BSP switches threads
    task_struct* last = __switch_to_asm(&prev->thread.sp, next->thread.sp, prev);
    // Back in prev, possibly much later; 'last' is whoever ran just before.
    finish_task_switch(last);
}

// Interrupts off, preempt_count() == 1.
void __schedule(bool preempt) {
    task_struct* prev = current;
    if (unlikely(preempt_count() != PREEMPT_OFFSET)) {
        printk("BUG: scheduling while atomic: %s[%d] preempt_count %#x\n", prev->comm, prev->pid, preempt_count());
        BUG();
    }
    if (!preempt && prev->state != TASK_RUNNING) dequeue_task(prev);
    else if (prev->on_rq) list_move_tail(&prev->run_list, &runqueue);  // round robin
    task_struct* next = pick_next_task();
    clear_need_resched();
    if (next == prev) return;
    if (preempt) ++prev->nivcsw;
    else ++prev->nvcsw;
    next->time_slice = SCHED_TIMESLICE;
    context_switch(prev, next);
}

// Timer callback of schedule_timeout.
struct process_timer {
    timer_list timer;
    task_struct* task;
};
void process_timeout(timer_list* t) { wake_up_process(container_of(t, process_timer, timer)->task); }

}  // namespace

void sched_init() {
    *stack_end(&init_task) = STACK_END_MAGIC;
    INIT_LIST_HEAD(&init_task.run_list);
    INIT_LIST_HEAD(&init_task.tasks);
    init_waitqueue_head(&init_task.exit_wait);
    scheduler_running = true;
}

void schedule() {
    BUG_ON(in_interrupt());
    preempt_disable();
    unsigned long flags = local_irq_save();
    __schedule(false);
    local_irq_restore(flags);
    preempt_enable_no_resched();
}

void yield() {
    set_need_resched();
    schedule();
}

void preempt_schedule() {
    if (preempt_count() || irqs_disabled()) return;
    do {
        preempt_disable();
        unsigned long flags = local_irq_save();
        __schedule(true);
        local_irq_restore(flags);
        preempt_enable_no_resched();
    } while (need_resched());
}

void preempt_schedule_irq() {
    BUG_ON(preempt_count() || !irqs_disabled());
    do {
        preempt_disable();
        __schedule(true);
        preempt_enable_no_resched();
    } while (need_resched());
}

// First code of every new thread, from ret_from_fork: finish the switch that
// brought us here and drop the preemption level __schedule() held.
extern "C" void schedule_tail(task_struct* prev) {
    finish_task_switch(prev);
    preempt_enable_no_resched();
    local_irq_enable();
}

bool try_to_wake_up(task_struct* p, unsigned state_mask) {
    IrqSaveGuard guard;
    if (!(p->state & state_mask)) return false;
    p->state = TASK_RUNNING;
    enqueue_task(p);
    if (current == idle_task()) set_need_resched();  // idle gives way at once
    return true;
}

bool wake_up_process(task_struct* p) { return try_to_wake_up(p, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE); }

void scheduler_tick() {
    task_struct* p = current;
    ++p->ticks;
    if (!scheduler_running) return;
    if (p == idle_task()) {
        if (!list_empty(&runqueue)) set_need_resched();
        return;
    }
    if (p->time_slice > 1) {
        --p->time_slice;
        return;
    }
    p->time_slice = SCHED_TIMESLICE;
    // Someone else is runnable: round robin.
    if (!list_empty(&runqueue) && !(list_is_singular(&runqueue) && p->on_rq)) set_need_resched();
}

void irqentry_exit_cond_resched(pt_regs* regs) {
    if (!(regs->flags & X86_EFLAGS_IF) || preempt_count() != 0) return;
    task_struct* p = current;
    // A killed kernel thread dies at any preemption point (it has no other);
    // a process only on its way back to user mode, never half way through a
    // system call with resources in hand (Linux acts on signals there too).
    bool can_die_here = (p->flags & PF_KTHREAD) || user_mode(regs);
    if (p->kill_pending && can_die_here && p != idle_task() && !(p->flags & PF_EXITING)) {
        local_irq_enable();
        do_exit(-EINTR);
    }
    if (need_resched()) preempt_schedule_irq();
}

long schedule_timeout(long timeout) {
    might_sleep();
    // might_sleep() only reports; sleeping in atomic context stops here,
    // before the timer on this stack is queued: a thread that dies of the
    // oops must not leave it on the timer list (schedule() would say the same).
    if (unlikely(preempt_count() != 0)) {
        printk("BUG: scheduling while atomic: %s[%d] preempt_count %#x\n", current->comm, current->pid,
               preempt_count());
        BUG();
    }
    if (timeout <= 0) {
        __set_current_state(TASK_RUNNING);
        return 0;
    }
    process_timer t;
    timer_setup(&t.timer, process_timeout);
    t.task = current;
    u64 expire = get_jiffies_64() + static_cast<u64>(timeout);
    mod_timer(&t.timer, expire);
    schedule();
    del_timer(&t.timer);
    u64 now = get_jiffies_64();
    return now >= expire ? 0 : static_cast<long>(expire - now);
}

long schedule_timeout_uninterruptible(long timeout) {
    __set_current_state(TASK_UNINTERRUPTIBLE);
    return schedule_timeout(timeout);
}

void msleep(unsigned ms) {
    long timeout = static_cast<long>(msecs_to_jiffies(ms)) + 1;
    while (timeout) timeout = schedule_timeout_uninterruptible(timeout);
}

void do_timer() {
    jiffies_64 = jiffies_64 + 1;
    run_timers(jiffies_64);
    scheduler_tick();
}

void __might_sleep(const char* file, int line) {
    if (system_state < system_states::scheduling) return;
    if (!in_atomic() && !irqs_disabled()) return;
    printk("BUG: sleeping function called from invalid context at %s:%d\n", file, line);
    printk("in_atomic(): %d, irqs_disabled(): %d, pid: %d, name: %s, preempt_count: %#x\n", in_atomic(),
           irqs_disabled(), current->pid, current->comm, preempt_count());
    // As Linux's __might_resched: a report with a stack trace, counted as a
    // warning, and the caller goes on (only if it really sleeps does
    // schedule() stop it: "scheduling while atomic"). Linux reports at most
    // once a second; every occurrence is reported here, so tests see each.
    dump_stack();
    ++warn_count;
}

// do_exit's last step: the dead thread leaves the CPU for good.
void schedule_dead() {
    __schedule(false);
}

bool task_can_die() { return scheduler_running && current != idle_task(); }

void make_task_dead() { do_exit(TASK_EXIT_OOPS); }

unsigned long nr_context_switches() { return context_switches; }

bool task_stack_end_intact(const task_struct* p) { return *stack_end(p) == STACK_END_MAGIC; }

[[noreturn]] static void cpu_idle_loop() {
    for (;;) {
        while (!need_resched()) {
            local_irq_disable();
            if (need_resched()) local_irq_enable();
            else safe_halt();  // sti; hlt: no wake-up lost in between
        }
        schedule();
    }
}

void rest_init(int (*init_fn)(void*)) {
    system_state = system_states::scheduling;
    strlcpy(init_task.comm, "swapper/0", sizeof init_task.comm);
    init_task.flags |= PF_IDLE;
    task_struct* init = kthread_create(init_fn, nullptr, "init");
    if (!init) panic("cannot create the init thread");
    BUG_ON(init->pid != 1);
    put_task_struct(init);
    wake_up_process(init);
    cpu_idle_loop();
}
