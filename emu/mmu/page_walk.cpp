#include "mmu/page_walk.hpp"

#include "core/fault.hpp"
#include "mem/bus.hpp"
#include "mmu/paging_bits.hpp"

namespace hm {

bool access_allowed(bool writable, bool user, bool nx, Access a, Priv p, const PagingState& s) {
    const bool is_user = p == Priv::User;
    if (is_user && !user) return false;
    switch (a) {
        case Access::Read: return true;
        case Access::Write: return writable || (!is_user && !s.wp);
        case Access::Execute: return !(nx && s.nxe && s.mode == PagingMode::Pae);
    }
    return false;
}

u32 page_fault_error_code(FaultKind k, Access a, Priv p, const PagingState& s) {
    u32 code = 0;
    if (k != FaultKind::NotPresent) code |= pf_error::kPresent;
    if (k == FaultKind::ReservedBit) code |= pf_error::kReservedBit;
    if (a == Access::Write) code |= pf_error::kWrite;
    if (p == Priv::User) code |= pf_error::kUser;
    if (a == Access::Execute && s.mode == PagingMode::Pae && s.nxe) code |= pf_error::kInstructionFetch;
    return code;
}

u32 walk_flags(const WalkResult& w) {
    if (!w.mapped) return 0;
    u32 f = static_cast<u32>(pte::kPresent);
    if (w.writable) f |= pte::kWritable;
    if (w.user) f |= pte::kUser;
    if (w.accessed) f |= pte::kAccessed;
    if (w.dirty) f |= pte::kDirty;
    if (w.global) f |= pte::kGlobal;
    if (w.nx) f |= pte::kFlagNoExecute;
    return f;
}

namespace {

// Walk state shared by the two formats. The result is a reference to the caller's
// return slot (NRVO): building it in a member and copying it out cost a third of the
// TLB-churn benchmark (a `rep stos` and store-forwarding stalls on the copy).
// `Reader` is either the pure EntryReader (a function pointer) or the MMU's direct
// bus reader; templating keeps one walker with no indirect call on the MMU's path.
template <typename Reader>
struct Walker {
    const PagingState& s;
    u32 lin;
    Access a;
    Priv p;
    Reader reader;
    WalkResult& r;

    u64 read_entry(u64 addr, unsigned size) {
        addr &= s.a20_mask;
        bool device = false;
        u64 v = reader(addr, size, device);
        if (device) r.touched_device = true;
        WalkEntry& e = r.entry[r.levels++];
        e.addr = addr;
        e.value = v;
        ++r.memory_reads;
        return v;
    }

    WalkResult& fail(FaultKind k) {
        r.outcome = k == FaultKind::NotPresent    ? WalkOutcome::NotPresent
                    : k == FaultKind::ReservedBit ? WalkOutcome::ReservedBit
                                                  : WalkOutcome::Protection;
        r.error_code = page_fault_error_code(k, a, p, s);
        return r;
    }

    // Common tail once the leaf is known: rights, then the A/D bits to set.
    WalkResult& finish(u64 leaf, unsigned leaf_level, u64 frame, u8 size_log2) {
        r.mapped = true;
        r.page_size_log2 = size_log2;
        r.frame = PhysAddr{frame};
        r.lin_base = LinearAddr{lin & ~static_cast<u32>(r.page_mask())};
        r.phys = PhysAddr{(frame | (lin & r.page_mask())) & s.a20_mask};
        r.global = s.pge && (leaf & pte::kGlobal);
        r.dirty = (leaf & pte::kDirty) != 0;
        r.accessed = (leaf & pte::kAccessed) != 0;
        if (!access_allowed(r.writable, r.user, r.nx, a, p, s)) return fail(FaultKind::Protection);
        if (!r.accessed) r.set_accessed |= static_cast<u8>(1u << leaf_level);
        if (a == Access::Write && !r.dirty) r.set_dirty = true;
        return r;
    }

    // A non-leaf entry used to reach the next level gets its A bit.
    void used(u64 entry, unsigned level) {
        if (!(entry & pte::kAccessed)) r.set_accessed |= static_cast<u8>(1u << level);
    }

    void combine(u64 entry) {
        r.writable = r.writable && (entry & pte::kWritable);
        r.user = r.user && (entry & pte::kUser);
        r.nx = r.nx || (entry & pte::kNoExecute);
    }

