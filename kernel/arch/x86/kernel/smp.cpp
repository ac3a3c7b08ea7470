// Inter-processor calls and the TLB shootdown (Linux's kernel/smp.c and
// arch/x86/mm/tlb.c, reduced to what this kernel needs): one call-function
// slot per target CPU; the sender fills it, sends CALL_FUNCTION_VECTOR by a
// fixed IPI to the target's APIC id, and spins until the target has run the
// function (always synchronous, like smp_call_function(..., wait=1)).
#include <asm/apic.hpp>
#include <asm/highmem.hpp>
#include <asm/layout.hpp>
#include <asm/processor.hpp>
#include <asm/smp.hpp>
#include <asm/tlbflush.hpp>
#include <kernel/cmdline.hpp>
#include <kernel/preempt.hpp>
#include <kernel/sched.hpp>
#include <kernel/spinlock.hpp>

constinit bool no_shootdown_ipi = false;
constinit bool ipi_clock_cpu_cycles = false;

namespace {

struct call_single_data {
    smp_call_func_t func;
    void* info;
    volatile u32 pending;
};
constinit call_single_data csd[NR_CPUS]{};
// Held by the sender from filling a target's slot until the target is done.
constinit spinlock_t csd_lock[NR_CPUS]{};

bool parse_no_shootdown_ipi(const char* v) {
    no_shootdown_ipi = true;
    return !*v;
}
early_param("no_shootdown_ipi", parse_no_shootdown_ipi, "no_shootdown_ipi takes no value");

void send_ipi(unsigned cpu, unsigned vector) {
    IrqSaveGuard irqs;  // ICR2 and ICR are written as a pair
    apic_write(APIC_ICR2, per_cpu_data(cpu).apic_id << 24);
    apic_write(APIC_ICR, 0x4000 | vector);  // fixed, physical, assert
    while (apic_read(APIC_ICR) & (1u << 12)) asm volatile("pause");
}

// Spins for the slot with the caller's interrupts as they are: a CPU waiting
// here with interrupts on still answers the IPIs of CPUs that hold other
// slots and wait for it (two CPUs calling each other at once).
void post(unsigned cpu, smp_call_func_t func, void* info) {
    spin_lock(&csd_lock[cpu]);
    csd[cpu].func = func;
    csd[cpu].info = info;
    __atomic_store_n(&csd[cpu].pending, 1u, __ATOMIC_RELEASE);
    send_ipi(cpu, CALL_FUNCTION_VECTOR);
    this_cpu_add(ipis_sent, 1);
}

void wait_done(unsigned cpu) {
    while (__atomic_load_n(&csd[cpu].pending, __ATOMIC_ACQUIRE)) asm volatile("pause");
    spin_unlock(&csd_lock[cpu]);
}

struct flush_range {
    unsigned long start, end;
};
void do_remote_flush_range(void* info) {
    auto* r = static_cast<flush_range*>(info);
    __flush_tlb_kernel_range_local(r->start, r->end);
    this_cpu_add(remote_tlb_flushes, 1);
}
void do_remote_flush_all(void*) {
    __flush_tlb_all();
    this_cpu_add(remote_tlb_flushes, 1);
}

// The shootdown: the other CPUs flush too, unless no_shootdown_ipi.
void shootdown(smp_call_func_t func, void* info) {
    if (num_online_cpus() < 2 || no_shootdown_ipi) return;
    smp_call_function(func, info);
    this_cpu_add(tlb_shootdowns, 1);
}

}  // namespace

// The wait happens with the caller's interrupts as they were (Linux's rule:
// call with interrupts on, from thread context): every CPU may send calls now
// that threads run everywhere, and two CPUs waiting for each other with
// interrupts off would wait forever. Interrupt handlers never send calls.
bool smp_call_function_single(unsigned cpu, smp_call_func_t func, void* info) {
    PreemptGuard guard;
    if (!cpu_online(cpu) || cpu == smp_processor_id()) return false;
    BUG_ON(in_hardirq());
    post(cpu, func, info);
    wait_done(cpu);
    return true;
}

void smp_call_function(smp_call_func_t func, void* info) {
    PreemptGuard guard;
    BUG_ON(in_hardirq());
    const unsigned me = smp_processor_id();
    for (unsigned cpu = 0; cpu < NR_CPUS; ++cpu)
        if (cpu != me && cpu_online(cpu)) post(cpu, func, info);
    for (unsigned cpu = 0; cpu < NR_CPUS; ++cpu)
        if (cpu != me && cpu_online(cpu)) wait_done(cpu);
}

void on_each_cpu(smp_call_func_t func, void* info) {
    PreemptGuard guard;
    BUG_ON(in_hardirq());
    const unsigned me = smp_processor_id();
    for (unsigned cpu = 0; cpu < NR_CPUS; ++cpu)
        if (cpu != me && cpu_online(cpu)) post(cpu, func, info);
    {
        IrqSaveGuard irqs;  // func runs here as the others run it: interrupts off
        func(info);
    }
    for (unsigned cpu = 0; cpu < NR_CPUS; ++cpu)
        if (cpu != me && cpu_online(cpu)) wait_done(cpu);
}

void smp_call_function_interrupt(pt_regs*) {
    const bool cpu_cycles = ipi_clock_cpu_cycles;  // read before the clock starts
    const u64 start = ipi_handler_clock(cpu_cycles);  // this CPU's clock: the target's own cost of the call
    preempt_count_add(HARDIRQ_OFFSET);
    this_cpu_add(ipis_received, 1);
    call_single_data& c = csd[smp_processor_id()];
    if (__atomic_load_n(&c.pending, __ATOMIC_ACQUIRE)) {
        c.func(c.info);
        __atomic_store_n(&c.pending, 0u, __ATOMIC_RELEASE);
    }
    apic_eoi();
    preempt_count_sub(HARDIRQ_OFFSET);
    this_cpu_add(ipi_handler_cycles, static_cast<u32>(ipi_handler_clock(cpu_cycles) - start));
}

void smp_send_reschedule(unsigned cpu) {
    if (cpu_online(cpu) && cpu != smp_processor_id()) send_ipi(cpu, RESCHEDULE_VECTOR);
}

void smp_reschedule_interrupt(pt_regs* regs) {
    preempt_count_add(HARDIRQ_OFFSET);
    scheduler_ipi();
    apic_eoi();
    preempt_count_sub(HARDIRQ_OFFSET);
    irqentry_exit_cond_resched(regs);
}

bool flush_tlb_kernel_range(unsigned long start, unsigned long end) {
    bool all = __flush_tlb_kernel_range_local(start, end);
    flush_range r{start, end};
    shootdown(do_remote_flush_range, &r);
    return all;
}

void flush_tlb_pkmaps() {
    __flush_tlb_all();
    shootdown(do_remote_flush_all, nullptr);
}
