// Threads on every CPU (docs/kernel.md, "Threads and the scheduler" and
// "SMP"): the shared run queue spreads runnable threads over the online CPUs,
// kthread_bind and set_cpus_allowed_ptr keep them where they are told, a
// wake-up from one CPU runs a thread sleeping on another (the reschedule
// IPI), a kmap_local user preempted under migrate_disable stays on its CPU
// with its mapping intact while another thread used the same slot there, the
// page allocator and slab hold up when every CPU allocates at once, and each
// CPU takes its own tick and runs the timers armed on it. The cross-CPU cases
// skip with one CPU online.
#include <asm/highmem.hpp>
#include <asm/layout.hpp>
#include <asm/processor.hpp>
#include <asm/smp.hpp>
#include <kernel/completion.hpp>
#include <kernel/gfp.hpp>
#include <kernel/highmem.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/mm.hpp>
#include <kernel/sched.hpp>
#include <kernel/slab.hpp>
#include <kernel/timer.hpp>
#include <kernel/wait.hpp>

#include "ktest.hpp"

namespace {

// Counters other CPUs read: volatile, bumped without the deprecated ++.
inline void bump(volatile u32& x) { x = x + 1; }

unsigned online_mask() {
    unsigned m = 0;
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (cpu_online(c)) m |= 1u << c;
    return m;
}

// Spins (never sleeps or yields) until told to stop, recording every CPU it
// found itself on.
struct Roamer {
    volatile bool stop = false;
    volatile u32 seen = 0;      // bit n: ran on CPU n
    volatile u32 switches = 0;  // how often the CPU it runs on changed
};
int roam(void* arg) {
    auto* r = static_cast<Roamer*>(arg);
    unsigned last = smp_processor_id();
    r->seen = r->seen | (1u << last);
    while (!r->stop) {
        unsigned now = smp_processor_id();
        if (now != last) {
            r->seen = r->seen | (1u << now);
            r->switches = r->switches + 1;
            last = now;
        }
        cpu_relax();
    }
    return 0;
}

}  // namespace

// Twice as many spinners as CPUs, none bound: every online CPU runs some of
// them (the one-CPU scheduler ran all of them on the BSP).
KTEST_TIMEOUT(sched_smp, threads_run_on_every_online_cpu, 30000) {
    KTEST_REQUIRE(num_online_cpus() > 1, "one CPU online");
    const unsigned n = 2 * num_online_cpus();
    Roamer r[2 * NR_CPUS];
    task_struct* t[2 * NR_CPUS];
    for (unsigned i = 0; i < n; ++i) ASSERT_NOT_NULL(t[i] = kthread_run(roam, &r[i], "ktest-roam"));
    u32 all = 0;
    u64 deadline = get_jiffies_64() + 5 * HZ;
    while (get_jiffies_64() < deadline) {
        msleep(50);
        all = 0;
        for (unsigned i = 0; i < n; ++i) all |= r[i].seen;
        if (all == online_mask()) break;
    }
    for (unsigned i = 0; i < n; ++i) r[i].stop = true;
    for (unsigned i = 0; i < n; ++i) {
        EXPECT_EQ(kthread_join(t[i]), 0);
        put_task_struct(t[i]);
    }
    EXPECT_EQ(all, online_mask());
    // And each CPU really switched threads: more than one CPU's worth of work.
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (cpu_online(c)) EXPECT_GT(per_cpu_data(c).nr_switches, 0u);
}

// kthread_bind: a spinner bound to CPU c is only ever seen there, although
// every CPU is busy and preempts it (it is not alone on its CPU).
KTEST_TIMEOUT(sched_smp, kthread_bind_keeps_each_thread_on_its_cpu, 30000) {
    KTEST_REQUIRE(num_online_cpus() > 1, "one CPU online");
    Roamer r[2 * NR_CPUS];
    task_struct* t[2 * NR_CPUS];
    unsigned n = 0;
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        if (!cpu_online(c)) continue;
        for (unsigned k = 0; k < 2; ++k, ++n) ASSERT_NOT_NULL(t[n] = ktest::kthread_run_on(roam, &r[n], "ktest-bound", c));
    }
    msleep(200);
    for (unsigned i = 0; i < n; ++i) r[i].stop = true;
    unsigned i = 0;
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        if (!cpu_online(c)) continue;
        for (unsigned k = 0; k < 2; ++k, ++i) {
            EXPECT_EQ(kthread_join(t[i]), 0);
            EXPECT_EQ(r[i].seen, 1u << c);
            EXPECT_EQ(r[i].switches, 0u);
            EXPECT_EQ(t[i]->cpu, c);
            EXPECT_GT(t[i]->nivcsw, 0u);  // it shared its CPU: preempted, yet never moved
            put_task_struct(t[i]);
        }
    }
}

