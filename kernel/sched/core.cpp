// Scheduler core. Before threads exist there is one flow of control: the boot
// path. An oops there cannot be survived, and there is nobody to preempt to.
#include <kernel/bug.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/preempt.hpp>
#include <kernel/sched.hpp>

constinit u32 __preempt_count = 0;
constinit bool __need_resched = false;
constinit volatile u64 jiffies_64 = 0;

void do_timer() {
    jiffies_64 = jiffies_64 + 1;
    scheduler_tick();
}

void scheduler_tick() {}
void irqentry_exit_cond_resched(pt_regs*) {}
void preempt_schedule() {}
bool task_can_die() { return false; }
void make_task_dead() { panic("an oops killed the only thread"); }
