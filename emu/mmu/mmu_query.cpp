// Side-effect-free views of the MMU for the debugger, the diagnostic device and
// tools: the pure walk, probes and the TLB contents. None of these counts, fills,
// evicts or writes anything.
#include <cstdio>
#include <cstring>

#include "mem/host_access.hpp"
#include "mmu/mmu.hpp"

namespace hm {

namespace {
// Reads RAM, ROM and device RAM directly; refuses MMIO (a device read may have side
// effects) and reports all ones for it and for open bus.
u64 peek_entry_read(void* ctx, u64 pa, unsigned size, bool& device) {
    const Bus& bus = *static_cast<const Bus*>(ctx);
    const PageHost h = bus.page_host(PhysAddr{pa});
    if (h.read) return host_load(h.read + (pa & 0xFFF), size);
    const Bus::Region* r = bus.find_region(PhysAddr{pa});
    if (r && r->kind == Bus::Region::Kind::Mmio) device = true;
    return size == 8 ? ~u64{0} : 0xFFFFFFFFu;
}
}  // namespace

EntryReader pure_entry_reader(const Bus& bus) { return {peek_entry_read, const_cast<Bus*>(&bus)}; }

WalkResult Mmu::pure_walk(u32 lin, Access a, Priv p) const {
    return walk_page_tables(state_, LinearAddr{lin}, a, p, pure_entry_reader(bus_));
}

WalkResult Mmu::walk(LinearAddr lin, Access a, Priv p) const { return pure_walk(lin.value, a, p); }

std::optional<PhysAddr> Mmu::probe(LinearAddr at, Access a, Priv p) const {
    const u32 lin = at.value;
    if (state_.mode == PagingMode::None) return PhysAddr{u64{lin} & a20_mask_};
    const TlbKind kind = a == Access::Execute ? TlbKind::Instruction : TlbKind::Data;
    if (const TlbEntry* e = tlb(kind).find(lin)) {
        if (!access_allowed(e->writable, e->user, e->nx, a, p, state_)) return std::nullopt;
        if (a != Access::Write || e->dirty) return PhysAddr{e->phys(lin) & a20_mask_};
        // A clean entry: the CPU would walk to set D.
    }
    const WalkResult w = pure_walk(lin, a, p);
    if (!w.ok()) return std::nullopt;
    return w.phys;
}

u32 Mmu::probe_tlb(LinearAddr at) const {
    const u32 lin = at.value;
    u32 bits = 0;
    for (TlbKind kind : {TlbKind::Instruction, TlbKind::Data}) {
        const TlbEntry* e = tlb(kind).find(lin);
        if (!e) continue;
        bits |= kind == TlbKind::Instruction ? tlb_probe::kItlb : tlb_probe::kDtlb;
        if (e->size_log2 != 12) bits |= tlb_probe::kLarge;
        if (e->global) bits |= tlb_probe::kGlobal;
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
            v.hits = e.hits;
            const WalkResult w = pure_walk(e.lin_base, Access::Read, Priv::Supervisor);
            v.matches_memory = w.mapped && w.frame.value == e.frame && w.page_size_log2 == e.size_log2 &&
                               w.writable == e.writable && w.user == e.user && w.nx == e.nx &&
                               (w.dirty || !e.dirty);
            out.push_back(v);
        }
    }
    return out;
}

std::string Mmu::check_front_invariant() const {
    char buf[160];
    for (unsigned p = 0; p < 2; ++p) {
        const Priv priv = static_cast<Priv>(p);
        for (unsigned i = 0; i < kFastEntries; ++i) {
            const FastTlbEntry& f = fast_[p][i];
            const struct {
                u32 tag;
                Access a;
            } tags[] = {{f.read_tag, Access::Read}, {f.write_tag, Access::Write}, {f.exec_tag, Access::Execute}};
            for (const auto& t : tags) {
                // Plain copies, not a structured binding: clang 14 (the fuzz tree)
                // cannot capture bindings in the lambda below.
                const u32 tag = t.tag;
                const Access a = t.a;
                if (tag == FastTlbEntry::kInvalidTag) continue;
                auto fail = [&](const char* why) {
                    std::snprintf(buf, sizeof buf, "front[%u][%u] %s tag 0x%08x: %s", p, i, access_name(a), tag, why);
                    return std::string(buf);
                };
                if (((tag >> 12) & (kFastEntries - 1)) != i) return fail("tag in the wrong slot");
                const PageHost h = bus_.page_host(PhysAddr{f.phys_page});
                if (f.host != h.read) return fail("host pointer differs from the bus's");
                if (a == Access::Write && (h.write != h.read || is_code_page(f.phys_page))) return fail("write tag on a page that must take the slow path");
                if (state_.mode == PagingMode::None) {
                    if (f.phys_page != (u64{tag} & a20_mask_)) return fail("paging off but not identity");
                    continue;
                }
                if (checker_ || track_hits_) return fail("front entry while the checker or hit tracking is on");
                const TlbEntry* e = tlb(a == Access::Execute ? TlbKind::Instruction : TlbKind::Data).find(tag);
                if (!e) return fail("no modelled TLB entry");
                if ((e->phys(tag) & a20_mask_) != f.phys_page) return fail("physical page differs from the TLB entry");
                if (!access_allowed(e->writable, e->user, e->nx, a, priv, state_)) return fail("access not allowed by the TLB entry");
                if (a == Access::Write && !e->dirty) return fail("write tag on a clean TLB entry");
            }
        }
    }
    return {};
}

}  // namespace hm