// set_cpus_allowed_ptr on the running thread itself: it is on the CPU it
// asked for when the call returns, for each online CPU in turn.
KTEST(sched_smp, set_cpus_allowed_moves_the_caller) {
    KTEST_REQUIRE(num_online_cpus() > 1, "one CPU online");
    const unsigned saved = current->cpus_allowed;
    for (unsigned round = 0; round < 2; ++round) {
        for (unsigned c = NR_CPUS; c-- > 0;) {
            if (!cpu_online(c)) continue;
            ASSERT_TRUE(set_cpus_allowed_ptr(current, 1u << c));
            EXPECT_EQ(smp_processor_id(), c);
            msleep(1);  // a sleep and a wake-up: still there
            EXPECT_EQ(smp_processor_id(), c);
        }
    }
    EXPECT_FALSE(set_cpus_allowed_ptr(current, 0));  // no online CPU in it: refused
    set_cpus_allowed_ptr(current, saved);
}

namespace {
struct Sleeper {
    wait_queue_head wq;
    volatile bool flag = false;
    volatile int cpu_before = -1, cpu_after = -1;
    volatile int waker_cpu = -1;
};
int sleep_on_flag(void* arg) {
    auto* s = static_cast<Sleeper*>(arg);
    s->cpu_before = static_cast<int>(smp_processor_id());
    wait_event(s->wq, s->flag);
    s->cpu_after = static_cast<int>(smp_processor_id());
    return 0;
}
int wake_the_sleeper(void* arg) {
    auto* s = static_cast<Sleeper*>(arg);
    s->waker_cpu = static_cast<int>(smp_processor_id());
    s->flag = true;
    wake_up(&s->wq);
    return 0;
}
}  // namespace

// A thread sleeping on CPU 0 is woken by a thread on CPU 1. CPU 0 is idle
// meanwhile (this case runs on CPU 1): the wake-up sends it a reschedule IPI
// and the sleeper runs again there, on its own CPU.
KTEST(sched_smp, a_wakeup_from_cpu_1_runs_a_sleeper_on_cpu_0) {
    KTEST_REQUIRE(num_online_cpus() > 1, "one CPU online");
    ktest::PinCpu on_cpu_1(1);
    Sleeper s;
    init_waitqueue_head(&s.wq);
    task_struct* sleeper = ktest::kthread_run_on(sleep_on_flag, &s, "ktest-sleeper", 0);
    ASSERT_NOT_NULL(sleeper);
    u64 deadline = get_jiffies_64() + HZ;
    while (!(sleeper->state == TASK_UNINTERRUPTIBLE && !sleeper->on_cpu) && get_jiffies_64() < deadline) msleep(1);
    ASSERT_EQ(sleeper->state, TASK_UNINTERRUPTIBLE);
    msleep(20);  // CPU 0 settles in its idle loop
    EXPECT_EQ(per_cpu_data(0).curr, per_cpu_data(0).idle);
    const u32 ipis = per_cpu_data(0).resched_ipis;
    task_struct* waker = ktest::kthread_run_on(wake_the_sleeper, &s, "ktest-waker", 1);
    ASSERT_NOT_NULL(waker);
    EXPECT_EQ(kthread_join(waker), 0);
    EXPECT_EQ(kthread_join(sleeper), 0);
    put_task_struct(waker);
    put_task_struct(sleeper);
    EXPECT_EQ(s.cpu_before, 0);
    EXPECT_EQ(s.waker_cpu, 1);
    EXPECT_EQ(s.cpu_after, 0);
    EXPECT_GE(per_cpu_data(0).resched_ipis - ipis, 1u);
}

