// Paging control: control-register writes, PDPTE loads, INVLPG and the flushes, by
// the rules of the P6 family (SDM Vol. 2B "MOV—Move to/from Control Registers", P6
// notes; Vol. 3A 4.4.1 and 4.10.4.1).
#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "mmu/mmu.hpp"
#include "mmu/paging_bits.hpp"
#include "mmu/walk_cost.hpp"

namespace hm {

namespace {
PagingMode mode_of(u32 cr0_value, u32 cr4_value) {
    if (!(cr0_value & cr0::kPG)) return PagingMode::None;
    return (cr4_value & cr4::kPAE) ? PagingMode::Pae : PagingMode::TwoLevel;
}
}  // namespace

void Mmu::sync_state() {
    clear_fetch_page();  // paging, rights or A20 may have changed
    state_.mode = mode_of(cr_.cr0, cr_.cr4);
    state_.cr3 = cr_.cr3;
    state_.wp = cr_.cr0 & cr0::kWP;
    state_.pse = cr_.cr4 & cr4::kPSE;
    state_.pge = cr_.cr4 & cr4::kPGE;
    state_.nxe = cr_.efer & efer::kNXE;
    state_.a20_mask = a20_mask_;
    // Large entries are indexed by their own page number; the size follows the mode,
    // and every mode change empties the TLBs first.
    const unsigned large_shift = state_.mode == PagingMode::Pae ? 21 : 22;
    itlb_.large.set_index_shift(large_shift);
    dtlb_.large.set_index_shift(large_shift);
}

// Reads the four PDPTEs at cr3 into out. Raises #GP(0), changing nothing else, if a
// present one has a reserved bit set.
void Mmu::load_pdptes(u32 cr3, u64 (&out)[4]) {
    const u64 base = cr3 & pte::kPaePdptBase;
    for (unsigned i = 0; i < 4; ++i) out[i] = bus_.read(PhysAddr{(base + i * 8) & a20_mask_}, 8);
    cycles_ += 4 * walk_access_cycles_;
    ++stats_.pdpte_loads;
    for (u64 e : out) {
        if ((e & pte::kPresent) && (e & pte::kPaePdpteReserved)) raise(Vector::GP, 0);
    }
}

void Mmu::fold_front_hits() const {
    // Front hits while paging is off were no TLB lookups; with paging on each was a hit.
    if (state_.mode != PagingMode::None) {
        stats_.dtlb.lookups += fast_hits_;
        stats_.dtlb.hits += fast_hits_;
        stats_.itlb.lookups += fast_code_hits_;
        stats_.itlb.hits += fast_code_hits_;
    }
    fast_hits_ = 0;
    fast_code_hits_ = 0;
}

void Mmu::write_cr0(u32 value) {
    const u32 changed = cr_.cr0 ^ value;
    u64 pdpte[4];
    const bool load = mode_of(value, cr_.cr4) == PagingMode::Pae && (changed & (cr0::kPG | cr0::kCD | cr0::kNW));
    if (load) load_pdptes(cr_.cr3, pdpte);
    fold_front_hits();
    cr_.cr0 = value;
    if (load) std::copy(std::begin(pdpte), std::end(pdpte), state_.pdpte);
    sync_state();
    if (changed & (cr0::kPG | cr0::kPE)) {
        flush(FlushScope::All, TlbFlushCause::Cr0Change);
    } else if (changed & cr0::kWP) {
        flush_front();  // the front caches write decisions, which depend on WP
    }
}

void Mmu::write_cr3(u32 value) {
    u64 pdpte[4];
    const bool load = state_.mode == PagingMode::Pae;
    if (load) load_pdptes(value, pdpte);
    cr_.cr3 = value;
    if (load) std::copy(std::begin(pdpte), std::end(pdpte), state_.pdpte);
    sync_state();
    flush(FlushScope::NonGlobal, TlbFlushCause::Cr3Write);
}

void Mmu::write_cr4(u32 value) {
    const u32 changed = cr_.cr4 ^ value;
    u64 pdpte[4];
    const bool load = mode_of(cr_.cr0, value) == PagingMode::Pae && (changed & (cr4::kPAE | cr4::kPGE | cr4::kPSE));
    if (load) load_pdptes(cr_.cr3, pdpte);
    fold_front_hits();
    cr_.cr4 = value;
    if (load) std::copy(std::begin(pdpte), std::end(pdpte), state_.pdpte);
    sync_state();
    if (changed & (cr4::kPGE | cr4::kPAE | cr4::kPSE)) flush(FlushScope::All, TlbFlushCause::Cr4Change);
}

void Mmu::write_efer(u64 value) {
    const bool nxe_changed = (cr_.efer ^ value) & efer::kNXE;
    cr_.efer = value;
    sync_state();
    if (nxe_changed) flush_front();  // fetch decisions cached in front depend on NXE
}

void Mmu::set_a20(bool enabled) {
    u64 mask = enabled ? ~u64{0} : ~(u64{1} << 20);
    if (mask != a20_mask_) {
        a20_mask_ = mask;
        sync_state();
        flush_front();
    }
}

unsigned Mmu::invalidate_page(u32 lin) {
    clear_fetch_page();
    unsigned total = 0;
    for (TlbKind kind : {TlbKind::Instruction, TlbKind::Data}) {
        const unsigned n = tlb(kind).remove_if([lin](const TlbEntry& e) { return e.covers(lin); },
                                               [this, kind](const TlbEntry& e) { drop_front(e, kind); });
        tlb_stats(kind).entries_invalidated += n;
        total += n;
    }
    return total;
}

void Mmu::invlpg(LinearAddr at) {
    const u32 lin = at.value;
    ++stats_.itlb.flush_invlpg;
    ++stats_.dtlb.flush_invlpg;
    clear_fetch_page();  // whatever page it names: the rule stays simple
    const unsigned dropped = invalidate_page(lin);
    if (sink_) sink_->on_tlb_flush({cycles_, TlbFlushCause::Invlpg, lin, dropped});
}

void Mmu::flush(FlushScope scope, TlbFlushCause cause) {
    clear_fetch_page();
    unsigned dropped = 0;
    for (TlbKind kind : {TlbKind::Instruction, TlbKind::Data}) {
        TlbStats& st = tlb_stats(kind);
        unsigned n;
        if (scope == FlushScope::All) {
            n = tlb(kind).remove_if([](const TlbEntry&) { return true; }, [](const TlbEntry&) {});
        } else {
            n = tlb(kind).remove_if([](const TlbEntry& e) { return !e.global; },
                                    [this, kind](const TlbEntry& e) { drop_front(e, kind); });
        }
        st.entries_invalidated += n;
        switch (cause) {
            case TlbFlushCause::Cr3Write: ++st.flush_cr3; break;
            case TlbFlushCause::Cr0Change:
            case TlbFlushCause::Cr4Change:
            case TlbFlushCause::EferChange: ++st.flush_cr4_cr0; break;
            case TlbFlushCause::Invlpg:
            case TlbFlushCause::Reset: break;
        }
        dropped += n;
    }
    if (scope == FlushScope::All) flush_front();
    if (sink_) sink_->on_tlb_flush({cycles_, cause, 0, dropped});
}

void Mmu::flush_all() {
    fold_front_hits();
    sync_state();
    if (state_.mode == PagingMode::Pae) {
        // Re-read the PDPTEs without the #GP check: this is not a guest instruction.
        const u64 base = cr_.cr3 & pte::kPaePdptBase;
        for (unsigned i = 0; i < 4; ++i) state_.pdpte[i] = bus_.read(PhysAddr{(base + i * 8) & a20_mask_}, 8);
    }
    flush(FlushScope::All, TlbFlushCause::Reset);
}

void Mmu::configure_tlb(const TlbConfig& config) {
    std::string why;
    for (auto [g, name] : {std::pair{config.itlb_4k, "itlb 4k"}, std::pair{config.itlb_large, "itlb large"},
                           std::pair{config.dtlb_4k, "dtlb 4k"}, std::pair{config.dtlb_large, "dtlb large"}}) {
        why = check_geometry(g, name);
        if (!why.empty()) throw std::invalid_argument("bad TLB geometry: " + why);
    }
    config_ = config;
    itlb_.small.configure(config.itlb_4k);
    itlb_.large.configure(config.itlb_large);
    dtlb_.small.configure(config.dtlb_4k);
    dtlb_.large.configure(config.dtlb_large);
    sync_state();
    flush_front();
}

const MmuStats& Mmu::stats() const {
    fold_front_hits();
    return stats_;
}

void Mmu::reset_stats() {
    fast_hits_ = 0;
    fast_code_hits_ = 0;
    stats_ = MmuStats{};
}

void Mmu::set_coherence_checker(bool on) {
    checker_ = on;
    // Entries already in front would hide hits from the checker.
    if (on) flush_front();
}

void Mmu::set_hit_tracking(bool on) {
    track_hits_ = on;
    if (on) flush_front();  // as for the checker: no hit may bypass the model
}

}  // namespace hm

namespace hm {

bool Mmu::restore_host_side() {
    flush_front();
    fetch_host_ = nullptr;
    if (fetch_tag_ == kNoFetchPage) return true;
    const u32 priv = fetch_tag_ & 0xFFF;
    if (priv > static_cast<u32>(Priv::User) || (fetch_phys_ & 0xFFF) || fetch_phys_ >= kMaxPhysAddr) return false;
    fetch_host_ = bus_.page_host(PhysAddr{fetch_phys_}).read;
    return true;
}

}  // namespace hm
