// Scheduler core. Before threads exist there is one flow of control: the boot
// path. An oops there cannot be survived, and there is nobody to preempt to.
#include <kernel/bug.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/preempt.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>
#include <kernel/timer.hpp>

constinit u32 __preempt_count = 0;
constinit bool __need_resched = false;
constinit volatile u64 jiffies_64 = 0;
constinit system_states system_state = system_states::booting;

void __might_sleep(const char* file, int line) {
    if (system_state < system_states::scheduling) return;
    if (!in_atomic() && !irqs_disabled()) return;
    printk("BUG: sleeping function called from invalid context at %s:%d\n", file, line);
    printk("in_atomic(): %d, irqs_disabled(): %d, preempt_count: %#x\n", in_atomic(), irqs_disabled(),
           preempt_count());
    BUG();
}

void do_timer() {
    jiffies_64 = jiffies_64 + 1;
    run_timers(jiffies_64);
    scheduler_tick();
}

void scheduler_tick() {}
void irqentry_exit_cond_resched(pt_regs*) {}
void preempt_schedule() {}
bool task_can_die() { return false; }
void make_task_dead() { panic("an oops killed the only thread"); }
