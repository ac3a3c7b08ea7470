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
// linear pages, a tag per access kind and a host pointer. One compare decides a hit.
// Invariant: a front entry exists only while the modelled TLB (paging on) holds the
// translation, so stale translations stay stale exactly as long as on hardware; a
// write tag exists only when the page is writable at that privilege, its TLB entry
// is dirty, and the page holds no decoded code (stores to code pages take the slow
// path, which tells the decode cache).
#pragma once
#include <array>
#include <cstring>
#include <optional>

#include "core/fault.hpp"
#include "core/types.hpp"
#include "mem/bus.hpp"

namespace hm {

enum class Access : u8 { Read = 0, Write = 1, Execute = 2 };
enum class Priv : u8 { Supervisor = 0, User = 1 };

// Owned by the CPU state; the MMU reads them and commits paging-relevant writes.
struct ControlRegs {
    u32 cr0 = 0x60000010;  // reset value: CD, NW, ET
    u32 cr2 = 0;
    u32 cr3 = 0;
    u32 cr4 = 0;
    u64 efer = 0;
};

namespace cr0 {
constexpr u32 kPE = 1u << 0, kMP = 1u << 1, kEM = 1u << 2, kTS = 1u << 3, kET = 1u << 4, kNE = 1u << 5;
constexpr u32 kWP = 1u << 16, kAM = 1u << 18, kNW = 1u << 29, kCD = 1u << 30, kPG = 1u << 31;
}  // namespace cr0
namespace cr4 {
constexpr u32 kVME = 1u << 0, kPVI = 1u << 1, kTSD = 1u << 2, kDE = 1u << 3, kPSE = 1u << 4;
constexpr u32 kPAE = 1u << 5, kMCE = 1u << 6, kPGE = 1u << 7, kPCE = 1u << 8;
}  // namespace cr4
namespace efer {
constexpr u64 kNXE = 1u << 11;
}  // namespace efer

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
    u64 phys;         // physical address of the fetched byte
    const u8* host;   // host pointer to that byte, or nullptr (fetch via the bus)
};

// Called when the guest stores into a physical page that holds decoded code.
using CodeWriteHook = void (*)(void* ctx, u64 phys, unsigned size);

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
    HM_ALWAYS_INLINE T read(u32 lin, Priv p) {
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
    HM_ALWAYS_INLINE void write(u32 lin, T v, Priv p) {
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
    HM_ALWAYS_INLINE T read_for_write(u32 lin, Priv p) {
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        if (HM_LIKELY(e.write_tag == (lin & ~0xFFFu) && (lin & 0xFFF) <= kPageSize - sizeof(T))) {
            ++fast_hits_;
            T v;
            std::memcpy(&v, e.host + (lin & 0xFFF), sizeof(T));
            return v;
        }
        return static_cast<T>(read_slow(lin, sizeof(T), p, Access::Write));
    }

    // Translation for instruction fetch of the byte at lin (ITLB).
    HM_ALWAYS_INLINE CodeTranslation translate_code(u32 lin, Priv p) {
        const FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
        if (HM_LIKELY(e.exec_tag == (lin & ~0xFFFu))) {
            ++fast_code_hits_;
            return {e.phys_page | (lin & 0xFFF), e.host ? e.host + (lin & 0xFFF) : nullptr};
        }
        return translate_code_slow(lin, p);
    }

    // ---------------- control ----------------
    void write_cr0(u32 value);  // commits; flushes on PG/WP changes
    void write_cr3(u32 value);  // PAE: loads PDPTEs (#GP on reserved bits); flushes non-global
    void write_cr4(u32 value);  // flushes on PGE/PAE/PSE changes
    void write_efer(u64 value);
    void invlpg(u32 lin);
    void set_a20(bool enabled);
    bool a20() const { return a20_mask_ == ~u64{0}; }
    // Drops every cached translation (CPU reset, debugger state edits).
    void flush_all();

    // ---------------- self-modifying code support ----------------
    void set_code_write_hook(CodeWriteHook hook, void* ctx) {
        code_hook_ = hook;
        code_hook_ctx_ = ctx;
    }
    // The decode cache holds code from this physical page: stores must tell it.
    void protect_code_page(u64 phys);
    void unprotect_code_page(u64 phys);

    // ---------------- queries (no side effects) ----------------
    // Translate as the CPU would, without touching A/D bits, the TLBs or stats.
    std::optional<u64> probe(u32 lin, Access a, Priv p) const;

    Bus& bus() { return bus_; }
    const ControlRegs& control() const { return cr_; }
    bool paging() const { return (cr_.cr0 & cr0::kPG) != 0; }

private:
    u64 read_slow(u32 lin, unsigned size, Priv p, Access a);
    void write_slow(u32 lin, u64 v, unsigned size, Priv p);
    CodeTranslation translate_code_slow(u32 lin, Priv p);

    // Translates one page for the given access, filling the front entry on success.
    // Throws #PF. Returns the physical address of lin.
    u64 translate(u32 lin, Access a, Priv p);
    void fill_front(u32 lin, u64 phys_page, Priv p, Access a);
    void flush_front();
    bool is_code_page(u64 phys) const;

    Bus& bus_;
    ControlRegs& cr_;
    u64& cycles_;
    u64 a20_mask_ = ~u64{0};
    std::array<std::array<FastTlbEntry, kFastEntries>, 2> fast_{};
    u64 fast_hits_ = 0;
    u64 fast_code_hits_ = 0;
    CodeWriteHook code_hook_ = nullptr;
    void* code_hook_ctx_ = nullptr;
    struct CodePageSet;
    CodePageSet* code_pages_;
};

}  // namespace hm
