// One CPU's share of the machine state: its registers (CpuState), the core's
// latches, its MMU with the modelled TLBs, and its local APIC. Everything per
// CPU is visited here and nowhere else, so a machine with several CPUs visits
// each in turn with this one function.
#pragma once
#include "cpu/cpu.hpp"
#include "cpu/flags.hpp"
#include "devices/lapic.hpp"
#include "mmu/mmu.hpp"
#include "core/state_visitor.hpp"

namespace hm::snap {

template <class V>
void visit_segment(V& v, Segment& s) {
    // selector and the descriptor cache; read_end/write_end are derived from them
    v.value(s.selector), v.value(s.attr), v.value(s.base), v.value(s.limit);
}

template <class V>
void visit_cpu_state(V& v, CpuState& s) {
    v.section(0x435055);  // "CPU"
    for (unsigned i = 0; i < 8; ++i) v.value(s.r[i]);  // r[8] is the always-zero slot
    v.value(s.eip);
    // Architectural EFLAGS, not the lazy-flag encoding: two encodings of the same
    // flags are one state. A load leaves the flags materialised.
    u32 eflags = cpu::read_eflags(s);
    v.value(eflags);
    if constexpr (V::kLoading) {
        s.eflags = eflags;
        s.lazy = LazyFlags{};
    }
    for (Segment& sg : s.seg) visit_segment(v, sg);
    visit_segment(v, s.ldtr);
    visit_segment(v, s.tr);
    v.value(s.gdtr.base), v.value(s.gdtr.limit), v.value(s.idtr.base), v.value(s.idtr.limit);
    values(v, s.dr);
    v.bounded(s.cpl, 4), v.value(s.halted), v.value(s.interrupt_shadow), v.value(s.nmi_blocked);
    v.value(s.cr.cr0), v.value(s.cr.cr2), v.value(s.cr.cr3), v.value(s.cr.cr4), v.value(s.cr.efer);
    v.value(s.tsc_adjust), v.value(s.cycles), v.value(s.instructions);
    v.value(s.debug_shadow), v.value(s.held_dr6);
    v.value(s.wait_for_sipi);  // an AP before its SIPI (-smp N)
    v.section(0x465055);  // "FPU"
    FpuState& f = s.fpu;
    for (fpu::Float80& r : f.st) v.value(r.sig), v.value(r.se);
    v.value(f.cw), v.value(f.sw), v.value(f.tag), v.value(f.fop);
    v.value(f.fcs), v.value(f.fip), v.value(f.fds), v.value(f.fdp), v.value(f.ferr), v.value(f.ignne);
    v.section(0x4D5352);  // "MSR"
    v.value(s.msr.local_apic), v.value(s.msr.bsp), v.value(s.msr.initial_apic_id);
    v.value(s.msr.apic_base), v.value(s.msr.mcg_status), v.value(s.msr.misc_enable);
    v.value(s.msr.core_clock_hz);  // what CPUID leaves 0x15/0x16 report
    v.section(0x4D4F444C);  // "MODL": the CPU profile (CPUID, the instructions that exist, costs)
    v.bounded(s.model, 5);
}

template <class V>
void visit_cpu_latches(V& v, Cpu& cpu) {
    v.section(0x4C544348);  // "LTCH"
    CpuLatches l = cpu.latches();
    v.value(l.intr_line), v.value(l.nmi_latched), v.value(l.task_trap), v.value(l.shutdown);
    v.value(l.data_breakpoints_armed), v.value(l.alignment_check);
    v.sequence(l.shutdown_reason, 4096);
    if constexpr (V::kLoading) {
        cpu.set_model(cpu.state().model);  // the profile's dispatch table and costs (cpu.hpp)
        cpu.restore_latches(l);
    }
}

// The CPU's registers first, then the core's latches (restoring them rebuilds
// state derived from the registers), the MMU and the local APIC.
template <class V>
void visit_one_cpu(V& v, CpuState& s, Cpu& cpu, Mmu& mmu, Lapic& lapic) {
    visit_cpu_state(v, s);
    visit_cpu_latches(v, cpu);
    mmu.visit_state(v);
    lapic.visit_state(v);
}

}  // namespace hm::snap
