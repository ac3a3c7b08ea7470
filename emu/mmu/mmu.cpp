// The MMU's slow path: modelled TLB lookup, page walk on a miss, TLB and front fills,
// #PF. Everything here runs only when the front array missed.
#include "mmu/mmu.hpp"

#include <bit>

#include <vector>

#include "mem/host_access.hpp"
#include "mmu/paging_bits.hpp"
#include "mmu/walk_cost.hpp"

namespace hm {

// One bit per 4 KiB physical page of the 36-bit space: 2 MiB, allocated once.
struct Mmu::CodePageSet {
    std::vector<u64> bits = std::vector<u64>((kMaxPhysAddr >> 12) / 64);
    bool test(u64 pn) const { return (bits[pn >> 6] >> (pn & 63)) & 1; }
    void set(u64 pn) { bits[pn >> 6] |= u64{1} << (pn & 63); }
    void clear(u64 pn) { bits[pn >> 6] &= ~(u64{1} << (pn & 63)); }
};

Mmu::Mmu(Bus& bus, ControlRegs& cr, u64& cycles)
    : bus_(bus), cr_(cr), cycles_(cycles), code_pages_(new CodePageSet) {
    configure_tlb(config_);
    sync_state();
}

Mmu::~Mmu() { delete code_pages_; }

bool Mmu::owns_code_page(u64 phys) const {
    u64 pn = phys >> 12;
    return pn < (kMaxPhysAddr >> 12) && code_pages_->test(pn);
}

bool Mmu::is_code_page(u64 phys) const {
    if (code_peers_.empty()) return owns_code_page(phys);
    for (const Mmu* m : code_peers_) {
        if (m->owns_code_page(phys)) return true;
    }
    return false;
}

void Mmu::notify_code_write(u64 phys, unsigned size) {
    if (code_peers_.empty()) {
        if (code_hook_) code_hook_(code_hook_ctx_, PhysAddr{phys}, size);
        return;
    }
    // Every CPU whose decode cache holds code from the page hears of the store,
    // whichever CPU made it.
    for (Mmu* m : code_peers_) {
        if (m->code_hook_ && m->owns_code_page(phys)) m->code_hook_(m->code_hook_ctx_, PhysAddr{phys}, size);
    }
}

void Mmu::share_code_pages(std::vector<Mmu*> peers) { code_peers_ = std::move(peers); }

void Mmu::drop_write_tags(u64 page) {
    for (auto& arr : fast_) {
        for (FastTlbEntry& e : arr) {
            if (e.phys_page == page) e.write_tag = FastTlbEntry::kInvalidTag;
        }
    }
}

u64 Mmu::translate(u32 lin, Access a, Priv p) {
    if (state_.mode == PagingMode::None) {
        const u64 phys = u64{lin} & a20_mask_;
        fill_front(lin, phys & ~u64{0xFFF}, p, true, true, true);
        return phys;
    }
    const TlbKind kind = a == Access::Execute ? TlbKind::Instruction : TlbKind::Data;
    TlbStats& st = tlb_stats(kind);
    ++st.lookups;
    if (TlbEntry* e = tlb(kind).find(lin)) {
        // Rights come from the entry, not from memory: a stale read-only entry faults
        // even if the PTE is now writable (the "spurious" #PF of SDM 4.10.4.3).
        if (!access_allowed(e->writable, e->user, e->nx, a, p, state_)) {
            ++st.hits;
            ++e->hits;
            page_fault(lin, page_fault_error_code(FaultKind::Protection, a, p, state_));
        }
        // A write through an entry cached clean walks again to set D in memory: the
        // entry cannot serve it, so it counts as a miss.
        if (a != Access::Write || e->dirty) {
            ++st.hits;
            ++e->hits;
            if (checker_) check_coherence(*e, kind, lin, a, p);
            fill_front_from(*e, kind, lin, p);
            return e->phys(lin) & a20_mask_;
        }
    }
    ++st.misses;
    return walk_and_fill(kind, lin, a, p);
}

u64 Mmu::walk_and_fill(TlbKind kind, u32 lin, Access a, Priv p) {
    const WalkResult w = walk_page_tables(state_, LinearAddr{lin}, a, p, bus_);  // reads entries through the bus
    apply_walk(w, kind, lin, a, p);
    if (!w.ok()) page_fault(lin, w.error_code);

    TlbEntry fresh;
    fresh.lin_base = w.lin_base.value;
    fresh.frame = w.frame.value;
    fresh.size_log2 = w.page_size_log2;
    fresh.writable = w.writable;
    fresh.user = w.user;
    fresh.nx = w.nx;
    fresh.global = w.global;
    fresh.dirty = w.dirty || w.set_dirty;

    Tlb& t = tlb(kind);
    // A clean entry being made dirty is replaced, not duplicated.
    if (TlbEntry* old = t.find(lin)) {
        drop_front(*old, kind);
        old->valid = false;
    }
    TlbStats& st = tlb_stats(kind);
    const bool small = w.page_size_log2 == 12;
    ++(small ? st.fills_4k : st.fills_large);
    TlbEntry evicted;
    if ((small ? t.small : t.large).insert(fresh, &evicted)) {
        ++st.evictions;
        drop_front(evicted, kind);
    }
    fill_front_from(fresh, kind, lin, p);
    return w.phys.value;
}

// The walk's side effects: A/D bits in memory, cycles, counters, the walk event.
void Mmu::apply_walk(const WalkResult& w, TlbKind kind, u32 lin, Access a, Priv p) {
    if (HM_UNLIKELY(pte_log_ != nullptr)) note_walked_entries(w);
    unsigned writes = 0;
    for (unsigned i = 0; i < w.levels; ++i) {
        const bool set_a = (w.set_accessed >> i) & 1;
        const bool set_d = w.set_dirty && i + 1 == w.levels;
        if (!set_a && !set_d) continue;
        // A and D live in the entry's low byte; hardware updates it with a locked
        // read-modify-write, and writing that byte alone leaves the rest untouched.
        u8 low = static_cast<u8>(w.entry[i].value);
        if (set_a) low |= pte::kAccessed;
        if (set_d) low |= pte::kDirty;
        bus_.write(PhysAddr{w.entry[i].addr}, low, 1);
        if (is_code_page(w.entry[i].addr)) notify_code_write(w.entry[i].addr, 1);
        ++writes;
    }
    const u64 accesses = w.memory_reads + writes;
    TlbStats& st = tlb_stats(kind);
    ++st.walks;
    st.walk_memory_accesses += accesses;
    cycles_ += accesses * walk_access_cycles_;

    if (sink_) {
        PageWalkEvent ev{};
        ev.cycle = cycles_;
        ev.linear = lin;
        ev.access = static_cast<u8>(a);
        ev.user = p == Priv::User;
        ev.pae = w.mode == PagingMode::Pae;
        ev.levels = w.levels;
        for (unsigned i = 0; i < w.levels; ++i) {
            ev.entry_addr[i] = w.entry[i].addr;
            ev.entry_value[i] = w.entry[i].value;
        }
        ev.set_accessed = w.set_accessed;
        ev.set_dirty = w.set_dirty;
        ev.faulted = !w.ok();
        ev.page_size_log2 = w.ok() ? w.page_size_log2 : 0;
        ev.error_code = w.error_code;
        ev.phys = w.ok() ? w.phys.value : 0;
        sink_->on_page_walk(ev);
    }
}

void Mmu::page_fault(u32 lin, u32 error_code) {
    cr_.cr2 = lin;
    ++stats_.page_faults;
    // A #PF drops every TLB entry for the faulting page (SDM 4.10.4.1), so a fault
    // caused by a stale entry does not recur once the tables allow the access.
    invalidate_page(lin);
    raise(Vector::PF, error_code);
}

void Mmu::fill_front_from(const TlbEntry& e, TlbKind kind, u32 lin, Priv p) {
    // The checker and hit tracking must see every hit: with either on, nothing is
    // cached in front.
    if (checker_ || track_hits_) return;
    const u64 phys_page = e.phys(lin & ~0xFFFu) & a20_mask_;
    if (e.size_log2 != 12) {
        const unsigned slot = (lin >> 12) & (kFastEntries - 1);
        large_slots_[static_cast<unsigned>(kind)][static_cast<unsigned>(p)][slot / 64] |= u64{1} << (slot % 64);
    }
    if (kind == TlbKind::Instruction) {
        fill_front(lin, phys_page, p, false, false, access_allowed(e.writable, e.user, e.nx, Access::Execute, p, state_));
    } else {
        fill_front(lin, phys_page, p, access_allowed(e.writable, e.user, e.nx, Access::Read, p, state_),
                   e.dirty && access_allowed(e.writable, e.user, e.nx, Access::Write, p, state_), false);
    }
}

void Mmu::fill_front(u32 lin, u64 phys_page, Priv p, bool read, bool write, bool exec) {
    FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
    const u32 tag = lin & ~0xFFFu;
    // One slot holds one linear page at one physical page: a different page (or the
    // ITLB and DTLB disagreeing about this one) replaces the whole slot.
    if (e.phys_page != phys_page || (e.read_tag != tag && e.write_tag != tag && e.exec_tag != tag)) {
        e = FastTlbEntry{};
    }
    if (HM_UNLIKELY(watch_hook_)) {  // watched pages stay on the slow path
        if (read && watched(lin, phys_page, Access::Read)) read = false;
        if (write && watched(lin, phys_page, Access::Write)) write = false;
    }
    const PageHost h = bus_.page_host(PhysAddr{phys_page});
    e.phys_page = phys_page;
    e.host = h.read;
    if (read && h.read) e.read_tag = tag;
    if (write && h.write && h.write == h.read && !is_code_page(phys_page)) e.write_tag = tag;
    if (exec) e.exec_tag = tag;
}

void Mmu::drop_front(const TlbEntry& e, TlbKind kind) {
    if (kind == TlbKind::Instruction) clear_fetch_page();  // the register may hold this entry
    auto clear = [kind](FastTlbEntry& f, u32 tag) {
        if (kind == TlbKind::Instruction) {
            if (f.exec_tag == tag) f.exec_tag = FastTlbEntry::kInvalidTag;
        } else {
            if (f.read_tag == tag) f.read_tag = FastTlbEntry::kInvalidTag;
            if (f.write_tag == tag) f.write_tag = FastTlbEntry::kInvalidTag;
        }
    };
    if (e.size_log2 == 12) {
        for (auto& arr : fast_) clear(arr[(e.lin_base >> 12) & (kFastEntries - 1)], e.lin_base);
        return;
    }
    // A large entry may have fed any slot inside its range, but only slots marked in
    // large_slots_ hold tags that came from a large entry of this kind.
    for (unsigned p = 0; p < fast_.size(); ++p) {
        SlotMask& mask = large_slots_[static_cast<unsigned>(kind)][p];
        for (unsigned w = 0; w < mask.size(); ++w) {
            for (u64 bits = mask[w]; bits != 0; bits &= bits - 1) {
                const unsigned b = static_cast<unsigned>(std::countr_zero(bits));
                FastTlbEntry& f = fast_[p][w * 64 + b];
                for (u32 tag : {f.read_tag, f.write_tag, f.exec_tag}) {
                    if (tag != FastTlbEntry::kInvalidTag && e.covers(tag)) clear(f, tag);
                }
                // Keep the mark while the slot still holds a tag of this kind (it may
                // come from another large entry).
                const bool none_left = kind == TlbKind::Instruction
                                           ? f.exec_tag == FastTlbEntry::kInvalidTag
                                           : f.read_tag == FastTlbEntry::kInvalidTag && f.write_tag == FastTlbEntry::kInvalidTag;
                if (none_left) mask[w] &= ~(u64{1} << b);
            }
        }
    }
}

void Mmu::flush_front() {
    for (auto& arr : fast_) arr.fill(FastTlbEntry{});
    for (auto& kind : large_slots_)
        for (SlotMask& mask : kind) mask.fill(0);
}

u64 Mmu::read_slow(u32 lin, unsigned size, Priv p, Access a) {
    u32 first_room = kPageSize - (lin & 0xFFF);
    if (size <= first_room) {
        u64 phys = translate(lin, a, p);
        // The translation usually just filled the front entry: read through its host
        // pointer rather than asking the bus again.
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        if (e.read_tag == (lin & ~0xFFFu)) return host_load(e.host + (lin & 0xFFF), size);
        const u64 v = bus_.read(PhysAddr{phys}, size);
        if (HM_UNLIKELY(watch_hook_)) report_watch(lin, phys, size, Access::Read, v, v);
        return v;
    }
    // Crosses a page: translate both halves before touching memory.
    u64 phys_lo = translate(lin, a, p);
    u64 phys_hi = translate(lin + first_room, a, p);
    u64 lo = bus_.read(PhysAddr{phys_lo}, first_room);
    u64 hi = bus_.read(PhysAddr{phys_hi}, size - first_room);
    if (HM_UNLIKELY(watch_hook_)) {
        report_watch(lin, phys_lo, first_room, Access::Read, lo, lo);
        report_watch(lin + first_room, phys_hi, size - first_room, Access::Read, hi, hi);
    }
    return lo | (hi << (8 * first_room));
}

void Mmu::write_slow(u32 lin, u64 v, unsigned size, Priv p) {
    u32 first_room = kPageSize - (lin & 0xFFF);
    if (size <= first_room) {
        u64 phys = translate(lin, Access::Write, p);
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        if (HM_UNLIKELY(pte_log_ != nullptr)) note_store(phys, size);
        if (e.write_tag == (lin & ~0xFFFu)) {  // RAM, not a code page (see fill_front)
            host_store(e.host + (lin & 0xFFF), v, size);
            return;
        }
        const u64 old = HM_UNLIKELY(watch_hook_) ? peek_old_value(phys, size) : 0;
        bus_.write(PhysAddr{phys}, v, size);
        if (is_code_page(phys)) notify_code_write(phys, size);
        if (HM_UNLIKELY(watch_hook_)) report_watch(lin, phys, size, Access::Write, v, old);
        return;
    }
    u64 phys_lo = translate(lin, Access::Write, p);
    u64 phys_hi = translate(lin + first_room, Access::Write, p);
    const unsigned size_hi = size - first_room;
    const u64 old_lo = HM_UNLIKELY(watch_hook_) ? peek_old_value(phys_lo, first_room) : 0;
    const u64 old_hi = HM_UNLIKELY(watch_hook_) ? peek_old_value(phys_hi, size_hi) : 0;
    bus_.write(PhysAddr{phys_lo}, v, first_room);
    bus_.write(PhysAddr{phys_hi}, v >> (8 * first_room), size_hi);
    if (HM_UNLIKELY(pte_log_ != nullptr)) {
        note_store(phys_lo, first_room);
        note_store(phys_hi, size_hi);
    }
    if (is_code_page(phys_lo)) notify_code_write(phys_lo, first_room);
    if (is_code_page(phys_hi)) notify_code_write(phys_hi, size_hi);
    if (HM_UNLIKELY(watch_hook_)) {
        const u64 lo_mask = (u64{1} << (8 * first_room)) - 1;  // first_room < 8 here
        report_watch(lin, phys_lo, first_room, Access::Write, v & lo_mask, old_lo);
        report_watch(lin + first_room, phys_hi, size_hi, Access::Write, v >> (8 * first_room), old_hi);
    }
}

CodeTranslation Mmu::translate_code_slow(u32 lin, Priv p) {
    const PhysAddr phys{translate(lin, Access::Execute, p)};
    PageHost h = bus_.page_host(phys);
    return {phys, h.read ? h.read + phys.page_offset() : nullptr};
}

void Mmu::protect_code_page(PhysAddr at) {
    const u64 phys = at.value;
    u64 pn = phys >> 12;
    if (pn >= (kMaxPhysAddr >> 12) || code_pages_->test(pn)) return;
    code_pages_->set(pn);
    const u64 page = phys & ~u64{0xFFF};
    if (code_peers_.empty()) return drop_write_tags(page);
    // Stores from any CPU to the page must now take the slow path.
    for (Mmu* m : code_peers_) m->drop_write_tags(page);
}

void Mmu::unprotect_code_page(PhysAddr phys) {
    u64 pn = phys.page_number();
    if (pn < (kMaxPhysAddr >> 12)) code_pages_->clear(pn);
}

}  // namespace hm
