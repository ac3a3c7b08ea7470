// Spinlocks: taking one disables preemption (and with the _irq/_irqsave
// forms, interrupts) and then spins until the lock word is won by LOCK XCHG
// (a plain load with `pause` while it is held, so that the waiting CPU does
// not hammer the bus with locked cycles: test-and-test-and-set).
// The word holds 1 + the owner's CPU number, so the usual mistakes are caught
// as BUGs instead of hanging: taking a lock this CPU already holds (it would
// spin forever) and releasing a lock that is not held.
//
// RAII guards (SpinLockGuard, SpinLockIrqSaveGuard) release on scope exit.
#pragma once
#include <kernel/bug.hpp>
#include <kernel/preempt.hpp>

struct spinlock_t {
    volatile u32 locked = 0;
    const char* name = nullptr;
};

#define DEFINE_SPINLOCK(x) spinlock_t x{0, #x}

inline void spin_lock_init(spinlock_t* lock, const char* name = nullptr) {
    lock->locked = 0;
    lock->name = name;
}

inline void do_raw_spin_lock(spinlock_t* lock) {
    const u32 me = smp_processor_id() + 1;
    for (;;) {
        // XCHG with memory is locked without a prefix. A loser leaves its own
        // number in the (still nonzero, still held) word: only the owner's
        // unlock writes 0, so the word says "held" either way; the number is
        // exact when nobody else waits, which is when recursion is caught.
        u32 old = __atomic_exchange_n(&lock->locked, me, __ATOMIC_ACQUIRE);
        if (likely(old == 0)) return;
        BUG_ON(old == me);  // recursion on this CPU: it would spin forever
        while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED)) asm volatile("pause" ::: "memory");
    }
}
inline void do_raw_spin_unlock(spinlock_t* lock) {
    BUG_ON(!lock->locked);
    __atomic_store_n(&lock->locked, 0u, __ATOMIC_RELEASE);
}

inline void spin_lock(spinlock_t* lock) {
    preempt_disable();
    do_raw_spin_lock(lock);
}
inline void spin_unlock(spinlock_t* lock) {
    do_raw_spin_unlock(lock);
    preempt_enable();
}
inline void spin_lock_irq(spinlock_t* lock) {
    local_irq_disable();
    spin_lock(lock);
}
inline void spin_unlock_irq(spinlock_t* lock) {
    do_raw_spin_unlock(lock);
    local_irq_enable();
    preempt_enable();
}
inline unsigned long spin_lock_irqsave(spinlock_t* lock) {
    unsigned long flags = local_irq_save();
    spin_lock(lock);
    return flags;
}
inline void spin_unlock_irqrestore(spinlock_t* lock, unsigned long flags) {
    do_raw_spin_unlock(lock);
    local_irq_restore(flags);
    preempt_enable();
}
inline bool spin_is_locked(const spinlock_t* lock) { return lock->locked; }

class SpinLockGuard {
public:
    explicit SpinLockGuard(spinlock_t& lock) : lock_(lock) { spin_lock(&lock_); }
    ~SpinLockGuard() { spin_unlock(&lock_); }
    SpinLockGuard(const SpinLockGuard&) = delete;
    SpinLockGuard& operator=(const SpinLockGuard&) = delete;

private:
    spinlock_t& lock_;
};

class SpinLockIrqSaveGuard {
public:
    explicit SpinLockIrqSaveGuard(spinlock_t& lock) : lock_(lock), flags_(spin_lock_irqsave(&lock)) {}
    ~SpinLockIrqSaveGuard() { spin_unlock_irqrestore(&lock_, flags_); }
    SpinLockIrqSaveGuard(const SpinLockIrqSaveGuard&) = delete;
    SpinLockIrqSaveGuard& operator=(const SpinLockIrqSaveGuard&) = delete;

private:
    spinlock_t& lock_;
    unsigned long flags_;
};