namespace {
// Holds one kmap_local mapping while spinning until preempted several times;
// checks after every instruction-level round that it is on the CPU it mapped
// on and that the mapping still shows its own page.
struct LocalUser {
    page* page;
    u32 pattern;
    volatile int cpu = -1;             // where it mapped (published for the test)
    volatile bool mapped = false;
    volatile bool done = false;
    unsigned long vaddr = 0;
    volatile u32 moved = 0;            // rounds seen on another CPU
    volatile u32 mismatches = 0;       // rounds whose read-back was not its own
    volatile u32 rounds = 0;
    volatile u32 preemptions = 0;
    volatile u32 migration_disabled = 0;  // its count while mapped
};
int hold_kmap_local(void* arg) {
    auto* u = static_cast<LocalUser*>(arg);
    auto* v = static_cast<volatile u32*>(kmap_local_page(u->page));
    u->vaddr = reinterpret_cast<unsigned long>(const_cast<u32*>(v));
    u->migration_disabled = current->migration_disabled;
    u->cpu = static_cast<int>(smp_processor_id());
    v[0] = u->pattern;
    u->mapped = true;
    const unsigned long start = current->nivcsw;
    u64 end = get_jiffies_64() + 3 * HZ;
    while (current->nivcsw - start < 6 && get_jiffies_64() < end) {
        bump(u->rounds);
        v[1 + u->rounds % 512] = u->pattern + u->rounds;
        if (static_cast<int>(smp_processor_id()) != u->cpu) bump(u->moved);
        if (v[0] != u->pattern || v[1 + u->rounds % 512] != u->pattern + u->rounds) bump(u->mismatches);
    }
    u->preemptions = static_cast<u32>(current->nivcsw - start);
    kunmap_local(const_cast<u32*>(v));
    u->done = true;
    return 0;
}
// The competitor on the same CPU: its own page in the same slot (its first
// mapping, so the same address), written and checked while the other waits.
int compete_for_the_slot(void* arg) {
    auto* u = static_cast<LocalUser*>(arg);
    auto* v = static_cast<volatile u32*>(kmap_local_page(u->page));
    u->vaddr = reinterpret_cast<unsigned long>(const_cast<u32*>(v));
    u->cpu = static_cast<int>(smp_processor_id());
    v[0] = u->pattern;
    u64 end = get_jiffies_64() + 3 * HZ;
    while (!u->done && get_jiffies_64() < end) {
        bump(u->rounds);
        if (v[0] != u->pattern) bump(u->mismatches);
    }
    kunmap_local(const_cast<u32*>(v));
    return 0;
}
}  // namespace

