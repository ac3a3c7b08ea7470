// Threads and the scheduler: creation and exit codes, round-robin preemption,
// preempt_disable, spinlocks, wait queues, timeouts, sleeping, completions,
// killing threads, timers in hardirq context.
#include <asm/asm_defs.hpp>
#include <asm/processor.hpp>
#include <asm/smp.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/completion.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/mm.hpp>
#include <kernel/preempt.hpp>
#include <kernel/sched.hpp>
#include <kernel/spinlock.hpp>
#include <kernel/timer.hpp>
#include <kernel/wait.hpp>

#include "ktest.hpp"

namespace {

int return_arg(void* arg) { return static_cast<int>(reinterpret_cast<uintptr_t>(arg)); }

struct Spinner {
    volatile bool stop = false;
    volatile u64 count = 0;
};

// Never sleeps or yields: only preemption takes the CPU away.
int spin_until_stopped(void* arg) {
    auto* s = static_cast<Spinner*>(arg);
    while (!s->stop) s->count = s->count + 1;
    return 0;
}

void wait_ticks(u64 ticks) {
    u64 end = get_jiffies_64() + ticks;
    while (get_jiffies_64() < end) cpu_relax();
}

}  // namespace

KTEST(sched, thread_runs_and_returns_its_exit_code) {
    task_struct* t = kthread_run(return_arg, reinterpret_cast<void*>(42), "ktest-exit");
    ASSERT_NOT_NULL(t);
    EXPECT_GT(t->pid, 1);
    EXPECT_EQ(kthread_join(t), 42);
    EXPECT_TRUE(t->exited);
    EXPECT_EQ(t->state, TASK_DEAD);
    put_task_struct(t);
}

// The three share one CPU (each alone on a CPU of its own would never be
// preempted: the sched_smp suite shows them spread).
KTEST(sched, spinning_threads_are_preempted_round_robin) {
    constexpr unsigned N = 3;
    Spinner spinners[N];
    task_struct* threads[N];
    unsigned long switches = nr_context_switches();
    const unsigned cpu = smp_processor_id();
    for (unsigned i = 0; i < N; ++i) {
        threads[i] = ktest::kthread_run_on(spin_until_stopped, &spinners[i], "ktest-spin", cpu);
        ASSERT_NOT_NULL(threads[i]);
    }
    msleep(300);
    for (auto& s : spinners) s.stop = true;
    for (unsigned i = 0; i < N; ++i) {
        EXPECT_EQ(kthread_join(threads[i]), 0);
        EXPECT_GT(spinners[i].count, 0u);
        // They never gave the CPU up voluntarily, yet each was switched out.
        EXPECT_GT(threads[i]->nivcsw, 0u);
        EXPECT_GE(threads[i]->ticks, 2u);
        put_task_struct(threads[i]);
    }
    EXPECT_GE(nr_context_switches() - switches, N * 2);
}

// The spinner shares this thread's CPU: only this CPU's preemption holds it off.
KTEST(sched, preempt_disable_holds_the_cpu_until_preempt_enable) {
    ktest::PinCpu pin;
    Spinner other;
    task_struct* t = ktest::kthread_run_on(spin_until_stopped, &other, "ktest-spin", pin.cpu());
    ASSERT_NOT_NULL(t);
    msleep(30);  // let it start
    preempt_disable();
    u64 before = other.count;
    wait_ticks(3 * SCHED_TIMESLICE);  // interrupts stay on: the tick wants a switch
    u64 during = other.count;
    bool resched = need_resched();
    preempt_enable();  // the pending reschedule happens here
    wait_ticks(3 * SCHED_TIMESLICE);
    u64 after = other.count;
    other.stop = true;
    kthread_join(t);
    put_task_struct(t);
    EXPECT_EQ(during, before);
    EXPECT_TRUE(resched);
    EXPECT_GT(after, during);
}

KTEST(sched, spinlocks_disable_preemption_and_irqsave_disables_interrupts) {
    DEFINE_SPINLOCK(lock);
    u32 base = preempt_count();
    EXPECT_EQ(base, 0u);
    {
        SpinLockGuard guard(lock);
        EXPECT_EQ(preempt_count(), base + 1);
        EXPECT_TRUE(spin_is_locked(&lock));
        EXPECT_FALSE(irqs_disabled());
    }
    EXPECT_EQ(preempt_count(), base);
    EXPECT_FALSE(spin_is_locked(&lock));
    {
        SpinLockIrqSaveGuard guard(lock);
        EXPECT_TRUE(irqs_disabled());
        EXPECT_TRUE(in_atomic());
    }
    EXPECT_FALSE(irqs_disabled());
    EXPECT_FALSE(in_atomic());
}

namespace {
struct Waiter {
    wait_queue_head wq;
    volatile bool flag = false;
    volatile bool woke = false;
};
int wait_for_flag(void* arg) {
    auto* w = static_cast<Waiter*>(arg);
    wait_event(w->wq, w->flag);
    w->woke = true;
    return 7;
}
}  // namespace

KTEST(sched, wait_queue_sleeps_until_woken) {
    Waiter w;
    init_waitqueue_head(&w.wq);
    task_struct* t = kthread_run(wait_for_flag, &w, "ktest-wait");
    ASSERT_NOT_NULL(t);
    msleep(50);
    EXPECT_EQ(t->state, TASK_UNINTERRUPTIBLE);
    EXPECT_TRUE(waitqueue_active(&w.wq));
    EXPECT_FALSE(w.woke);
    wake_up(&w.wq);  // a wake-up without the condition: it goes back to sleep
    msleep(30);
    EXPECT_FALSE(w.woke);
    w.flag = true;
    wake_up(&w.wq);
    EXPECT_EQ(kthread_join(t), 7);
    EXPECT_TRUE(w.woke);
    EXPECT_FALSE(waitqueue_active(&w.wq));
    put_task_struct(t);
}

