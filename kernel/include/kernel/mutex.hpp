// Sleeping locks: a thread that finds the mutex taken sleeps (uninterruptibly)
// until the holder releases it, so the holder may itself sleep (allocate,
// wait) while holding it, which a spinlock forbids. Used for each address
// space's mmap_lock. Taking a mutex the thread already holds is a BUG (it
// would never wake up), and so is releasing one it does not hold.
#pragma once
#include <kernel/wait.hpp>

struct task_struct;

struct mutex {
    task_struct* owner = nullptr;  // null: free
    wait_queue_head wait{};
    const char* name = nullptr;
};

void mutex_init(mutex* m, const char* name);
void mutex_lock(mutex* m);     // may sleep
bool mutex_trylock(mutex* m);  // never sleeps; true when taken
void mutex_unlock(mutex* m);
inline bool mutex_is_locked(const mutex* m) { return m->owner != nullptr; }

class MutexGuard {
public:
    explicit MutexGuard(mutex& m) : m_(m) { mutex_lock(&m_); }
    ~MutexGuard() { mutex_unlock(&m_); }
    MutexGuard(const MutexGuard&) = delete;
    MutexGuard& operator=(const MutexGuard&) = delete;

private:
    mutex& m_;
};
