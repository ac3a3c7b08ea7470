// Paging views: one address's walk with every entry decoded, the TLB contents,
// and the page-table tree as ranges (with gdb-pt-dump style filters and the
// alias finder). All built on the MMU's pure walk; nothing here sets A/D bits,
// fills a TLB or counts.
#include <algorithm>
#include <cstdio>

#include "debug/debug_format.hpp"
#include "debug/debugger.hpp"
#include "debug/page_table_scan.hpp"
#include "mmu/paging_bits.hpp"

namespace hm::dbg {

namespace {

enum class Level : u8 { Pdpte, PdeTable, PdeLarge, Pte };

EntryBits decode(u64 v, Level level, PagingMode mode, bool nxe) {
    EntryBits b;
    b.present = v & pte::kPresent;
    b.write_through = v & pte::kWriteThrough;
    b.cache_disable = v & pte::kCacheDisable;
    const bool pae = mode == PagingMode::Pae;
    if (level != Level::Pdpte) {
        b.writable = v & pte::kWritable;
        b.user = v & pte::kUser;
        b.accessed = v & pte::kAccessed;
        b.page_size = (level == Level::PdeLarge) || (level == Level::PdeTable && (v & pte::kPageSize));
        if (level == Level::PdeLarge || level == Level::Pte) b.dirty = v & pte::kDirty;
        if (level == Level::PdeLarge || level == Level::Pte) b.global = v & pte::kGlobal;
        b.nx = pae && (v & pte::kNoExecute);
    }
    if (!pae) {
        b.address = level == Level::PdeLarge ? (v & pte::kTwoLevelLargeFrame) | ((v & pte::kPse36HighBits) << 19)
                                             : v & pte::kTwoLevelFrame;
        if (level == Level::PdeLarge) b.reserved = v & pte::kTwoLevelLargeReserved;
    } else {
        b.address = level == Level::PdeLarge ? v & pte::kPaeLargeFrame : v & pte::kPaeFrame;
        if (level == Level::Pdpte) b.reserved = v & pte::kPaePdpteReserved;
        else b.reserved = v & (pte::kPaeAboveMaxPhys | (nxe ? 0 : pte::kNoExecute) | (level == Level::PdeLarge ? pte::kPaeLargeReserved : 0));
    }
    if (!b.present) {
        b.text = "not present";
        return b;
    }
    std::string t = "P";
    if (level != Level::Pdpte) {
        t += b.writable ? " RW" : " RO";
        t += b.user ? " US" : " S";
    }
    if (b.write_through) t += " PWT";
    if (b.cache_disable) t += " PCD";
    if (b.accessed) t += " A";
    if (b.dirty) t += " D";
    if (b.page_size) t += " PS";
    if (b.global) t += " G";
    if (b.nx) t += " NX";
    if (b.reserved) {
        char r[40];
        std::snprintf(r, sizeof r, " RSVD(0x%llx)", static_cast<unsigned long long>(b.reserved));
        t += r;
    }
    b.text = t;
    return b;
}

std::optional<TlbEntryView> tlb_entry_for(const Mmu& mmu, TlbKind kind, u32 lin) {
    // A 4 KiB entry wins over a large one (the MMU's lookup order).
    std::optional<TlbEntryView> large;
    for (const TlbEntryView& e : mmu.tlb_entries(kind)) {
        if (((lin ^ e.lin_base) >> e.page_size_log2) != 0) continue;
        if (!e.large) return e;
        large = e;
    }
    return large;
}

bool same_rights(const PageRange& r, const Leaf& l) {
    return r.writable == l.writable && r.user == l.user && r.nx == l.nx && r.global == l.global;
}

PageRange range_of(const Leaf& l) {
    PageRange r;
    r.lin_start = l.lin;
    r.lin_end = l.end();
    r.phys_start = l.phys;
    r.page_size_log2 = l.size_log2;
    r.pages = 1;
    r.writable = l.writable;
    r.user = l.user;
    r.nx = l.nx;
    r.global = l.global;
    r.accessed = l.accessed;
    r.dirty = l.dirty;
    return r;
}

bool leaf_passes(const Leaf& l, const MapFilter& f) {
    if (f.writable && *f.writable != l.writable) return false;
    if (f.user && *f.user != l.user) return false;
    if (f.executable && *f.executable == l.nx) return false;
    if (f.global && *f.global != l.global) return false;
    return true;
}

}  // namespace

WalkView Debugger::walk(u32 lin, Access a, Priv p) const {
    const Mmu& mmu = m_.mmu(cpu_);
    const WalkResult w = mmu.walk(LinearAddr{lin}, a, p);
    WalkView v;
    v.linear = lin;
    v.access = a;
    v.priv = p;
    v.mode = w.mode;
    v.ok = w.ok();
    v.mapped = w.mapped;
    v.phys = w.phys.value;
    v.frame = w.frame.value;
    v.page_size_log2 = w.page_size_log2;
    v.writable = w.writable;
    v.user = w.user;
    v.nx = w.nx;
    v.global = w.global;
    v.error_code = w.error_code;
    const bool pae = w.mode == PagingMode::Pae;
    const bool nxe = mmu.paging_state().nxe;
    for (unsigned i = 0; i < w.levels; ++i) {
        WalkLevel l;
        const bool last = i + 1 == w.levels;
        Level kind;
        if (pae) {
            kind = i == 0 ? Level::Pdpte : i == 1 ? Level::PdeTable : Level::Pte;
            l.name = i == 0 ? "PDPTE" : i == 1 ? "PDE" : "PTE";
            l.index = i == 0 ? lin >> 30 : i == 1 ? (lin >> 21) & 0x1FF : (lin >> 12) & 0x1FF;
        } else {
            kind = i == 0 ? Level::PdeTable : Level::Pte;
            l.name = i == 0 ? "PDE" : "PTE";
            l.index = i == 0 ? lin >> 22 : (lin >> 12) & 0x3FF;
        }
        // A PDE is a leaf when it maps a large page (PS, and CR4.PSE under 2-level paging).
        const bool large = kind == Level::PdeTable && (w.entry[i].value & pte::kPageSize) &&
                           (pae || mmu.paging_state().pse) && (w.entry[i].value & pte::kPresent);
        if (large) kind = Level::PdeLarge;
        l.entry_addr = w.entry[i].addr;
        l.value = w.entry[i].value;
        l.from_register = w.entry[i].from_register;
        // What the entry is, not whether the walk succeeded: a PTE is a leaf even
        // when not present (drawn as a table pointer it read "-> table 0x0").
        l.leaf = kind == Level::Pte || kind == Level::PdeLarge;
        l.sets_accessed = (w.set_accessed >> i) & 1;
        l.sets_dirty = w.set_dirty && last;
        l.bits = decode(l.value, kind, w.mode, nxe);
        v.levels.push_back(l);
    }
    if (!w.ok()) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "#PF error 0x%04x (%s)", w.error_code, pf_error_text(w.error_code).c_str());
        v.fault = buf;
        const char* where = v.levels.empty() ? "" : v.levels.back().name;
        const char* why = w.outcome == WalkOutcome::NotPresent    ? "not present"
                          : w.outcome == WalkOutcome::ReservedBit ? "reserved bit set"
                                                                  : "rights deny the access";
        v.fault += std::string(": ") + why + (where[0] ? std::string(" at the ") + where : std::string());
    }
    v.itlb = tlb_entry_for(mmu, TlbKind::Instruction, lin);
    v.dtlb = tlb_entry_for(mmu, TlbKind::Data, lin);
    return v;
}

