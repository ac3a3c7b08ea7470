// Wait queues and completions.
#include <kernel/completion.hpp>
#include <kernel/sched.hpp>
#include <kernel/wait.hpp>

void init_waitqueue_head(wait_queue_head* wq) {
    spin_lock_init(&wq->lock, "wait_queue_head");
    INIT_LIST_HEAD(&wq->head);
}

void init_wait_entry(wait_queue_entry* wait, unsigned flags) {
    wait->flags = flags;
    wait->task = current;
    INIT_LIST_HEAD(&wait->entry);
}

namespace {
void prepare(wait_queue_head* wq, wait_queue_entry* wait, unsigned state, bool exclusive) {
    SpinLockIrqSaveGuard guard(wq->lock);
    if (list_empty(&wait->entry)) {
        if (exclusive) {
            wait->flags |= WQ_FLAG_EXCLUSIVE;
            list_add_tail(&wait->entry, &wq->head);
        } else {
            list_add(&wait->entry, &wq->head);
        }
    }
    set_current_state(state);
}
}  // namespace

void prepare_to_wait(wait_queue_head* wq, wait_queue_entry* wait, unsigned state) { prepare(wq, wait, state, false); }

void prepare_to_wait_exclusive(wait_queue_head* wq, wait_queue_entry* wait, unsigned state) {
    prepare(wq, wait, state, true);
}

void finish_wait(wait_queue_head* wq, wait_queue_entry* wait) {
    __set_current_state(TASK_RUNNING);
    SpinLockIrqSaveGuard guard(wq->lock);
    if (!list_empty(&wait->entry)) list_del_init(&wait->entry);
}

void __wake_up(wait_queue_head* wq, unsigned state_mask, int nr_exclusive) {
    SpinLockIrqSaveGuard guard(wq->lock);
    wait_queue_entry *w, *n;
    list_for_each_entry_safe(w, n, &wq->head, entry) {
        bool woke = try_to_wake_up(w->task, state_mask);
        if (woke && (w->flags & WQ_FLAG_EXCLUSIVE) && nr_exclusive && --nr_exclusive == 0) break;
    }
}

bool waitqueue_active(wait_queue_head* wq) {
    SpinLockIrqSaveGuard guard(wq->lock);
    return !list_empty(&wq->head);
}

void init_completion(completion* x) {
    x->done = 0;
    init_waitqueue_head(&x->wait);
}

// done is protected by the wait queue's lock (Linux: x->wait.lock).
void complete(completion* x) {
    {
        SpinLockIrqSaveGuard guard(x->wait.lock);
        ++x->done;
    }
    wake_up(&x->wait);
}

void complete_all(completion* x) {
    {
        SpinLockIrqSaveGuard guard(x->wait.lock);
        x->done = ~0u / 2;
    }
    wake_up_all(&x->wait);
}

namespace {
bool try_take(completion* x) {
    SpinLockIrqSaveGuard guard(x->wait.lock);
    if (!x->done) return false;
    if (x->done != ~0u / 2) --x->done;
    return true;
}
}  // namespace

void wait_for_completion(completion* x) { wait_event(x->wait, try_take(x)); }

long wait_for_completion_timeout(completion* x, long timeout) {
    return wait_event_timeout(x->wait, try_take(x), timeout);
}
