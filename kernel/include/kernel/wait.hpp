// Wait queues: a list of sleeping threads waiting for a condition. The waiter
// puts itself on the queue and sets its state *before* testing the condition,
// so a wake-up between the test and schedule() is never lost: the waker finds
// it on the queue and makes it runnable again.
//
//   wait_event(wq, cond);                   // sleeps until cond
//   long left = wait_event_timeout(wq, cond, jiffies);   // 0: timed out
//   wake_up(&wq);                            // after making cond true
#pragma once
#include <kernel/errno.hpp>
#include <kernel/list.hpp>
#include <kernel/spinlock.hpp>

struct task_struct;

constexpr unsigned WQ_FLAG_EXCLUSIVE = 0x01;

struct wait_queue_entry {
    unsigned flags;
    task_struct* task;
    list_head entry;
};

struct wait_queue_head {
    spinlock_t lock;
    list_head head;
};

void init_waitqueue_head(wait_queue_head* wq);
void init_wait_entry(wait_queue_entry* wait, unsigned flags);
void prepare_to_wait(wait_queue_head* wq, wait_queue_entry* wait, unsigned state);
void prepare_to_wait_exclusive(wait_queue_head* wq, wait_queue_entry* wait, unsigned state);
void finish_wait(wait_queue_head* wq, wait_queue_entry* wait);
// Wakes every non-exclusive waiter and up to nr_exclusive exclusive ones.
void __wake_up(wait_queue_head* wq, unsigned state_mask, int nr_exclusive);
inline void wake_up(wait_queue_head* wq) { __wake_up(wq, 3, 1); }
inline void wake_up_all(wait_queue_head* wq) { __wake_up(wq, 3, 0); }
inline void wake_up_interruptible(wait_queue_head* wq) { __wake_up(wq, 1, 1); }
bool waitqueue_active(wait_queue_head* wq);

// The waiting loops, with the condition as a callable (bodies in wait_impl.hpp,
// which needs the scheduler's declarations).
template <typename Cond>
void __wait_event(wait_queue_head* wq, unsigned state, Cond cond);
template <typename Cond>
int __wait_event_interruptible(wait_queue_head* wq, Cond cond);
template <typename Cond>
long __wait_event_timeout(wait_queue_head* wq, unsigned state, Cond cond, long timeout);

#define wait_event(wq, condition) __wait_event(&(wq), 2 /*TASK_UNINTERRUPTIBLE*/, [&] { return (condition); })
// Returns 0 if the condition became true, -EINTR if the thread was killed.
#define wait_event_interruptible(wq, condition) \
    __wait_event_interruptible(&(wq), [&] { return (condition); })
// Returns 0 when the timeout elapsed with the condition still false, otherwise
// the jiffies left (at least 1).
#define wait_event_timeout(wq, condition, timeout) \
    __wait_event_timeout(&(wq), 2 /*TASK_UNINTERRUPTIBLE*/, [&] { return (condition); }, (timeout))


#include <kernel/sched.hpp>
