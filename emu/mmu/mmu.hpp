// The MMU: linear -> physical translation for every data access and instruction
// fetch the CPU makes, with paging, the modelled TLBs and their statistics.
//
// Contract with the CPU (emu/cpu):
//   * The CPU applies segmentation first and passes a 32-bit linear address plus the
//     privilege of the access (Priv::User only for CPL 3 accesses that are not
//     implicit supervisor accesses such as descriptor-table or TSS reads).
//   * read/write/read_for_write/translate_code either succeed or throw GuestFault
//     (#PF with the exact error code, CR2 already set). They never change guest
//     state on failure, except the A bits a completed walk legitimately set.
//   * Paging-relevant control registers are written through write_cr0/3/4 and
//     write_efer, which validate (PAE PDPTEs: #GP), commit and flush by the
//     hardware's rules. The CPU does its own checks (e.g. PG without PE) first.
//
// Fast path: a direct-mapped "front" array per privilege holds, for recently used
// linear pages, a tag per access kind and a host pointer. A data hit is two compares
// (the tag, and that the access does not run past the page); a fetch hit is the tag
// compare alone.
// Invariant: a front entry exists only while the modelled TLB (paging on) holds the
// translation, so stale translations stay stale exactly as long as on hardware; a
// write tag exists only when the page is writable at that privilege, its TLB entry
// is dirty, and the page holds no decoded code (stores to code pages take the slow
// path, which tells the decode cache). Whenever a modelled entry is evicted or
// invalidated, every front entry derived from it goes too. A front hit is therefore
// a hit of the modelled TLB and is counted as one (lazily, see stats()).
//
// The slow path (mmu.cpp) looks the modelled TLB up, walks the tables on a miss
// (page_walk.hpp), fills the TLB (tlb.hpp) and the front array, and raises #PF.
// Control-register writes and flushes live in mmu_control.cpp, side-effect-free
// queries in mmu_query.cpp, the coherence checker in coherence_checker.cpp.
#pragma once
#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/fault.hpp"
#include "core/types.hpp"
#include "observe/events.hpp"
#include "mem/bus.hpp"
#include "mmu/access.hpp"
#include "mmu/page_walk.hpp"
#include "mmu/tlb.hpp"
#include "mmu/walk_cost.hpp"
#include "core/state_visitor.hpp"

namespace hm {

// One cached linear page in the front array.
struct FastTlbEntry {
    static constexpr u32 kInvalidTag = 1;  // never equals a page-aligned address
    u32 read_tag = kInvalidTag;
    u32 write_tag = kInvalidTag;
    u32 exec_tag = kInvalidTag;
    u32 pad = 0;
    u8* host = nullptr;  // host address of the page's first byte (null: not RAM-like)
    u64 phys_page = 0;   // physical address of the page
};

struct CodeTranslation {
    PhysAddr phys;    // physical address of the fetched byte
    const u8* host;   // host pointer to that byte, or nullptr (fetch via the bus)
};

// Called when the guest stores into a physical page that holds decoded code.
using CodeWriteHook = void (*)(void* ctx, PhysAddr phys, unsigned size);

struct MmuStats {
    TlbStats itlb, dtlb;
    u64 page_faults = 0;    // #PF raised by the MMU
    u64 stale_reports = 0;  // coherence-checker reports
    u64 pdpte_loads = 0;    // PAE PDPTE register loads (4 memory reads each)
};

// Debugger watchpoints (mmu_watch.cpp): pages whose loads and/or stores must take
// the slow path, where every access to them is reported with its linear and
// physical address. A linear page matches the access's linear address, a physical
// page its physical address, so a physical watch sees every linear alias.
enum class WatchSpace : u8 { Linear, Physical };
struct WatchedPage {
    WatchSpace space;
    u64 page;  // page-aligned address in that space
    bool read, write;
};
struct WatchedAccess {
    u32 lin;
    u64 phys;
    u8 size;         // bytes of this access on this page (a page-crossing access is two reports)
    Access access;   // Read or Write (a read-for-write load reports Read)
    u64 value;       // read, or written
    u64 old_value;   // for writes: memory before the store (0 for device memory)
};
using WatchHook = void (*)(void* ctx, const WatchedAccess&);

// The coherence checker with several CPUs: the last store into every page-table
// entry a walk has read (keyed by its 4-byte-aligned physical address; a PAE
// entry is two keys), so a stale use can name the CPU that changed the entry.
// Shared by the MMUs of one machine; only stores to recorded entries cost a
// hash update, and only while the checker is on.
struct PteWriteLog {
    static constexpr u8 kNobody = 0xFF;
    struct Writer {
        u8 cpu = kNobody;
        u64 cycle = 0;
    };
    std::unordered_map<u64, Writer> by_word;
};

// One modelled TLB entry as the debugger shows it.
struct TlbEntryView {
    TlbKind tlb;
    bool large;            // in the large-page array
    unsigned set, way;
    u32 lin_base;
    u64 frame;
    u8 page_size_log2;
    bool writable, user, nx, global, dirty;
    // A side-effect-free walk of lin_base now gives the same frame and rights; false
    // marks a stale entry (the tables changed and no flush has dropped it yet).
    bool matches_memory;
    u64 hits;  // lookups served since the fill (every one only with hit tracking on)
};

// The one side-effect-free page-table reader (probe, walk, the coherence checker,
// the debugger's table scan): RAM and ROM as they are; open bus and MMIO (never
// read) as all ones, what the CPU's own walk would see outside RAM.
EntryReader pure_entry_reader(const Bus& bus);

class Mmu {
public:
    static constexpr unsigned kFastBits = 8;
    static constexpr unsigned kFastEntries = 1u << kFastBits;

