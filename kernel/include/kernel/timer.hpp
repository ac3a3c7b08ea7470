// Kernel timers: a callback at a given jiffy, run from the timer interrupt
// (hardirq context: it must not sleep).
#pragma once
#include <kernel/list.hpp>
#include <kernel/types.hpp>

struct timer_list {
    list_head entry;
    u64 expires;  // jiffies
    void (*function)(timer_list* timer);
    bool pending;
};

void timer_setup(timer_list* timer, void (*fn)(timer_list*));
// Arms (or re-arms) the timer for 'expires'.
void mod_timer(timer_list* timer, u64 expires);
inline void add_timer(timer_list* timer) { mod_timer(timer, timer->expires); }
// Disarms; true when the timer was pending.
bool del_timer(timer_list* timer);
inline bool timer_pending(const timer_list* timer) { return timer->pending; }

// From the tick: runs every timer whose time has come.
void run_timers(u64 now);
