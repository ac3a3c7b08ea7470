// The scheduler: one run queue shared by every CPU, round robin, preemption on
// timeslice expiry (docs/kernel.md, "Threads and the scheduler").
//
// Invariants:
//  - The run queue holds every TASK_RUNNING thread except the idle threads,
//    the running ones included (on_rq says whether a task is on it). rq_lock
//    protects it, every task's on_rq, on_cpu, cpu and cpus_allowed, and the
//    state transitions of try_to_wake_up; it is taken with interrupts off.
//  - A CPU picks the first queued thread that is not running elsewhere
//    (on_cpu) and may run here (cpus_allowed; with migrate_disable() only its
//    own CPU). on_cpu is set when a CPU picks a thread and cleared only once
//    the switch away from it is complete (finish_task_switch, still under
//    rq_lock, held across the switch as Linux does): no CPU ever runs on a
//    stack another CPU is still using.
//  - Every context switch happens in __schedule() with interrupts off and
//    preempt_count() == 1, so each CPU's preempt counter is the same before
//    and after a switch, whichever thread resumes.
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
#include <asm/smp.hpp>
#include <asm/desc.hpp>

extern "C" char init_thread_union[];

constinit volatile u64 jiffies_64 = 0;
constinit volatile u32 jiffies_seq = 0;
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
    .cpu = 0,
    .on_cpu = 1,
    .cpus_allowed = 1,  // the BSP's idle thread
    .migration_disabled = 0,
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
                                         .ipi_handler_cycles = 0,
                                         .idle = &init_task,
                                         .tss = &cpu_tss,
                                         .timer_ticks = 0,
                                         .timers_run = 0,
                                         .resched_ipis = 0,
                                         .nr_switches = 0}};