// kmap_local under migrate_disable, as Linux: an unbound thread maps a page
// and is preempted several times on its CPU by a bound thread that maps its
// own page in the same slot (same address); the other CPUs are idle, so any
// of them would take the preempted thread if it were free to move. It never
// moves, and its mapping shows its own page after every preemption.
KTEST_TIMEOUT(sched_smp, kmap_local_user_stays_on_its_cpu_when_preempted, 30000) {
    KTEST_REQUIRE(num_online_cpus() > 1, "one CPU online");
    KTEST_REQUIRE(totalhigh_pages() > 1, "no highmem in this configuration");
    page* pa = alloc_page(GFP_HIGHUSER);
    page* pb = alloc_page(GFP_HIGHUSER);
    ASSERT_NOT_NULL(pa);
    ASSERT_NOT_NULL(pb);
    ASSERT_TRUE(PageHighMem(pa) && PageHighMem(pb));
    LocalUser a{pa, 0xA1000000u};
    LocalUser b{pb, 0xB2000000u};
    task_struct* ta = kthread_run(hold_kmap_local, &a, "ktest-local-a");
    ASSERT_NOT_NULL(ta);
    u64 deadline = get_jiffies_64() + HZ;
    while (!a.mapped && get_jiffies_64() < deadline) msleep(1);
    ASSERT_TRUE(a.mapped);
    const unsigned cpu = static_cast<unsigned>(a.cpu);
    task_struct* tb = ktest::kthread_run_on(compete_for_the_slot, &b, "ktest-local-b", cpu);
    ASSERT_NOT_NULL(tb);
    EXPECT_EQ(kthread_join(ta), 0);
    b.done = true;
    EXPECT_EQ(kthread_join(tb), 0);
    EXPECT_EQ(a.migration_disabled, 1u);  // kmap_local_page held it
    EXPECT_EQ(ta->migration_disabled, 0u);  // and kunmap_local released it
    EXPECT_GE(a.preemptions, 6u);         // really preempted, several times
    EXPECT_EQ(a.moved, 0u);
    EXPECT_EQ(a.mismatches, 0u);
    EXPECT_EQ(b.mismatches, 0u);
    EXPECT_EQ(b.cpu, a.cpu);
    EXPECT_EQ(b.vaddr, a.vaddr);  // the same slot of the same CPU
    EXPECT_EQ(a.vaddr, fix_to_virt(FIX_KMAP_BEGIN + kmap_local_shift + KM_SLOTS_PER_CPU * cpu));
    EXPECT_GT(b.rounds, 0u);
    put_task_struct(ta);
    put_task_struct(tb);
    // Each page holds its own thread's pattern.
    auto* va = static_cast<u32*>(kmap_local_page(pa));
    EXPECT_EQ(va[0], 0xA1000000u);
    kunmap_local(va);
    auto* vb = static_cast<u32*>(kmap_local_page(pb));
    EXPECT_EQ(vb[0], 0xB2000000u);
    kunmap_local(vb);
    __free_page(pb);
    __free_page(pa);
}

// Without a mapping the same thread moves freely: a spinner preempted by a
// bound competitor on its CPU ends up on another (idle) CPU.
KTEST_TIMEOUT(sched_smp, an_unpinned_thread_moves_to_an_idle_cpu, 30000) {
    KTEST_REQUIRE(num_online_cpus() > 1, "one CPU online");
    Roamer r, other;
    task_struct* t = ktest::kthread_run_on(roam, &r, "ktest-roam", 0);
    ASSERT_NOT_NULL(t);
    msleep(20);
    // Free to move now, with a competitor where it is.
    ASSERT_TRUE(set_cpus_allowed_ptr(t, CPU_MASK_ALL));
    task_struct* c = ktest::kthread_run_on(roam, &other, "ktest-compete", 0);
    ASSERT_NOT_NULL(c);
    u64 deadline = get_jiffies_64() + 2 * HZ;
    while (r.seen == 1u && get_jiffies_64() < deadline) msleep(10);
    r.stop = true;
    other.stop = true;
    kthread_join(t);
    kthread_join(c);
    put_task_struct(t);
    put_task_struct(c);
    EXPECT_NE(r.seen & ~1u, 0u);  // it ran on some other CPU
    EXPECT_EQ(other.seen, 1u);
}