std::vector<TlbEntryView> Debugger::tlb(TlbKind kind) const { return m_.mmu(cpu_).tlb_entries(kind); }

std::vector<PageRange> Debugger::page_map(const MapFilter& filter, MapMerge merge) const {
    std::vector<PageRange> out;
    const u64 want_page = filter.phys_page ? (*filter.phys_page & ~u64{0xFFF}) : 0;
    scan_page_tables(m_.mmu(cpu_).paging_state(), m_.bus(), filter.lo, filter.hi, [&](const Leaf& leaf) {
        if (!leaf_passes(leaf, filter)) return;
        Leaf l = leaf;
        if (filter.phys_page) {
            // Only the 4 KiB piece of the leaf that maps the page asked for.
            if (want_page < l.phys || want_page >= l.phys + (u64{1} << l.size_log2)) return;
            l.lin = static_cast<u32>(l.lin + (want_page - l.phys));
            l.phys = want_page;
            l.size_log2 = 12;
        }
        if (!out.empty() && merge != MapMerge::None) {
            PageRange& r = out.back();
            const bool adjacent = r.lin_end == l.lin && same_rights(r, l);
            const bool phys_next = r.phys_contiguous && r.phys_start + (l.lin - r.lin_start) == l.phys;
            const bool ok = merge == MapMerge::Rights ? adjacent
                                                      : adjacent && phys_next && r.page_size_log2 == l.size_log2;
            if (ok) {
                r.lin_end = l.end();
                r.pages += 1;
                r.phys_contiguous = phys_next;
                r.accessed |= l.accessed;
                r.dirty |= l.dirty;
                return;
            }
        }
        out.push_back(range_of(l));
    });
    if (track_tables_ && !leaves_at_resume_.empty()) {
        // A range changed when any of its leaves differs from the snapshot taken at
        // the last resume (new, or another frame or other rights).
        for (PageRange& r : out) {
            scan_page_tables(m_.mmu(cpu_).paging_state(), m_.bus(), r.lin_start, r.lin_end, [&](const Leaf& l) {
                if (r.changed) return;
                auto it = std::lower_bound(leaves_at_resume_.begin(), leaves_at_resume_.end(), l.lin,
                                           [](const PageRange& p, u32 lin) { return p.lin_start < lin; });
                if (it == leaves_at_resume_.end() || it->lin_start != l.lin || it->phys_start != l.phys ||
                    it->page_size_log2 != l.size_log2 || !same_rights(*it, l)) {
                    r.changed = true;
                }
            });
        }
    } else if (track_tables_) {
        for (PageRange& r : out) r.changed = true;  // nothing was mapped at the last resume
    }
    return out;
}

std::vector<u32> Debugger::aliases(u64 phys) const {
    if (phys >= kMaxPhysAddr) throw DebugError("aliases: physical address beyond the 36-bit space");
    MapFilter f;
    f.phys_page = phys;
    std::vector<u32> out;
    for (const PageRange& r : page_map(f, MapMerge::None)) out.push_back(r.lin_start);
    return out;
}

}  // namespace hm::dbg