    Mmu(Bus& bus, ControlRegs& cr, u64& cycles);
    ~Mmu();
    Mmu(const Mmu&) = delete;
    Mmu& operator=(const Mmu&) = delete;

    // ---------------- hot path ----------------
    template <typename T>
    HM_ALWAYS_INLINE T read(LinearAddr at, Priv p) {
        const u32 lin = at.value;
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        if (HM_LIKELY(e.read_tag == (lin & ~0xFFFu) && (lin & 0xFFF) <= kPageSize - sizeof(T))) {
            ++fast_hits_;
            T v;
            std::memcpy(&v, e.host + (lin & 0xFFF), sizeof(T));
            return v;
        }
        return static_cast<T>(read_slow(lin, sizeof(T), p, Access::Read));
    }

    template <typename T>
    HM_ALWAYS_INLINE void write(LinearAddr at, T v, Priv p) {
        const u32 lin = at.value;
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        if (HM_LIKELY(e.write_tag == (lin & ~0xFFFu) && (lin & 0xFFF) <= kPageSize - sizeof(T))) {
            ++fast_hits_;
            std::memcpy(e.host + (lin & 0xFFF), &v, sizeof(T));
            return;
        }
        write_slow(lin, static_cast<u64>(v), sizeof(T), p);
    }

    // Load for a read-modify-write: checks (and marks dirty) as a write would, so
    // the store that follows cannot fault after the load succeeded.
    template <typename T>
    HM_ALWAYS_INLINE T read_for_write(LinearAddr at, Priv p) {
        const u32 lin = at.value;
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        if (HM_LIKELY(e.write_tag == (lin & ~0xFFFu) && (lin & 0xFFF) <= kPageSize - sizeof(T))) {
            ++fast_hits_;
            T v;
            std::memcpy(&v, e.host + (lin & 0xFFF), sizeof(T));
            return v;
        }
        return static_cast<T>(read_slow(lin, sizeof(T), p, Access::Write));
    }

    // Read-modify-write through one front lookup. With the write tag present, the
    // load and the store use the same host address and count as the two data
    // accesses they are (the statistics match a read_for_write plus a write). Without
    // it, the load takes read_for_write's slow path (a write fault on a read-only
    // page happens there, before op runs or anything is stored) and the store goes
    // through write(). op must not access memory (it computes the new value and
    // may set flags or registers).
    template <typename T, typename Op>
    HM_ALWAYS_INLINE void modify(LinearAddr at, Priv p, Op op) {
        const u32 lin = at.value;
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        if (HM_LIKELY(e.write_tag == (lin & ~0xFFFu) && (lin & 0xFFF) <= kPageSize - sizeof(T))) {
            fast_hits_ += 2;
            u8* const h = e.host + (lin & 0xFFF);
            T v;
            std::memcpy(&v, h, sizeof(T));
            v = op(v);
            std::memcpy(h, &v, sizeof(T));
            return;
        }
        const T old = static_cast<T>(read_slow(lin, sizeof(T), p, Access::Write));
        write<T>(at, op(old), p);
    }