KTEST(sched, wait_event_timeout_expires_and_reports_time_left) {
    wait_queue_head wq;
    init_waitqueue_head(&wq);
    u64 start = get_jiffies_64();
    long left = wait_event_timeout(wq, false, 10);
    EXPECT_EQ(left, 0);
    EXPECT_GE(get_jiffies_64() - start, 10u);
    EXPECT_EQ(wait_event_timeout(wq, true, 10), 10);
}

KTEST(sched, msleep_sleeps_while_others_run) {
    Spinner s;
    task_struct* t = kthread_run(spin_until_stopped, &s, "ktest-spin");
    ASSERT_NOT_NULL(t);
    u64 start = get_jiffies_64();
    u64 count_before = s.count;
    msleep(100);
    EXPECT_GE(get_jiffies_64() - start, msecs_to_jiffies(100));
    EXPECT_GT(s.count, count_before);
    s.stop = true;
    kthread_join(t);
    put_task_struct(t);
}

namespace {
struct Job {
    completion done;
    volatile int result = 0;
};
int do_job(void* arg) {
    auto* j = static_cast<Job*>(arg);
    msleep(20);
    j->result = 99;
    complete(&j->done);
    return 0;
}
}  // namespace

KTEST(sched, completion_waits_for_the_event) {
    Job j;
    init_completion(&j.done);
    task_struct* t = kthread_run(do_job, &j, "ktest-job");
    ASSERT_NOT_NULL(t);
    wait_for_completion(&j.done);
    EXPECT_EQ(j.result, 99);
    EXPECT_EQ(wait_for_completion_timeout(&j.done, 5), 0);  // nothing more completes
    kthread_join(t);
    put_task_struct(t);
}

KTEST(sched, kill_ends_a_spinning_thread_at_a_preemption_point) {
    Spinner s;
    task_struct* t = kthread_run(spin_until_stopped, &s, "ktest-spin");
    ASSERT_NOT_NULL(t);
    msleep(30);
    kthread_kill(t);
    int code = 0;
    EXPECT_TRUE(kthread_join_timeout(t, HZ, &code));
    EXPECT_EQ(code, -EINTR);
    put_task_struct(t);
}

namespace {
int sleep_interruptibly(void* arg) {
    auto* wq = static_cast<wait_queue_head*>(arg);
    return wait_event_interruptible(*wq, false);
}
}  // namespace

KTEST(sched, kill_interrupts_an_interruptible_sleep) {
    wait_queue_head wq;
    init_waitqueue_head(&wq);
    task_struct* t = kthread_run(sleep_interruptibly, &wq, "ktest-sleep");
    ASSERT_NOT_NULL(t);
    msleep(30);
    EXPECT_EQ(t->state, TASK_INTERRUPTIBLE);
    kthread_kill(t);
    int code = 0;
    EXPECT_TRUE(kthread_join_timeout(t, HZ, &code));
    EXPECT_EQ(code, -EINTR);
    put_task_struct(t);
}

namespace {
struct TimerProbe {
    timer_list timer;
    volatile bool ran = false;
    volatile bool hardirq = false;
    volatile bool irqs_off = false;
};
void probe(timer_list* t) {
    auto* p = container_of(t, TimerProbe, timer);
    p->hardirq = in_hardirq();
    p->irqs_off = irqs_disabled();
    p->ran = true;
}
}  // namespace

KTEST(sched, timers_run_in_hardirq_context) {
    TimerProbe p;
    timer_setup(&p.timer, probe);
    mod_timer(&p.timer, get_jiffies_64() + 3);
    EXPECT_TRUE(timer_pending(&p.timer));
    msleep(100);
    EXPECT_TRUE(p.ran);
    EXPECT_TRUE(p.hardirq);
    EXPECT_TRUE(p.irqs_off);
    EXPECT_FALSE(timer_pending(&p.timer));
    EXPECT_FALSE(in_hardirq());
}

KTEST(sched, kernel_stacks_are_aligned_and_marked) {
    task_struct* me = current;
    EXPECT_EQ(reinterpret_cast<unsigned long>(me->stack) % THREAD_SIZE, 0u);
    EXPECT_TRUE(task_stack_end_intact(me));
    unsigned long sp;
    asm volatile("mov %%esp, %0" : "=r"(sp));
    EXPECT_GE(sp, reinterpret_cast<unsigned long>(me->stack));
    EXPECT_LT(sp, reinterpret_cast<unsigned long>(me->stack) + THREAD_SIZE);
    EXPECT_TRUE(task_stack_end_intact(&init_task));
}

KTEST(sched, many_short_threads) {
    constexpr unsigned N = 40;
    task_struct* t[N];
    for (unsigned i = 0; i < N; ++i) {
        t[i] = kthread_run(return_arg, reinterpret_cast<void*>(static_cast<uintptr_t>(i)), "ktest-short");
        ASSERT_NOT_NULL(t[i]);
    }
    for (unsigned i = 0; i < N; ++i) {
        EXPECT_EQ(kthread_join(t[i]), static_cast<int>(i));
        put_task_struct(t[i]);
    }
}

KTEST(sched, might_sleep_is_fine_in_process_context) {
    unsigned long oopses = oops_count;
    might_sleep();
    msleep(1);
    EXPECT_EQ(oops_count, oopses);
    EXPECT_TRUE(preemptible());
}