namespace {
struct AllocStress {
    completion start;
    completion worked;  // once per thread, when its blocks are all back
    completion finish;  // the threads exit only after the count
    unsigned rounds;
    volatile u32 ran_on[NR_CPUS];
    volatile u32 corrupt[NR_CPUS];
    volatile u32 failed[NR_CPUS];
};
struct StressArg {
    AllocStress* s;
    unsigned cpu;
};

// Keeps 8 page blocks and 8 kmalloc objects alive at any time, each filled
// with a pattern naming this CPU and the round, checked before it is freed.
int alloc_free_loop(void* arg) {
    auto* a = static_cast<StressArg*>(arg);
    AllocStress* s = a->s;
    const unsigned me = a->cpu;
    wait_for_completion(&s->start);
    s->ran_on[me] = smp_processor_id() + 1;
    constexpr unsigned K = 8;
    unsigned long blocks[K] = {};
    unsigned orders[K] = {};
    u32* objs[K] = {};
    unsigned sizes[K] = {};
    u32 tags[K] = {};
    for (unsigned r = 0; r < s->rounds; ++r) {
        unsigned k = r % K;
        if (blocks[k]) {
            auto* w = reinterpret_cast<u32*>(blocks[k]);
            for (unsigned i = 0; i < (PAGE_SIZE << orders[k]) / 4; i += 64)
                if (w[i] != tags[k]) bump(s->corrupt[me]);
            free_pages(blocks[k], orders[k]);
            for (unsigned i = 0; i < sizes[k] / 4; ++i)
                if (objs[k][i] != tags[k]) bump(s->corrupt[me]);
            kfree(objs[k]);
        }
        tags[k] = (me << 24) | r;
        orders[k] = r % 3;
        sizes[k] = 16u << (r % 6);  // 16..512 bytes: several kmalloc caches
        blocks[k] = __get_free_pages(GFP_KERNEL, orders[k]);
        objs[k] = static_cast<u32*>(kmalloc(sizes[k], GFP_KERNEL));
        if (!blocks[k] || !objs[k]) {
            bump(s->failed[me]);
            if (blocks[k]) free_pages(blocks[k], orders[k]);
            kfree(objs[k]);
            blocks[k] = 0;
            objs[k] = nullptr;
            continue;
        }
        auto* w = reinterpret_cast<u32*>(blocks[k]);
        for (unsigned i = 0; i < (PAGE_SIZE << orders[k]) / 4; i += 64) w[i] = tags[k];
        for (unsigned i = 0; i < sizes[k] / 4; ++i) objs[k][i] = tags[k];
    }
    for (unsigned k = 0; k < K; ++k) {
        if (!blocks[k]) continue;
        free_pages(blocks[k], orders[k]);
        kfree(objs[k]);
    }
    complete(&s->worked);
    wait_for_completion(&s->finish);
    return 0;
}
}  // namespace

// Free pages plus the pages of the kmalloc caches the stress uses (their
// empty slabs are given back or kept, by the caches' own rule), and those
// caches' objects in use.
struct MemCount {
    unsigned long pages = 0, objects = 0;
};
MemCount count_memory() {
    MemCount m;
    m.pages = nr_free_pages();
    for (unsigned size = 16; size <= 512; size *= 2) {
        const kmem_cache* c = kmalloc_slab(size);
        m.pages += c->nr_slabs << c->order;
        m.objects += c->active_objects;
    }
    return m;
}

// The page allocator's zone locks and the slab caches' locks, from every CPU
// at once: one bound thread per CPU allocates and frees pages (orders 0-2)
// and kmalloc objects (16-512 bytes) 3000 times, every block checked before
// it is freed. Nothing is handed out twice (a block shared by two CPUs would
// carry the other's pattern), every thread ran on its CPU, and every page and
// object comes back.
KTEST_TIMEOUT(sched_smp, page_alloc_and_slab_from_every_cpu_at_once, 60000) {
    KTEST_REQUIRE(num_online_cpus() > 1, "one CPU online");
    auto* s = static_cast<AllocStress*>(kzalloc(sizeof(AllocStress), GFP_KERNEL));
    ASSERT_NOT_NULL(s);
    init_completion(&s->start);
    init_completion(&s->worked);
    init_completion(&s->finish);
    s->rounds = 3000;
    StressArg args[NR_CPUS];
    task_struct* t[NR_CPUS] = {};
    unsigned threads = 0;
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        if (!cpu_online(c)) continue;
        args[c] = {s, c};
        t[c] = kthread_create(alloc_free_loop, &args[c], "ktest-allocs");
        ASSERT_NOT_NULL(t[c]);
        kthread_bind(t[c], c);
        ++threads;
    }
    const MemCount before = count_memory();  // the threads' stacks are taken already
    for (unsigned c = 0; c < NR_CPUS; ++c)
        if (t[c]) wake_up_process(t[c]);
    complete_all(&s->start);
    for (unsigned i = 0; i < threads; ++i) wait_for_completion(&s->worked);
    // Counted while the threads still live (their stacks and task_structs
    // stay where they were at the first count).
    const MemCount after = count_memory();
    complete_all(&s->finish);
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        if (!t[c]) continue;
        EXPECT_EQ(kthread_join(t[c]), 0);
        put_task_struct(t[c]);
        EXPECT_EQ(s->ran_on[c], c + 1);
        EXPECT_EQ(s->corrupt[c], 0u);
        EXPECT_EQ(s->failed[c], 0u);
    }
    EXPECT_EQ(after.objects, before.objects);
    EXPECT_EQ(after.pages, before.pages);
    kfree(s);
}