    // Bulk REP MOVS/STOS (emu/cpu/ops/string.cpp): the host bytes of the page
    // holding lin when its front entry has the read (write) tag, else nullptr,
    // i.e. exactly when read<T>/write<T> of an access inside that page would be a
    // front hit. The caller does those accesses on the host page itself and counts
    // them with count_front_hits, so the statistics are the element path's.
    HM_ALWAYS_INLINE u8* front_read_page(LinearAddr at, Priv p) const {
        const u32 lin = at.value;
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        return e.read_tag == (lin & ~0xFFFu) ? e.host : nullptr;
    }
    HM_ALWAYS_INLINE u8* front_write_page(LinearAddr at, Priv p) const {
        const u32 lin = at.value;
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        return e.write_tag == (lin & ~0xFFFu) ? e.host : nullptr;
    }
    HM_ALWAYS_INLINE void count_front_hits(u64 n) const { fast_hits_ += n; }
    // The front-hit halves of read<T>/write<T> alone: false (nothing done,
    // nothing counted) where those would take their slow paths. For handlers
    // whose fast path must not contain a call (emu/cpu/ops/mov.cpp).
    template <typename T>
    HM_ALWAYS_INLINE bool try_read(LinearAddr at, Priv p, T& v) {
        const u32 lin = at.value;
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        if (!(e.read_tag == (lin & ~0xFFFu) && (lin & 0xFFF) <= kPageSize - sizeof(T))) return false;
        ++fast_hits_;
        std::memcpy(&v, e.host + (lin & 0xFFF), sizeof(T));
        return true;
    }
    template <typename T>
    HM_ALWAYS_INLINE bool try_write(LinearAddr at, T v, Priv p) {
        const u32 lin = at.value;
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        if (!(e.write_tag == (lin & ~0xFFFu) && (lin & 0xFFF) <= kPageSize - sizeof(T))) return false;
        ++fast_hits_;
        std::memcpy(e.host + (lin & 0xFFF), &v, sizeof(T));
        return true;
    }

    // Translation for instruction fetch of the byte at lin.
    //
    // The fetch-page register: like a P6's instruction fetch unit, the CPU keeps
    // the translation of the page it is fetching from and consults the ITLB only
    // when the fetch stream enters another linear page (or changes privilege), or
    // after something cleared the register: a CR0/CR3/CR4/EFER write, INVLPG, a
    // TLB flush, an A20 change, or an ITLB entry being dropped. The rule depends
    // only on the sequence of fetched pages, so a CPU that translates once per
    // block (chaining), once per instruction (single-stepping) or anything in
    // between makes exactly the same ITLB lookups: same hits, misses, walks,
    // cycles and replacement state in every mode (docs/mmu.md).
    HM_ALWAYS_INLINE CodeTranslation translate_code(LinearAddr at, Priv p) {
        const u32 lin = at.value;
        if (HM_LIKELY(fetch_tag_ == ((lin & ~0xFFFu) | static_cast<u32>(p)))) {
            return {PhysAddr{fetch_phys_ | (lin & 0xFFF)}, fetch_host_ ? fetch_host_ + (lin & 0xFFF) : nullptr};
        }
        return translate_code_lookup(lin, p);
    }
    // The fetch-page register as data (state hash, debugger): tag is the linear
    // page | Priv, or kNoFetchPage.
    static constexpr u32 kNoFetchPage = 2;
    u32 fetch_page_tag() const { return fetch_tag_; }
    PhysAddr fetch_page_phys() const { return PhysAddr{fetch_phys_}; }

