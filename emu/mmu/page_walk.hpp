// The one page walk. It is pure: given the paging state and a way to read physical
// memory it returns what the tables say about one access, as data (QEMU's
// mmu_translate shape): each entry consulted, the translation, the effective rights,
// the fault and its error code, and which Accessed/Dirty bits a real walk would set.
// The MMU applies those A/D writes itself after a walk on a TLB miss; the debugger,
// probe() and the coherence checker use the same walk with a side-effect-free reader,
// so no second walker can drift from the real one.
//
// Rules implemented (SDM Vol. 3A 4.3, 4.4.2, 4.6, 4.7, 4.8):
//   * a not-present entry ends the walk (P=0 in the error code); reserved bits are
//     checked only in present entries (RSVD=1, P=1);
//   * rights combine over all levels: U/S and R/W are ANDed, NX is ORed (PAE PDPTEs
//     carry none of them); supervisor accesses may read and execute anything, and write
//     read-only pages only when CR0.WP=0 (no SMEP/SMAP on this CPU);
//   * I/D is set for fetches only under PAE with EFER.NXE=1;
//   * Accessed is set on every non-leaf entry used to reach the next level, also when
//     the walk then faults; the leaf's Accessed (and Dirty, for writes) only when the
//     access is allowed. The SDM makes the leaf's A on a protection fault model
//     specific; QEMU leaves it clear, and so do we.
#pragma once
#include "core/types.hpp"
#include "mmu/access.hpp"

namespace hm {

// Everything a walk depends on, captured from the control registers.
struct PagingState {
    PagingMode mode = PagingMode::None;
    u32 cr3 = 0;
    bool wp = false;   // CR0.WP
    bool pse = false;  // CR4.PSE (two-level only)
    bool pge = false;  // CR4.PGE
    bool nxe = false;  // EFER.NXE (PAE only)
    u64 pdpte[4] = {}; // PAE: the PDPTE registers loaded at the last CR3 load
    u64 a20_mask = ~u64{0};
};

// Reads one naturally aligned 4- or 8-byte entry. `device` is set by a pure reader
// when the address belongs to an MMIO device it refuses to touch (then it returns
// all ones, like open bus).
struct EntryReader {
    u64 (*read)(void* ctx, u64 pa, unsigned size, bool& device);
    void* ctx;
};

enum class WalkOutcome : u8 { Ok, NotPresent, ReservedBit, Protection };

struct WalkEntry {
    u64 addr = 0;        // physical address of the entry
    u64 value = 0;       // as read, before any A/D update
    bool from_register = false;  // PAE PDPTE: taken from the PDPTE register, not memory
};

struct WalkResult {
    PagingMode mode = PagingMode::None;
    WalkOutcome outcome = WalkOutcome::Ok;
    u8 levels = 0;        // entries consulted, PDPTE register included
    WalkEntry entry[3];
    u8 memory_reads = 0;  // entries read from memory
    u32 error_code = 0;   // #PF error code unless outcome == Ok

    // The translation; valid when `mapped` (the tables map the page, even if this
    // access is denied by its rights).
    bool mapped = false;
    LinearAddr lin_base;  // linear base of the page
    PhysAddr frame;       // physical base of the page
    PhysAddr phys;        // physical address of the linear address walked
    u8 page_size_log2 = 12;
    bool writable = false, user = false, nx = false;  // effective rights
    bool global = false;  // leaf G with CR4.PGE
    bool dirty = false;   // leaf D as read
    bool accessed = false;  // leaf A as read

    u8 set_accessed = 0;  // bit i: a real walk sets A in entry[i]
    bool set_dirty = false;  // a real walk sets D in the leaf
    bool touched_device = false;

    bool ok() const { return outcome == WalkOutcome::Ok; }
    u64 page_mask() const { return (u64{1} << page_size_log2) - 1; }
};

WalkResult walk_page_tables(const PagingState& s, LinearAddr lin, Access a, Priv p, EntryReader reader);
// The same walk reading entries straight through the bus (the MMU's own walks on a
// TLB miss): no indirect call per entry.
class Bus;
WalkResult walk_page_tables(const PagingState& s, LinearAddr lin, Access a, Priv p, Bus& bus);

// Whether cached or walked rights allow an access (SDM 4.6).
bool access_allowed(bool writable, bool user, bool nx, Access a, Priv p, const PagingState& s);

// Error code for a #PF on access a at privilege p.
enum class FaultKind : u8 { NotPresent, Protection, ReservedBit };
u32 page_fault_error_code(FaultKind k, Access a, Priv p, const PagingState& s);

// Entry flags of a walk result as a 32-bit flags word (reports, the debugger).
u32 walk_flags(const WalkResult& w);

}  // namespace hm
