// The diagnostic device's view of the machine: cycle and instruction counters
// from the CPU state, TLB statistics, probes and the coherence checker's count
// from the MMU. TLB_RESET_STATS zeroes the TLB counters only, as the protocol
// says: the page-fault and stale-report totals are carried across the MMU's
// reset so they keep counting "so far".
#pragma once
#include "cpu/state.hpp"
#include "devices/diag_device.hpp"
#include "mmu/mmu.hpp"
#include "core/state_visitor.hpp"

namespace hm {

class MachineDiag : public DiagBackend {
public:
    MachineDiag(const CpuState& state, Mmu& mmu) : state_(state), mmu_(mmu) {}
    u64 cycles() const override { return state_.cycles; }
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
    u64 page_faults_carry_ = 0;
    u64 stale_carry_ = 0;
};

}  // namespace hm
