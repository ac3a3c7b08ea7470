// The diagnostic device's view of the machine: cycle and instruction counters
// from the CPU state, TLB statistics, probes and the coherence checker's count
// from the MMU. TLB_RESET_STATS zeroes the TLB counters only, as the protocol
// says: the page-fault and stale-report totals are carried across the MMU's
// reset so they keep counting "so far".
//
// The commands read CPU 0's state and MMU whichever CPU asks; the CPU_CYCLES
// ports read the machine's virtual clock, which under -smp N is bound to the
// counter of the CPU whose turn it is (Machine::run_smp), i.e. the CPU doing
// the read, and with one CPU is that CPU's counter.
#pragma once
#include "cpu/state.hpp"
#include "devices/diag_device.hpp"
#include "mmu/mmu.hpp"
#include "core/state_visitor.hpp"
#include "time/virtual_clock.hpp"

namespace hm {

class MachineDiag : public DiagBackend {
public:
    MachineDiag(const CpuState& state, Mmu& mmu, const VirtualClock& clock) : state_(state), mmu_(mmu), clock_(clock) {}
    u64 cycles() const override { return state_.cycles; }
    u64 reading_cpu_cycles() const override { return clock_.now(); }
    u64 instructions() const override { return state_.instructions; }
    std::optional<u64> tlb_stat(unsigned tlb, unsigned counter) const override;
    u32 probe_tlb(u32 linear) const override;
    void reset_tlb_stats() override;
    std::optional<u64> stale_reports() const override;
    u64 page_faults() const override { return page_faults_carry_ + mmu_.stats().page_faults; }
    u64 stale_total() const { return stale_carry_ + mmu_.stats().stale_reports; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.value(page_faults_carry_), v.observer(stale_carry_);
    }

private:
    const CpuState& state_;
    Mmu& mmu_;
    const VirtualClock& clock_;
    u64 page_faults_carry_ = 0;
    u64 stale_carry_ = 0;
};

}  // namespace hm
