// Timer list: kept sorted by expiry, so the tick looks only at the head.
#include <kernel/jiffies.hpp>
#include <kernel/preempt.hpp>
#include <kernel/timer.hpp>

namespace {
constinit list_head timer_list_head = LIST_HEAD_INIT(timer_list_head);
}

void timer_setup(timer_list* t, void (*fn)(timer_list*)) {
    INIT_LIST_HEAD(&t->entry);
    t->function = fn;
    t->expires = 0;
    t->pending = false;
}

void mod_timer(timer_list* t, u64 expires) {
    IrqSaveGuard guard;
    if (t->pending) list_del(&t->entry);
    t->expires = expires;
    t->pending = true;
    list_head* pos = &timer_list_head;
    while (pos->next != &timer_list_head && list_entry(pos->next, timer_list, entry)->expires <= expires)
        pos = pos->next;
    list_add(&t->entry, pos);
}

bool del_timer(timer_list* t) {
    IrqSaveGuard guard;
    if (!t->pending) return false;
    list_del(&t->entry);
    t->pending = false;
    return true;
}

void run_timers(u64 now) {
    while (!list_empty(&timer_list_head)) {
        timer_list* t = list_first_entry(&timer_list_head, timer_list, entry);
        if (t->expires > now) break;
        list_del(&t->entry);
        t->pending = false;
        t->function(t);  // may re-arm itself
    }
}
