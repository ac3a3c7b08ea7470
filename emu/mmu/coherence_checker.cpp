// The TLB coherence checker: finds a kernel's missing INVLPG the moment it matters.
//
// On every hit of the modelled TLB (the front array is bypassed while it is on) it
// walks the tables in memory without side effects, for the same access, and asks
// whether memory still supports what the TLB just did. It reports the first use of
// each entry for which it does not:
//   * the tables now fault this access (not present, reserved bit, or rights that
//     forbid it: a page made read-only, supervisor-only or NX without a flush), or
//   * they map the address to a different physical address, or
//   * the access is a write and the leaf's D bit in memory is now clear (the kernel
//     cleared D without a flush, so this write will not set it again).
// It stays silent on what hardware tolerates and correct kernels rely on: a cleared
// A bit (Linux ages pages that way without flushing), a changed G, PCD/PWT or page
// size with the same frame, and rights that grew (a stale entry with fewer rights
// faults instead, the spurious #PF that the fault's own invalidation cures). The
// walk uses the PDPTE registers, as a real miss would, so a PDPT edited without a
// CR3 reload is not a TLB matter. A walk that would read an MMIO device is skipped.
#include "mmu/mmu.hpp"
#include "mmu/paging_bits.hpp"

namespace hm {

namespace {
u32 entry_flags(const TlbEntry& e) {
    u32 f = static_cast<u32>(pte::kPresent | pte::kAccessed);
    if (e.writable) f |= pte::kWritable;
    if (e.user) f |= pte::kUser;
    if (e.dirty) f |= pte::kDirty;
    if (e.global) f |= pte::kGlobal;
    if (e.nx) f |= pte::kFlagNoExecute;
    return f;
}
u64 entry_bytes(const WalkResult& w) { return w.mode == PagingMode::Pae ? 8 : 4; }
}  // namespace

void Mmu::check_coherence(TlbEntry& e, TlbKind kind, u32 lin, Access a, Priv p) {
    if (e.stale_reported) return;
    const WalkResult w = pure_walk(lin, a, p);
    if (w.touched_device) return;
    const u64 tlb_phys = e.phys(lin) & a20_mask_;
    if (w.ok() && w.phys.value == tlb_phys && (a != Access::Write || w.dirty)) return;

    e.stale_reported = true;
    ++stats_.stale_reports;
    if (!sink_) return;
    StaleTranslationEvent ev{};
    ev.cycle = cycles_;
    ev.eip = eip_ ? *eip_ : 0;
    ev.linear = lin;
    ev.access = static_cast<u8>(a);
    ev.tlb_is_instruction = kind == TlbKind::Instruction;
    ev.tlb_phys = tlb_phys;
    ev.tlb_flags = entry_flags(e);
    ev.memory_present = w.mapped;
    ev.memory_phys = w.mapped ? w.phys.value : 0;
    ev.memory_flags = walk_flags(w);
    ev.cpu = cpu_index_;
    if (pte_log_) {
        // The latest recorded store into any entry this walk read: the change
        // that no invalidation brought to this CPU.
        for (unsigned i = 0; i < w.levels; ++i) {
            if (w.entry[i].from_register) continue;
            for (u64 word = w.entry[i].addr & ~u64{3}; word < w.entry[i].addr + entry_bytes(w); word += 4) {
                auto it = pte_log_->by_word.find(word);
                if (it == pte_log_->by_word.end() || it->second.cpu == PteWriteLog::kNobody) continue;
                if (ev.writer_cpu == PteWriteLog::kNobody || it->second.cycle >= ev.write_cycle) {
                    ev.writer_cpu = it->second.cpu;
                    ev.write_cycle = it->second.cycle;
                }
            }
        }
    }
    sink_->on_stale_translation(ev);
}

void Mmu::note_walked_entries(const WalkResult& w) {
    for (unsigned i = 0; i < w.levels; ++i) {
        if (w.entry[i].from_register) continue;
        for (u64 word = w.entry[i].addr & ~u64{3}; word < w.entry[i].addr + entry_bytes(w); word += 4) {
            pte_log_->by_word.try_emplace(word);
        }
    }
}

void Mmu::note_store(u64 phys, unsigned size) {
    for (u64 word = phys & ~u64{3}; word < phys + size; word += 4) {
        auto it = pte_log_->by_word.find(word);
        if (it != pte_log_->by_word.end()) it->second = {cpu_index_, cycles_};
    }
}

}  // namespace hm