namespace {
struct TimerOn {
    timer_list timer;
    volatile int fired_on = -1;
    volatile bool hardirq = false;
    volatile int armed_on = -1;
};
void note_cpu(timer_list* t) {
    auto* p = container_of(t, TimerOn, timer);
    p->hardirq = in_hardirq();
    p->fired_on = static_cast<int>(smp_processor_id());
}
int arm_here(void* arg) {
    auto* p = static_cast<TimerOn*>(arg);
    timer_setup(&p->timer, note_cpu);
    p->armed_on = static_cast<int>(smp_processor_id());
    mod_timer(&p->timer, get_jiffies_64() + 2);
    u64 end = get_jiffies_64() + HZ;
    while (p->fired_on < 0 && get_jiffies_64() < end) msleep(5);
    del_timer_sync(&p->timer);
    return 0;
}
}  // namespace

// Every CPU takes its own tick (its local APIC timer) and runs the timers
// armed on it there, in hardirq context.
KTEST(sched_smp, each_cpu_ticks_and_runs_its_own_timers) {
    u32 ticks[NR_CPUS];
    for (unsigned c = 0; c < NR_CPUS; ++c) ticks[c] = per_cpu_data(c).timer_ticks;
    msleep(100);
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        if (!cpu_online(c)) continue;
        // 10 ticks of 10 ms; at least half, whatever the phase of each CPU's timer.
        EXPECT_GE(per_cpu_data(c).timer_ticks - ticks[c], 5u);
    }
    TimerOn probes[NR_CPUS];
    task_struct* t[NR_CPUS] = {};
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        if (!cpu_online(c)) continue;
        t[c] = ktest::kthread_run_on(arm_here, &probes[c], "ktest-timer", c);
        ASSERT_NOT_NULL(t[c]);
    }
    for (unsigned c = 0; c < NR_CPUS; ++c) {
        if (!t[c]) continue;
        EXPECT_EQ(kthread_join(t[c]), 0);
        put_task_struct(t[c]);
        EXPECT_EQ(probes[c].armed_on, static_cast<int>(c));
        EXPECT_EQ(probes[c].fired_on, static_cast<int>(c));
        EXPECT_TRUE(probes[c].hardirq);
    }
}

namespace {
struct SlowTimer {
    timer_list timer;
    volatile bool entered = false;
    volatile bool left = false;
};
void slow_callback(timer_list* t) {
    auto* s = container_of(t, SlowTimer, timer);
    s->entered = true;
    // About 5 ms of this CPU's time, in hardirq context.
    u64 end = get_jiffies_64() + 1;
    while (get_jiffies_64() <= end) cpu_relax();
    s->left = true;
}
int arm_slow(void* arg) {
    auto* s = static_cast<SlowTimer*>(arg);
    mod_timer(&s->timer, get_jiffies_64() + 1);
    return 0;
}
}  // namespace

// del_timer_sync on CPU 0 while the timer's callback runs on CPU 1 returns
// only once the callback has returned (an on-stack timer, as in
// schedule_timeout, must not be freed under a running callback).
KTEST(sched_smp, del_timer_sync_waits_for_a_callback_running_elsewhere) {
    KTEST_REQUIRE(num_online_cpus() > 1, "one CPU online");
    ktest::PinCpu on_the_bsp(0);
    SlowTimer s;
    timer_setup(&s.timer, slow_callback);
    task_struct* t = ktest::kthread_run_on(arm_slow, &s, "ktest-arm", 1);
    ASSERT_NOT_NULL(t);
    EXPECT_EQ(kthread_join(t), 0);
    put_task_struct(t);
    u64 deadline = get_jiffies_64() + HZ;
    while (!s.entered && get_jiffies_64() < deadline) cpu_relax();
    ASSERT_TRUE(s.entered);
    EXPECT_FALSE(s.left);  // still running on CPU 1
    EXPECT_FALSE(del_timer_sync(&s.timer));  // it was no longer pending
    EXPECT_TRUE(s.left);
}