    // ---------------- control ----------------
    // Each commits the value unless it raises #GP(0) (a reserved bit in a PDPTE being
    // loaded), in which case nothing changes. Flush rules are those of the P6 family:
    // CR0.PE/PG and CR4.PGE/PAE/PSE changes drop every entry, global ones included;
    // a CR3 write drops the non-global ones; CR0.WP and EFER.NXE need no flush because
    // entries cache rights, not decisions. PDPTEs load on a CR3 write under PAE paging
    // and on CR0/CR4 writes that leave PAE paging on while changing CD, NW, PG, PAE,
    // PGE or PSE (SDM Vol. 3A 4.4.1).
    void write_cr0(u32 value);
    void write_cr3(u32 value);
    void write_cr4(u32 value);
    void write_efer(u64 value);
    void invlpg(LinearAddr lin);  // drops the entries covering lin, any page size, both TLBs
    void set_a20(bool enabled);
    bool a20() const { return a20_mask_ == ~u64{0}; }
    // Drops every cached translation and re-reads the paging state from the control
    // registers (CPU reset, debugger state edits).
    void flush_all();

    // ---------------- TLB model, statistics, observers ----------------
    // Replaces the TLB geometry (empties the TLBs). Throws std::invalid_argument with a
    // readable reason for a geometry that is not a power-of-two number of sets.
    void configure_tlb(const TlbConfig& config);
    // Cycles per page-table memory access of a walk or a PDPTE load (the CPU
    // profile's figure; walk_cost.hpp has the default and its source).
    void set_walk_access_cycles(u64 cycles) { walk_access_cycles_ = cycles; }
    u64 walk_access_cycles() const { return walk_access_cycles_; }
    const TlbConfig& tlb_config() const { return config_; }
    // Exact counters (front-array hits folded in). Resettable.
    const MmuStats& stats() const;
    void reset_stats();

    // Coherence checker: on every TLB hit, re-walk the tables without side effects and
    // report the first use of each entry whose translation memory no longer supports
    // (see coherence_checker.cpp). Off by default; when on, the front array is bypassed.
    void set_coherence_checker(bool on);
    bool coherence_checker() const { return checker_; }
    // -smp N: this MMU's CPU index and the machine's shared log (nullptr: off).
    void set_pte_write_log(PteWriteLog* log, u8 cpu) {
        pte_log_ = log;
        cpu_index_ = cpu;
    }
    // Hit tracking, for debuggers: every lookup reaches the modelled TLB (the front
    // array is bypassed, as for the checker), so TlbEntryView::hits counts every lookup
    // an entry served. For the DTLB that is every data access (per page, for one that
    // crosses a page). For the ITLB it is not every fetch: the fetch-page register
    // (translate_code) consults the ITLB only when the fetch stream enters another
    // page, so an ITLB entry counts entries into its page, not instructions; the
    // CPU's same-page chaining skips exactly the fetches the register would serve, and
    // stays on with tracking and with the checker (docs/cpu.md, "Chaining"). Off by
    // default; guest-visible behaviour and cycles are the same either way.
    void set_hit_tracking(bool on);
    bool hit_tracking() const { return track_hits_; }
    void set_event_sink(EventSink* sink) { sink_ = sink; }
    void set_eip_source(const u32* eip) { eip_ = eip; }

    // ---------------- self-modifying code support ----------------
    void set_code_write_hook(CodeWriteHook hook, void* ctx) {
        code_hook_ = hook;
        code_hook_ctx_ = ctx;
    }
    // The decode cache holds code from this physical page: stores must tell it.
    void protect_code_page(PhysAddr phys);
    void unprotect_code_page(PhysAddr phys);
    // SMP: the MMUs of every CPU of a machine (this one included). Each keeps the
    // pages its own CPU's decode cache holds; a page protected by any of them
    // takes the slow store path on all of them, and a store from any CPU calls
    // the hook of every CPU that holds code from the page. Empty (the default):
    // one CPU, no peers. Only the slow path looks at the peers.
    void share_code_pages(std::vector<Mmu*> peers);

    // ---------------- debugger watchpoints (mmu_watch.cpp) ----------------
    // Replaces the watched pages; hook == nullptr (or no pages) turns watching off.
    // Costs nothing on the fast path: watched pages are simply never cached in the
    // front array for the watched kind of access.
    void set_watched_pages(std::vector<WatchedPage> pages, WatchHook hook, void* ctx);

