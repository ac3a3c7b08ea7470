// Timer lists, one per CPU (Linux's timer bases): mod_timer queues a timer on
// the CPU that arms it, and that CPU's tick runs it. Each list is kept sorted
// by expiry, so a tick looks only at its head.
//
// Locking: each base has its own lock (taken with interrupts off). A timer's
// 'cpu' names the base it is on; while mod_timer moves it to another base it
// reads TIMER_MIGRATING, and lock_timer_base() waits that out (Linux's
// TIMER_MIGRATING). A callback runs without its base's lock held, with
// base->running naming it, so that del_timer_sync() can wait for it to end.
#include <asm/layout.hpp>
#include <asm/smp.hpp>
#include <kernel/bug.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/preempt.hpp>
#include <kernel/spinlock.hpp>
#include <kernel/timer.hpp>

namespace {
constexpr unsigned TIMER_MIGRATING = ~0u;

struct timer_base {
    spinlock_t lock;
    list_head head;
    timer_list* volatile running;  // the callback running now, if any
};
constinit timer_base timer_bases[NR_CPUS]{};
constinit bool bases_ready = false;

void init_bases() {
    for (timer_base& b : timer_bases) {
        spin_lock_init(&b.lock, "timer_base");
        INIT_LIST_HEAD(&b.head);
        b.running = nullptr;
    }
    bases_ready = true;
}

// Interrupts off (the caller's flags saved); returns t's base, locked.
timer_base* lock_timer_base(timer_list* t) {
    for (;;) {
        unsigned cpu = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
        if (cpu != TIMER_MIGRATING) {
            timer_base* base = &timer_bases[cpu];
            do_raw_spin_lock(&base->lock);
            if (__atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE) == cpu) return base;
            do_raw_spin_unlock(&base->lock);
        }
        asm volatile("pause" ::: "memory");
    }
}

void enqueue_sorted(timer_base* base, timer_list* t) {
    list_head* pos = &base->head;
    while (pos->next != &base->head && list_entry(pos->next, timer_list, entry)->expires <= t->expires)
        pos = pos->next;
    list_add(&t->entry, pos);
    t->pending = true;
}

bool detach_if_pending(timer_list* t) {
    if (!t->pending) return false;
    list_del(&t->entry);
    t->pending = false;
    return true;
}
}  // namespace

void timer_setup(timer_list* t, void (*fn)(timer_list*)) {
    if (!bases_ready) init_bases();  // the first timer of the boot (the BSP alone)
    INIT_LIST_HEAD(&t->entry);
    t->function = fn;
    t->expires = 0;
    t->pending = false;
    t->cpu = smp_processor_id();
}

void mod_timer(timer_list* t, u64 expires) {
    unsigned long flags = local_irq_save();
    timer_base* base = lock_timer_base(t);
    detach_if_pending(t);
    t->expires = expires;
    // To this CPU's base, unless its callback is running where it is (it
    // would then be on two bases at once as far as del_timer_sync knows).
    const unsigned me = smp_processor_id();
    timer_base* mine = &timer_bases[me];
    if (base != mine && base->running != t) {
        __atomic_store_n(&t->cpu, TIMER_MIGRATING, __ATOMIC_RELEASE);
        do_raw_spin_unlock(&base->lock);
        base = mine;
        do_raw_spin_lock(&base->lock);
        __atomic_store_n(&t->cpu, me, __ATOMIC_RELEASE);
    }
    enqueue_sorted(base, t);
    do_raw_spin_unlock(&base->lock);
    local_irq_restore(flags);
}

bool del_timer(timer_list* t) {
    unsigned long flags = local_irq_save();
    timer_base* base = lock_timer_base(t);
    bool was = detach_if_pending(t);
    do_raw_spin_unlock(&base->lock);
    local_irq_restore(flags);
    return was;
}

bool del_timer_sync(timer_list* t) {
    bool was = false;
    for (;;) {
        unsigned long flags = local_irq_save();
        timer_base* base = lock_timer_base(t);
        was |= detach_if_pending(t);
        bool running = base->running == t;
        do_raw_spin_unlock(&base->lock);
        local_irq_restore(flags);
        if (!running) return was;
        // Its callback runs on another CPU (never this one: callbacks run in
        // hardirq context, and this is not): wait until it returns.
        BUG_ON(in_hardirq());
        asm volatile("pause" ::: "memory");
    }
}

void run_local_timers(u64 now) {
    if (!bases_ready) return;
    timer_base* base = &timer_bases[smp_processor_id()];
    do_raw_spin_lock(&base->lock);  // hardirq: interrupts are off
    while (!list_empty(&base->head)) {
        timer_list* t = list_first_entry(&base->head, timer_list, entry);
        if (t->expires > now) break;
        list_del(&t->entry);
        t->pending = false;
        base->running = t;
        do_raw_spin_unlock(&base->lock);
        this_cpu_add(timers_run, 1);
        t->function(t);  // may re-arm itself
        do_raw_spin_lock(&base->lock);
        base->running = nullptr;
    }
    do_raw_spin_unlock(&base->lock);
}
