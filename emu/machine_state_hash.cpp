// Machine::state_hash: one 64-bit digest of the guest-visible state, for
// --state-hash-every (docs/state-hash.md says what is covered and in which order).
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#include "core/state_hasher.hpp"
#include "cpu/flags.hpp"
#include "machine.hpp"

namespace hm {

namespace {

void hash_segment(StateHasher& h, const Segment& s) {
    // selector and the descriptor cache; read_end/write_end are derived from them
    h.value(s.selector), h.value(s.attr), h.value(s.base), h.value(s.limit);
}

void hash_cpu(StateHasher& h, const CpuState& s) {
    h.section(0x435055);  // "CPU"
    for (u32 r : s.r) h.value(r);
    h.value(s.eip);
    h.value(cpu::read_eflags(s));  // architectural EFLAGS, not the lazy-flag encoding
    for (const Segment& sg : s.seg) hash_segment(h, sg);
    hash_segment(h, s.ldtr);
    hash_segment(h, s.tr);
    h.value(s.gdtr.base), h.value(s.gdtr.limit), h.value(s.idtr.base), h.value(s.idtr.limit);
    for (u32 d : s.dr) h.value(d);
    h.value(s.cpl), h.value(s.halted), h.value(s.interrupt_shadow), h.value(s.nmi_blocked);
    h.value(s.cr.cr0), h.value(s.cr.cr2), h.value(s.cr.cr3), h.value(s.cr.cr4), h.value(s.cr.efer);
    h.value(s.tsc_adjust), h.value(s.cycles), h.value(s.instructions);
    h.value(s.debug_shadow), h.value(s.held_dr6);
    h.section(0x465055);  // "FPU"
    const FpuState& f = s.fpu;
    for (const fpu::Float80& r : f.st) h.value(r.sig), h.value(r.se);
    h.value(f.cw), h.value(f.sw), h.value(f.tag), h.value(f.fop);
    h.value(f.fcs), h.value(f.fip), h.value(f.fds), h.value(f.fdp), h.value(f.ferr), h.value(f.ignne);
    h.section(0x4D5352);  // "MSR"
    h.value(s.msr.local_apic), h.value(s.msr.bsp), h.value(s.msr.initial_apic_id);
    h.value(s.msr.apic_base), h.value(s.msr.mcg_status), h.value(s.msr.misc_enable);
}

void hash_lapic(StateHasher& h, const LapicState& a) {
    h.section(0x4C415043);  // "LAPC"
    h.value(a.id), h.value(a.tpr), h.value(a.ldr), h.value(a.dfr), h.value(a.svr);
    for (unsigned i = 0; i < 8; ++i) h.value(a.isr[i]), h.value(a.tmr[i]), h.value(a.irr[i]);
    h.value(a.esr), h.value(a.esr_pending), h.value(a.icr_low), h.value(a.icr_high);
    for (u32 l : a.lvt) h.value(l);
    h.value(a.divide), h.value(a.timer_initial), h.value(a.timer_base_count), h.value(a.timer_base_cycle);
    h.value(a.hw_enabled), h.value(a.lint0_level), h.value(a.lint1_level);
}

void hash_ioapic(StateHasher& h, const IoApicState& io) {
    h.section(0x494F4150);  // "IOAP"
    h.value(io.id), h.value(io.select), h.value(io.pending), h.value(io.lines);
    for (u64 e : io.redirection) h.value(e);
}

// Pages that hold anything but zeros, as (page number, contents). Pages the host
// never committed read as zero, so mincore() lets most of a large, lightly
// touched RAM be skipped without reading it; a committed page of zeros is
// skipped too, so the digest depends on contents only, never on residency.
void hash_ram(StateHasher& h, const PhysicalMemory& ram) {
    h.section(0x52414D);  // "RAM"
    const long host_page = sysconf(_SC_PAGESIZE);
    const u64 step = host_page > 0 ? static_cast<u64>(host_page) : kPageSize;
    static const u8 zeros[kPageSize] = {};
    std::vector<unsigned char> resident;
    for (const RamRange& r : ram.ranges()) {
        u8* base = ram.host(r.base);
        if (!base) continue;
        resident.assign((r.size + step - 1) / step, 1);
        // Best effort: if the host cannot tell, every page is read.
        if (reinterpret_cast<uintptr_t>(base) % step != 0 ||
            mincore(base, r.size, resident.data()) != 0) {
            std::fill(resident.begin(), resident.end(), 1);
        }
        for (u64 off = 0; off < r.size; off += kPageSize) {
            if (!(resident[off / step] & 1)) continue;
            const u8* page = base + off;
            const u64 n = std::min<u64>(kPageSize, r.size - off);
            if (std::memcmp(page, zeros, n) == 0) continue;
            h.value((r.base + off) >> 12);
            h.bytes(page, n);
        }
    }
}

}  // namespace

u64 Machine::state_hash() const {
    StateHasher h;
    hash_cpu(h, state_);
    mmu_.hash_state(h);
    hash_ram(h, ram_);

    hash_lapic(h, lapic_.state());
    hash_ioapic(h, ioapic_.state());
    h.section(0x444556);  // "DEV": what the devices expose of their state
    for (const Pic8259* p : {&pic_.master(), &pic_.slave()}) {
        h.value(p->irr()), h.value(p->isr()), h.value(p->imr()), h.value(p->elcr);
    }
    h.pod(pic_.stats());
    h.pod(pit_.stats());
    h.pod(uart_.stats());
    h.pod(rtc_.stats());
    h.pod(kbc_.stats());
    h.pod(diag_.stats());
    h.value(debugcon_.bytes());
    h.value(post_.writes());
    h.value(kbc_.a20()), h.value(port92_.a20());
    h.section(0x45565451);  // "EVTQ": every timer's deadline, and how many fired
    for (EventQueue::TimerId id = 0; id < events_.size(); ++id) h.value(events_.deadline(id));
    h.value(events_.fired());
    h.value(halted_cycles_);
    if (cores_.size() > 1) {
        // -smp N: every other CPU, its MMU and APIC, and the scheduler's state
        // (with one CPU the digest stays what it always was).
        h.section(0x534D50);  // "SMP"
        h.value(smp_now_);
        for (unsigned i = 0; i < cores_.size(); ++i) {
            h.value(cores_[i]->state.wait_for_sipi), h.value(cpu_halted_cycles_[i]), h.value(pending_init_[i]);
            if (i == 0) continue;
            hash_cpu(h, cores_[i]->state);
            cores_[i]->mmu.hash_state(h);
            hash_lapic(h, lapics_[i]->state());
        }
    }
    return h.digest();
}

}  // namespace hm
