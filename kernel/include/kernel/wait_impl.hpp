// Template bodies of the wait_event family (included by wait.hpp).
#pragma once
#include <kernel/sched.hpp>

template <typename Cond>
void __wait_event(wait_queue_head* wq, unsigned state, Cond cond) {
    might_sleep();
    if (cond()) return;
    wait_queue_entry wait;
    init_wait_entry(&wait, 0);
    for (;;) {
        prepare_to_wait(wq, &wait, state);
        if (cond()) break;
        schedule();
    }
    finish_wait(wq, &wait);
}

template <typename Cond>
int __wait_event_interruptible(wait_queue_head* wq, Cond cond) {
    might_sleep();
    if (cond()) return 0;
    wait_queue_entry wait;
    init_wait_entry(&wait, 0);
    int ret = 0;
    for (;;) {
        prepare_to_wait(wq, &wait, TASK_INTERRUPTIBLE);
        if (cond()) break;
        if (fatal_signal_pending(current)) {
            ret = -EINTR;
            break;
        }
        schedule();
    }
    finish_wait(wq, &wait);
    return ret;
}

template <typename Cond>
long __wait_event_timeout(wait_queue_head* wq, unsigned state, Cond cond, long timeout) {
    might_sleep();
    if (cond()) return timeout > 0 ? timeout : 1;
    wait_queue_entry wait;
    init_wait_entry(&wait, 0);
    for (;;) {
        prepare_to_wait(wq, &wait, state);
        if (cond()) break;
        timeout = schedule_timeout(timeout);
        if (timeout == 0) break;
    }
    finish_wait(wq, &wait);
    // Like Linux: a condition that came true at the last moment still counts.
    if (timeout == 0 && cond()) timeout = 1;
    return timeout;
}
