// Mutexes (kernel/mutex.hpp) on a wait queue: the owner field is taken with
// LOCK CMPXCHG (nullptr -> current), so two CPUs cannot both win it.
#include <kernel/bug.hpp>
#include <kernel/mutex.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>

void mutex_init(mutex* m, const char* name) {
    m->owner = nullptr;
    m->name = name;
    init_waitqueue_head(&m->wait);
}

bool mutex_trylock(mutex* m) {
    task_struct* expected = nullptr;
    return __atomic_compare_exchange_n(&m->owner, &expected, current, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void mutex_lock(mutex* m) {
    might_sleep();
    if (m->owner == current) {
        printk("BUG: %s[%d] takes mutex %s again: it would sleep forever\n", current->comm, current->pid, m->name);
        BUG();
    }
    wait_event(m->wait, mutex_trylock(m));
}

void mutex_unlock(mutex* m) {
    if (m->owner != current) {
        printk("BUG: %s[%d] releases mutex %s, which it does not hold\n", current->comm, current->pid, m->name);
        BUG();
    }
    __atomic_store_n(&m->owner, nullptr, __ATOMIC_RELEASE);
    wake_up(&m->wait);
}
