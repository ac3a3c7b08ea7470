// Side-effect-free views of the MMU for the debugger, the diagnostic device and
// tools: the pure walk, probes and the TLB contents. None of these counts, fills,
// evicts or writes anything.
#include <cstring>

#include "devices/diag_protocol.hpp"
#include "mmu/mmu.hpp"

namespace hm {

namespace {
// Reads RAM, ROM and device RAM directly; refuses MMIO (a device read may have side
// effects) and reports all ones for it and for open bus.
u64 peek_entry_read(void* ctx, u64 pa, unsigned size, bool& device) {
    const Bus& bus = *static_cast<const Bus*>(ctx);
    const PageHost h = bus.page_host(pa);
    if (h.read) {
        u64 v = 0;
        std::memcpy(&v, h.read + (pa & 0xFFF), size);
        return v;
    }
    const Bus::Region* r = bus.find_region(pa);
    if (r && r->kind == Bus::Region::Kind::Mmio) device = true;
    return size == 8 ? ~u64{0} : 0xFFFFFFFFu;
}
}  // namespace

WalkResult Mmu::pure_walk(u32 lin, Access a, Priv p) const {
    return walk_page_tables(state_, lin, a, p, {peek_entry_read, const_cast<Bus*>(&bus_)});
}

WalkResult Mmu::walk(u32 lin, Access a, Priv p) const { return pure_walk(lin, a, p); }

std::optional<u64> Mmu::probe(u32 lin, Access a, Priv p) const {
    if (state_.mode == PagingMode::None) return u64{lin} & a20_mask_;
    const TlbKind kind = a == Access::Execute ? TlbKind::Instruction : TlbKind::Data;
    if (const TlbEntry* e = tlb(kind).find(lin)) {
        if (!access_allowed(e->writable, e->user, e->nx, a, p, state_)) return std::nullopt;
        if (a != Access::Write || e->dirty) return e->phys(lin) & a20_mask_;
        // A clean entry: the CPU would walk to set D.
    }
    const WalkResult w = pure_walk(lin, a, p);
    if (!w.ok()) return std::nullopt;
    return w.phys;
}

u32 Mmu::probe_tlb(u32 lin) const {
    u32 bits = 0;
    for (TlbKind kind : {TlbKind::Instruction, TlbKind::Data}) {
        const TlbEntry* e = tlb(kind).find(lin);
        if (!e) continue;
        bits |= kind == TlbKind::Instruction ? HM386_DIAG_PROBE_ITLB : HM386_DIAG_PROBE_DTLB;
        if (e->size_log2 != 12) bits |= HM386_DIAG_PROBE_LARGE;
        if (e->global) bits |= HM386_DIAG_PROBE_GLOBAL;
    }
    return bits;
}

std::vector<TlbEntryView> Mmu::tlb_entries(TlbKind kind) const {
    std::vector<TlbEntryView> out;
    const Tlb& t = tlb(kind);
    for (const TlbArray* arr : {&t.small, &t.large}) {
        const auto slots = arr->slots();
        for (size_t i = 0; i < slots.size(); ++i) {
            const TlbEntry& e = slots[i];
            if (!e.valid) continue;
            TlbEntryView v{};
            v.tlb = kind;
            v.large = arr == &t.large;
            v.set = static_cast<unsigned>(i / arr->ways());
            v.way = static_cast<unsigned>(i % arr->ways());
            v.lin_base = e.lin_base;
            v.frame = e.frame;
            v.page_size_log2 = e.size_log2;
            v.writable = e.writable;
            v.user = e.user;
            v.nx = e.nx;
            v.global = e.global;
            v.dirty = e.dirty;
            const WalkResult w = pure_walk(e.lin_base, Access::Read, Priv::Supervisor);
            v.matches_memory = w.mapped && w.frame == e.frame && w.page_size_log2 == e.size_log2 &&
                               w.writable == e.writable && w.user == e.user && w.nx == e.nx &&
                               (w.dirty || !e.dirty);
            out.push_back(v);
        }
    }
    return out;
}

}  // namespace hm