    // ---------------- queries (no side effects) ----------------
    // Translate as the CPU would (TLB first, then the tables), without touching A/D
    // bits, the TLBs or stats. nullopt when the access would fault.
    std::optional<PhysAddr> probe(LinearAddr lin, Access a, Priv p) const;
    // tlb_probe:: bits for lin (tlb.hpp). Not a lookup: no counters, no replacement state.
    u32 probe_tlb(LinearAddr lin) const;
    // The full walk of the tables in memory, each level's address and value, and the
    // result or the fault as data.
    WalkResult walk(LinearAddr lin, Access a, Priv p) const;
    // The valid entries of one TLB, 4 KiB array first, in set/way order.
    std::vector<TlbEntryView> tlb_entries(TlbKind kind) const;

    // Executable form of the front-array invariant (see the top of this file): an
    // empty string, or the first front entry that the modelled TLB does not back.
    // For tests and debug sweeps; it walks both arrays, so it is not cheap.
    std::string check_front_invariant() const;

    Bus& bus() { return bus_; }
    const ControlRegs& control() const { return cr_; }
    bool paging() const { return (cr_.cr0 & cr0::kPG) != 0; }
    PagingMode paging_mode() const { return state_.mode; }
    const PagingState& paging_state() const { return state_; }

    // The modelled state, for the state hash and snapshots (core/state_visitor.hpp):
    // the paging state as latched, the A20 mask, the fetch-page register (it decides
    // which fetches look the ITLB up, so the TLB counters depend on it), both TLBs
    // and every counter. Not the front array, the decode-cache page set or the
    // watchpoints: host caches and debugger state. Loading rebuilds the host side:
    // the front array is emptied and the fetch page's host pointer looked up again.
    template <class V>
    void visit_state(V& v) {
        v.section(0x4D4D55);  // "MMU"
        fold_front_hits();
        v.bounded(state_.mode, 3), v.value(state_.cr3);
        v.value(state_.wp), v.value(state_.pse), v.value(state_.pge), v.value(state_.nxe);
        snap::values(v, state_.pdpte);
        v.value(state_.a20_mask), v.value(a20_mask_);
        v.value(fetch_tag_), v.value(fetch_phys_);
        for (Tlb* t : {&itlb_, &dtlb_}) t->small.visit_state(v), t->large.visit_state(v);
        for (TlbStats* s : {&stats_.itlb, &stats_.dtlb}) snap::u64_fields(v, *s);
        v.value(stats_.page_faults), v.observer(stats_.stale_reports), v.value(stats_.pdpte_loads);
        if constexpr (V::kLoading) {
            if (!restore_host_side()) v.fail("a fetch-page register that names no page");
        }
    }

private:
    enum class FlushScope : u8 { NonGlobal, All };

    u64 read_slow(u32 lin, unsigned size, Priv p, Access a);
    void write_slow(u32 lin, u64 v, unsigned size, Priv p);
    CodeTranslation translate_code_slow(u32 lin, Priv p);
    // An ITLB lookup (front array, else the modelled TLB) that loads the fetch-page register.
    CodeTranslation translate_code_lookup(u32 lin, Priv p) {
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        CodeTranslation t;
        if (HM_LIKELY(e.exec_tag == (lin & ~0xFFFu))) {
            ++fast_code_hits_;
            t = {PhysAddr{e.phys_page | (lin & 0xFFF)}, e.host ? e.host + (lin & 0xFFF) : nullptr};
        } else {
            t = translate_code_slow(lin, p);
        }
        fetch_tag_ = (lin & ~0xFFFu) | static_cast<u32>(p);
        fetch_phys_ = t.phys.page_base();
        fetch_host_ = t.host ? t.host - (lin & 0xFFF) : nullptr;
        return t;
    }
    void clear_fetch_page() { fetch_tag_ = kNoFetchPage; }
    // After a snapshot load: empties the front array and looks the fetch page's
    // host pointer up again. False if the loaded fetch-page register is impossible.
    bool restore_host_side();