namespace {

constinit list_head runqueue = LIST_HEAD_INIT(runqueue);
constinit spinlock_t rq_lock{0, "rq_lock"};
constinit unsigned long context_switches = 0;
constinit bool scheduler_running = false;

task_struct* idle_task() { return this_cpu_read(idle); }
bool is_idle(const task_struct* p) { return (p->flags & PF_IDLE) || p == &init_task; }

void enqueue_task(task_struct* p) {
    if (p->on_rq || is_idle(p)) return;
    list_add_tail(&p->run_list, &runqueue);
    p->on_rq = true;
}

void dequeue_task(task_struct* p) {
    if (!p->on_rq) return;
    list_del(&p->run_list);
    p->on_rq = false;
}

// rq_lock held. Where p may run: its own CPU while migration is disabled,
// otherwise any CPU of its mask.
bool may_run_on(const task_struct* p, unsigned cpu) {
    if (p->migration_disabled) return p->cpu == cpu;
    return p->cpus_allowed & (1u << cpu);
}

// rq_lock held. A queued thread CPU 'cpu' could switch to (not 'except',
// not running anywhere).
bool runnable_for(unsigned cpu, const task_struct* except) {
    task_struct* p;
    list_for_each_entry(p, &runqueue, run_list)
        if (p != except && !p->on_cpu && may_run_on(p, cpu)) return true;
    return false;
}

// rq_lock held. An idle CPU that may run p and has not been kicked yet: p's
// last CPU first (its cache), else the lowest-numbered; -1 when none.
int select_idle_cpu(const task_struct* p) {
    auto idle_and_free = [&](unsigned c) {
        const cpu_data& d = per_cpu_data(c);
        return cpu_online(c) && may_run_on(p, c) && d.curr == d.idle && !d.need_resched;
    };
    if (p->cpu < NR_CPUS && idle_and_free(p->cpu)) return static_cast<int>(p->cpu);
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (idle_and_free(c)) return static_cast<int>(c);
    return -1;
}

u32* stack_end(const task_struct* p) { return static_cast<u32*>(p->stack); }

void check_stack_end(const task_struct* p) {
    if (*stack_end(p) == STACK_END_MAGIC) return;
    printk("Kernel stack overflow or corruption in %s[%d]: end marker %08x at %p\n", p->comm, p->pid,
           *stack_end(p), static_cast<void*>(stack_end(p)));
    BUG();
}

// rq_lock held. The next thread to run here: the first queued one this CPU
// may run (prev itself, moved to the tail, included), or this CPU's idle.
task_struct* pick_next_task(unsigned cpu, const task_struct* prev) {
    task_struct* p;
    list_for_each_entry(p, &runqueue, run_list)
        if ((p == prev || !p->on_cpu) && may_run_on(p, cpu)) return p;
    return idle_task();
}

// On the incoming thread's stack, interrupts off, rq_lock held (taken by the
// __schedule that switched here, on whichever thread's stack that was).
void finish_task_switch(task_struct* prev) {
    if (unlikely(current->kmap_ctrl.idx)) __kmap_local_sched_in(current);
    if (unlikely(prev->state == TASK_DEAD)) {
        // The reference the thread held while alive goes *before* on_cpu
        // clears: a joiner waits for on_cpu (wait_task_inactive), so its own
        // put, if the last, frees the stack before kthread_join's caller
        // goes on. A holder whose put is the last meanwhile waits for on_cpu
        // (put_task_struct), so nothing here touches freed memory.
        task_list_del(prev);
        const bool last = __atomic_sub_fetch(&prev->refcount, 1, __ATOMIC_ACQ_REL) == 0;
        if (!last) __atomic_store_n(&prev->on_cpu, 0u, __ATOMIC_RELEASE);
        do_raw_spin_unlock(&rq_lock);
        if (last) free_task(prev);
        return;
    }
    // prev's stack is no longer in use: another CPU may pick it from now on.
    __atomic_store_n(&prev->on_cpu, 0u, __ATOMIC_RELEASE);
    do_raw_spin_unlock(&rq_lock);
}

void context_switch(task_struct* prev, task_struct* next) {
    check_stack_end(prev);
    check_stack_end(next);
    ++context_switches;
    this_cpu_add(nr_switches, 1);
    if (unlikely(prev->kmap_ctrl.idx)) __kmap_local_sched_out(prev);
    // Kernel threads run on the kernel's page tables (no lazy TLB borrowing).
    if (next->mm != prev->mm) switch_mm(next->mm ? next->mm : &init_mm);
    arch_switch_to(prev, next);
    this_cpu_write(curr, next);
    if (next->cpu == 0) current_task = next;  // the BSP's, for hm386's debugger
    task_struct* last = __switch_to_asm(&prev->thread.sp, next->thread.sp, prev);
    // Back in prev, possibly much later and on another CPU; 'last' is whoever
    // ran there just before.
    finish_task_switch(last);
}

// Interrupts off, preempt_count() == 1.
void __schedule(bool preempt) {
    task_struct* prev = current;
    if (unlikely(preempt_count() != PREEMPT_OFFSET)) {
        printk("BUG: scheduling while atomic: %s[%d] preempt_count %#x\n", prev->comm, prev->pid, preempt_count());
        BUG();
    }
    const unsigned cpu = smp_processor_id();
    do_raw_spin_lock(&rq_lock);
    if (!preempt && prev->state != TASK_RUNNING) dequeue_task(prev);
    else if (prev->on_rq) list_move_tail(&prev->run_list, &runqueue);  // round robin
    task_struct* next = pick_next_task(cpu, prev);
    clear_need_resched();
    if (next == prev) {
        do_raw_spin_unlock(&rq_lock);
        return;
    }
    if (preempt) ++prev->nivcsw;
    else ++prev->nvcsw;
    next->time_slice = SCHED_TIMESLICE;
    next->on_cpu = 1;
    next->cpu = cpu;
    // prev may still be runnable and may not stay here (its mask changed):
    // an idle CPU that may run it is told.
    int kick = prev->on_rq && !may_run_on(prev, cpu) ? select_idle_cpu(prev) : -1;
    if (kick >= 0 && static_cast<unsigned>(kick) != cpu) resched_cpu(static_cast<unsigned>(kick));
    context_switch(prev, next);  // rq_lock is released on the far side
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
    init_task.cpus_allowed = 1;
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
    unsigned long flags = local_irq_save();
    do_raw_spin_lock(&rq_lock);
    if (!(p->state & state_mask)) {
        do_raw_spin_unlock(&rq_lock);
        local_irq_restore(flags);
        return false;
    }
    p->state = TASK_RUNNING;
    enqueue_task(p);
    // Running somewhere (between setting its state and schedule()): it just
    // goes on. Otherwise an idle CPU that may run it is sent to its scheduler;
    // with none idle, the thread waits for a timeslice to end.
    int target = p->on_cpu ? -1 : select_idle_cpu(p);
    if (target >= 0) resched_cpu(static_cast<unsigned>(target));
    do_raw_spin_unlock(&rq_lock);
    local_irq_restore(flags);
    return true;
}

bool wake_up_process(task_struct* p) { return try_to_wake_up(p, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE); }

void resched_cpu(unsigned cpu) {
    if (cpu == smp_processor_id()) {
        set_need_resched();
        return;
    }
    __atomic_store_n(&per_cpu_data(cpu).need_resched, 1u, __ATOMIC_RELEASE);
    smp_send_reschedule(cpu);
}

// The IPI only interrupts: need_resched is already set, and the interrupt
// return path (irqentry_exit_cond_resched) or the idle loop acts on it.
void scheduler_ipi() { this_cpu_add(resched_ipis, 1); }

void scheduler_tick() {
    task_struct* p = current;
    ++p->ticks;
    if (!scheduler_running) return;
    const unsigned cpu = smp_processor_id();
    do_raw_spin_lock(&rq_lock);  // hardirq: interrupts are off
    if (p == idle_task()) {
        if (runnable_for(cpu, nullptr)) set_need_resched();
    } else if (p->time_slice > 1) {
        --p->time_slice;
    } else {
        p->time_slice = SCHED_TIMESLICE;
        // Someone else is runnable here, or this thread may no longer stay: round robin.
        if (runnable_for(cpu, p) || !may_run_on(p, cpu)) set_need_resched();
    }
    do_raw_spin_unlock(&rq_lock);
}

void kthread_bind(task_struct* p, unsigned cpu) {
    BUG_ON(cpu >= NR_CPUS);
    unsigned long flags = local_irq_save();
    do_raw_spin_lock(&rq_lock);
    // Linux's rule: only a thread that has not started yet (it would run on
    // its old CPU until its next switch otherwise).
    BUG_ON(p->on_cpu || p->on_rq);
    p->cpus_allowed = 1u << cpu;
    p->cpu = cpu;
    do_raw_spin_unlock(&rq_lock);
    local_irq_restore(flags);
}

bool set_cpus_allowed_ptr(task_struct* p, unsigned mask) {
    bool any = false;
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if ((mask & (1u << c)) && cpu_online(c)) any = true;
    if (!any) return false;
    unsigned long flags = local_irq_save();
    do_raw_spin_lock(&rq_lock);
    p->cpus_allowed = mask;
    if (!p->on_cpu && p->on_rq) {
        int target = select_idle_cpu(p);
        if (target >= 0) resched_cpu(static_cast<unsigned>(target));
    } else if (p->on_cpu && !may_run_on(p, p->cpu)) {
        resched_cpu(p->cpu);  // it leaves at that CPU's next preemption point
    }
    do_raw_spin_unlock(&rq_lock);
    local_irq_restore(flags);
    // The caller itself leaves here and now when it may.
    if (p == current && preemptible() && need_resched()) schedule();
    return true;
}

void __migrate_enable_slow(task_struct* p) {
    if (p->migration_disabled == 0) {
        printk("BUG: migrate_enable() without migrate_disable() in %s[%d]\n", p->comm, p->pid);
        BUG();
    }
    --p->migration_disabled;
    // The thread's mask excluded this CPU meanwhile: it leaves at the next chance.
    set_need_resched();
    if (preemptible()) preempt_schedule();
}

unsigned long nr_running() {
    unsigned long flags = local_irq_save();
    do_raw_spin_lock(&rq_lock);
    unsigned long n = 0;
    for (list_head* pos = runqueue.next; pos != &runqueue; pos = pos->next) ++n;
    do_raw_spin_unlock(&rq_lock);
    local_irq_restore(flags);
    return n;
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
    // The timer may be firing on another CPU right now: it lives on this stack.
    del_timer_sync(&t.timer);
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

// Only the BSP counts jiffies (Linux's tick_do_timer_cpu); readers on other
// CPUs retry while the sequence count is odd or moved (jiffies.hpp).
void do_timer() {
    __atomic_store_n(&jiffies_seq, jiffies_seq + 1, __ATOMIC_RELEASE);
    jiffies_64 = jiffies_64 + 1;
    __atomic_store_n(&jiffies_seq, jiffies_seq + 1, __ATOMIC_RELEASE);
    update_process_times();
}

// Every CPU's tick: its own timers, its thread's timeslice.
void update_process_times() {
    this_cpu_add(timer_ticks, 1);
    run_local_timers(get_jiffies_64());
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
    // The idle thread of this CPU never sleeps and is never queued; it runs
    // whenever the queue has nothing this CPU may run.
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
    // init stays on the BSP (Linux's may run anywhere): its payloads, the
    // demo, the cost report and the ktest runner, read hm386's diagnostic
    // device, which answers about the BSP (its TLBs, its cycle counter). The
    // threads it starts run on every CPU.
    kthread_bind(init, 0);
    put_task_struct(init);
    wake_up_process(init);
    cpu_idle_loop();
}

void cpu_startup_entry() {
    // An AP (smpboot.cpp): its idle thread is current, interrupts still off.
    local_irq_enable();
    cpu_idle_loop();
}
