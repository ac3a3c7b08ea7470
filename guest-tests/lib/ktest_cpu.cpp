// Keeping a case's threads on one CPU (ktest.hpp: PinCpu, kthread_run_on).
#include <asm/smp.hpp>
#include <kernel/bug.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>

#include "ktest.hpp"

namespace ktest {

PinCpu::PinCpu() : cpu_(0), saved_mask_(current->cpus_allowed) {
    // The CPU read here may be left before the mask is set; the mask then
    // sends this thread back to it before set_cpus_allowed_ptr returns.
    cpu_ = smp_processor_id();
    BUG_ON(!set_cpus_allowed_ptr(current, 1u << cpu_));
    BUG_ON(smp_processor_id() != cpu_);
}

PinCpu::PinCpu(unsigned cpu) : cpu_(cpu), saved_mask_(current->cpus_allowed) {
    BUG_ON(!set_cpus_allowed_ptr(current, 1u << cpu_));
    BUG_ON(smp_processor_id() != cpu_);
}

PinCpu::~PinCpu() { set_cpus_allowed_ptr(current, saved_mask_); }

task_struct* kthread_run_on(int (*fn)(void*), void* data, const char* name, unsigned cpu) {
    task_struct* t = kthread_create(fn, data, name);
    if (!t) return nullptr;
    kthread_bind(t, cpu);
    wake_up_process(t);
    return t;
}

}  // namespace ktest

// Fixtures with members that have constructors (PinCpu) make the compiler
// emit vtables of abstract fixture classes, whose TestBody slot names this.
// Calling it is a bug (a pure virtual called during construction).
extern "C" void __cxa_pure_virtual() {
    printk("BUG: pure virtual function called\n");
    BUG();
}
