// Mutexes (kernel/mutex.hpp) on a wait queue: uniprocessor, so testing and
// taking the owner field with interrupts off is atomic.
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
    IrqSaveGuard guard;
    if (m->owner) return false;
    m->owner = current;
    return true;
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
    {
        IrqSaveGuard guard;
        m->owner = nullptr;
    }
    wake_up(&m->wait);
}
