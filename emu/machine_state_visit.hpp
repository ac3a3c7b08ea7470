// Machine::visit_state: the one description of the whole machine's guest-visible
// state, walked by the state hash (machine_state_hash.cpp), the snapshot writer
// and the reader (machine_snapshot.cpp). A field added here is hashed, saved and
// restored at once; docs/snapshots.md and docs/state-hash.md list the order.
#pragma once
#include "machine.hpp"
#include "snapshot/cpu_visit.hpp"

namespace hm {

template <class V>
void Machine::visit_state(V& v) {
    // What the configuration fixes and the state depends on: a reader refuses a
    // stream written for another machine before it reads a register.
    v.section(0x434F4E46);  // "CONF"
    v.fixed(config_.ram_bytes, "the RAM size");
    v.fixed(config_.cpu_hz, "the CPU clock");
    v.fixed(config_.pc_testdev, "-device pc-testdev");
    v.fixed(config_.cpus, "the number of CPUs (-smp)");

    for (unsigned i = 0; i < cores_.size(); ++i) {
        snap::visit_one_cpu(v, cores_[i]->state, cores_[i]->cpu, cores_[i]->mmu, *lapics_[i]);
    }

    v.section(0x52414D);  // "RAM"
    v.ram(ram_);

    ioapic_.visit_state(v);
    v.section(0x444556);  // "DEV"
    pic_.visit_state(v);
    pit_.visit_state(v);
    port61_.visit_state(v);
    uart_.visit_state(v);
    rtc_.visit_state(v);
    kbc_.visit_state(v);
    port92_.visit_state(v);
    fpu_error_.visit_state(v);
    pci_.visit_state(v);
    acpi_pm_.visit_state(v);
    vga_.visit_state(v);
    debugcon_.visit_state(v);
    post_.visit_state(v);
    debug_exit_.visit_state(v);
    diag_.visit_state(v);
    diag_backend_.visit_state(v);
    fw_cfg_.visit_state(v);
    if (testdev_) testdev_->visit_state(v);
    events_.visit_state(v);
    v.value(halted_cycles_);
    if (cores_.size() > 1) {
        // -smp N: the scheduler (machine_smp.cpp): the machine's time between
        // quanta, whose turn it is, each CPU's halted time and pending self-INIT.
        v.section(0x534D50);  // "SMP"
        v.fixed(config_.smp_quantum, "the SMP quantum (--smp-quantum)");
        v.value(smp_now_);
        v.bounded(running_, cores_.size());
        for (unsigned i = 0; i < cores_.size(); ++i) v.value(cpu_halted_cycles_[i]), v.value(pending_init_[i]);
        v.value(tsc_floor_);
    }
    // The guest's own requests to end the run (the run loop reports them).
    v.value(reset_requested_), v.value(power_off_requested_);
    v.sequence(reset_source_, 64);
    v.section(0x454E44);  // "END"

    if constexpr (V::kLoading) sync_lapic_with_msr(false);  // the LAPIC's page, as IA32_APIC_BASE says
}

}  // namespace hm