    // Translates one page for the given access, filling the TLB and the front entry.
    // Throws #PF. Returns the physical address of lin.
    u64 translate(u32 lin, Access a, Priv p);
    u64 walk_and_fill(TlbKind kind, u32 lin, Access a, Priv p);
    void apply_walk(const WalkResult& w, TlbKind kind, u32 lin, Access a, Priv p);
    [[noreturn]] void page_fault(u32 lin, u32 error_code);

    // Front array maintenance.
    void fill_front(u32 lin, u64 phys_page, Priv p, bool read, bool write, bool exec);
    void fill_front_from(const TlbEntry& e, TlbKind kind, u32 lin, Priv p);
    void drop_front(const TlbEntry& e, TlbKind kind);
    void flush_front();
    bool is_code_page(u64 phys) const;    // this MMU's or any peer's decode cache holds code there
    bool owns_code_page(u64 phys) const;  // this MMU's own CPU holds code there
    void notify_code_write(u64 phys, unsigned size);
    void drop_write_tags(u64 page);

    // TLB maintenance.
    Tlb& tlb(TlbKind k) { return k == TlbKind::Instruction ? itlb_ : dtlb_; }
    const Tlb& tlb(TlbKind k) const { return k == TlbKind::Instruction ? itlb_ : dtlb_; }
    TlbStats& tlb_stats(TlbKind k) { return k == TlbKind::Instruction ? stats_.itlb : stats_.dtlb; }
    void flush(FlushScope scope, TlbFlushCause cause);
    unsigned invalidate_page(u32 lin);  // both TLBs; returns entries dropped
    void sync_state();                  // paging mode and flags from cr_
    void load_pdptes(u32 cr3, u64 (&out)[4]);
    void fold_front_hits() const;

    // Coherence checker (coherence_checker.cpp).
    void check_coherence(TlbEntry& e, TlbKind kind, u32 lin, Access a, Priv p);
    void note_walked_entries(const WalkResult& w);   // PteWriteLog: entries to watch
    void note_store(u64 phys, unsigned size);        // PteWriteLog: a store into one of them

    WalkResult pure_walk(u32 lin, Access a, Priv p) const;

    // Watchpoints (mmu_watch.cpp).
    bool watched(u32 lin, u64 phys, Access a) const;
    void report_watch(u32 lin, u64 phys, unsigned size, Access a, u64 value, u64 old_value);
    u64 peek_old_value(u64 phys, unsigned size) const;

    Bus& bus_;
    ControlRegs& cr_;
    u64& cycles_;
    u64 a20_mask_ = ~u64{0};
    std::array<std::array<FastTlbEntry, kFastEntries>, 2> fast_{};
    // Per TLB kind and privilege, the front slots that may hold a tag filled from a
    // large-page entry of that kind. Dropping a large entry (an eviction, common when
    // code spans more large pages than the ITLB has large entries) visits only these
    // slots instead of the whole array. A set bit may be stale (the slot was refilled
    // since); a slot holding a large-derived tag always has its bit set.
    using SlotMask = std::array<u64, kFastEntries / 64>;
    std::array<std::array<SlotMask, 2>, 2> large_slots_{};
    mutable u64 fast_hits_ = 0;       // front hits for data accesses, not yet in stats_
    mutable u64 fast_code_hits_ = 0;  // front hits for fetches, not yet in stats_
    u32 fetch_tag_ = kNoFetchPage;    // the fetch-page register (translate_code)
    u64 fetch_phys_ = 0;
    const u8* fetch_host_ = nullptr;
    CodeWriteHook code_hook_ = nullptr;
    void* code_hook_ctx_ = nullptr;
    struct CodePageSet;
    CodePageSet* code_pages_;
    std::vector<Mmu*> code_peers_;

    PagingState state_;
    TlbConfig config_;
    u64 walk_access_cycles_ = kWalkAccessCycles;
    Tlb itlb_, dtlb_;
    mutable MmuStats stats_;
    bool checker_ = false;
    PteWriteLog* pte_log_ = nullptr;
    u8 cpu_index_ = 0;
    bool track_hits_ = false;
    EventSink* sink_ = nullptr;
    const u32* eip_ = nullptr;
    std::vector<WatchedPage> watched_;
    WatchHook watch_hook_ = nullptr;
    void* watch_ctx_ = nullptr;
};

}  // namespace hm
