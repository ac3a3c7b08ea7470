// Kernel timers: a callback at a given jiffy, run from the timer interrupt of
// the CPU that armed it last (hardirq context: it must not sleep). One list
// per CPU (sched/timer.cpp).
#pragma once
#include <kernel/list.hpp>
#include <kernel/types.hpp>

struct timer_list {
    list_head entry;
    u64 expires;  // jiffies
    void (*function)(timer_list* timer);
    bool pending;
    unsigned cpu;  // whose list it is on (sched/timer.cpp)
};

void timer_setup(timer_list* timer, void (*fn)(timer_list*));
// Arms (or re-arms) the timer for 'expires'.
void mod_timer(timer_list* timer, u64 expires);
inline void add_timer(timer_list* timer) { mod_timer(timer, timer->expires); }
// Disarms; true when the timer was pending. Its callback may still be running
// on another CPU: del_timer_sync() also waits for that (needed before the
// timer's memory goes away, e.g. a timer on the stack).
bool del_timer(timer_list* timer);
bool del_timer_sync(timer_list* timer);
inline bool timer_pending(const timer_list* timer) { return timer->pending; }

// From each CPU's tick: runs every timer of this CPU whose time has come.
void run_local_timers(u64 now);