    WalkResult& two_level() {
        r.writable = r.user = true;
        const u64 pde = read_entry((s.cr3 & pte::kTwoLevelFrame) | ((lin >> 22) << 2), 4);
        if (!(pde & pte::kPresent)) return fail(FaultKind::NotPresent);
        if (s.pse && (pde & pte::kPageSize)) {
            if (pde & pte::kTwoLevelLargeReserved) return fail(FaultKind::ReservedBit);
            combine(pde);
            const u64 frame = (pde & pte::kTwoLevelLargeFrame) | ((pde & pte::kPse36HighBits) << 19);
            return finish(pde, 0, frame, 22);
        }
        combine(pde);
        used(pde, 0);
        const u64 pte_value = read_entry((pde & pte::kTwoLevelFrame) | (((lin >> 12) & 0x3FF) << 2), 4);
        if (!(pte_value & pte::kPresent)) return fail(FaultKind::NotPresent);
        combine(pte_value);
        return finish(pte_value, 1, pte_value & pte::kTwoLevelFrame, 12);
    }

    WalkResult& pae() {
        r.writable = r.user = true;
        const unsigned idx = lin >> 30;
        const u64 pdpte = s.pdpte[idx];
        WalkEntry& top = r.entry[r.levels++];
        top.addr = ((s.cr3 & pte::kPaePdptBase) + idx * 8) & s.a20_mask;
        top.value = pdpte;
        top.from_register = true;
        if (!(pdpte & pte::kPresent)) return fail(FaultKind::NotPresent);
        // A guest MOV never loads reserved PDPTE bits (#GP); a debugger or reset reload
        // may, and such a register maps nothing.
        if (pdpte & pte::kPaePdpteReserved) return fail(FaultKind::ReservedBit);

        const u64 reserved = pte::kPaeAboveMaxPhys | (s.nxe ? 0 : pte::kNoExecute);
        const u64 pde = read_entry((pdpte & pte::kPaeFrame) | (((lin >> 21) & 0x1FF) << 3), 8);
        if (!(pde & pte::kPresent)) return fail(FaultKind::NotPresent);
        if (pde & pte::kPageSize) {
            if (pde & (reserved | pte::kPaeLargeReserved)) return fail(FaultKind::ReservedBit);
            combine(pde);
            return finish(pde, 1, pde & pte::kPaeLargeFrame, 21);
        }
        if (pde & reserved) return fail(FaultKind::ReservedBit);
        combine(pde);
        used(pde, 1);
        const u64 pte_value = read_entry((pde & pte::kPaeFrame) | (((lin >> 12) & 0x1FF) << 3), 8);
        if (!(pte_value & pte::kPresent)) return fail(FaultKind::NotPresent);
        if (pte_value & reserved) return fail(FaultKind::ReservedBit);
        combine(pte_value);
        return finish(pte_value, 2, pte_value & pte::kPaeFrame, 12);
    }
};

template <typename Reader>
void walk_into(WalkResult& r, const PagingState& s, u32 lin, Access a, Priv p, Reader reader) {
    Walker<Reader> w{s, lin, a, p, reader, r};
    r.mode = s.mode;
    switch (s.mode) {
        case PagingMode::None:
            r.mapped = true;
            r.writable = r.user = true;
            r.lin_base = LinearAddr{lin & ~0xFFFu};
            r.frame = PhysAddr{r.lin_base.value & s.a20_mask};
            r.phys = PhysAddr{u64{lin} & s.a20_mask};
            return;
        case PagingMode::TwoLevel: w.two_level(); return;
        case PagingMode::Pae: w.pae(); return;
    }
}

}  // namespace

WalkResult walk_page_tables(const PagingState& s, LinearAddr lin, Access a, Priv p, EntryReader reader) {
    WalkResult r;
    walk_into(r, s, lin.value, a, p, [reader](u64 pa, unsigned size, bool& device) { return reader.read(reader.ctx, pa, size, device); });
    return r;
}

WalkResult walk_page_tables(const PagingState& s, LinearAddr lin, Access a, Priv p, Bus& bus) {
    WalkResult r;
    walk_into(r, s, lin.value, a, p, [&bus](u64 pa, unsigned size, bool&) { return bus.read(PhysAddr{pa}, size); });
    return r;
}

}  // namespace hm
