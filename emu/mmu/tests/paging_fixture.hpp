// Test scaffolding: a machine without a CPU (RAM, bus, control registers, MMU) and
// builders that lay page tables out in guest RAM through the bus, the way a kernel
// would, so tests can edit entries behind the MMU's back.
#pragma once
#include <optional>
#include <string>

#include "mmu/mmu.hpp"
#include "mmu/paging_bits.hpp"
#include "mmu/walk_cost.hpp"

namespace hm::test {

constexpr u64 P = pte::kPresent, RW = pte::kWritable, US = pte::kUser, A = pte::kAccessed, D = pte::kDirty,
              PS = pte::kPageSize, G = pte::kGlobal, NX = pte::kNoExecute;

// Hands out zeroed 4 KiB pages for tables, from a region tests keep for that.
class TableAllocator {
public:
    TableAllocator(Bus& bus, u64 first) : bus_(bus), next_(first) {}
    u64 page() {
        const u64 pa = next_;
        next_ += kPageSize;
        for (u32 off = 0; off < kPageSize; off += 8) bus_.write(PhysAddr{pa + off}, 0, 8);
        return pa;
    }

private:
    Bus& bus_;
    u64 next_;
};

class TwoLevelTables {
public:
    TwoLevelTables(Bus& bus, TableAllocator& alloc) : bus_(bus), alloc_(alloc), pd_(alloc.page()) {}
    u32 cr3() const { return static_cast<u32>(pd_); }
    u64 pde_addr(u32 lin) const { return pd_ + (lin >> 22) * 4; }
    u64 pte_addr(u32 lin) const { return (read(pde_addr(lin)) & pte::kTwoLevelFrame) + ((lin >> 12) & 0x3FF) * 4; }
    u64 read(u64 addr) const { return bus_.read(PhysAddr{addr}, 4); }
    void write(u64 addr, u64 v) { bus_.write(PhysAddr{addr}, v, 4); }

    // Maps one 4 KiB page; the PDE gets pde_flags (and a table if it has none).
    void map_4k(u32 lin, u64 phys, u64 pte_flags, u64 pde_flags = P | RW | US) {
        u64 pde = read(pde_addr(lin));
        u64 table = (pde & P) && !(pde & PS) ? (pde & pte::kTwoLevelFrame) : alloc_.page();
        write(pde_addr(lin), table | pde_flags);
        write(pte_addr(lin), (phys & pte::kTwoLevelFrame) | pte_flags);
    }
    // A 4 MiB page; phys may reach 64 GiB through PSE-36.
    void map_4m(u32 lin, u64 phys, u64 pde_flags) {
        const u64 field = (phys & 0xFFC00000) | (((phys >> 32) & 0xF) << 13);
        write(pde_addr(lin), field | pde_flags | PS);
    }

private:
    Bus& bus_;
    TableAllocator& alloc_;
    u64 pd_;
};

class PaeTables {
public:
    // The PDPT shares a page with nothing else, at a 32-byte aligned address.
    PaeTables(Bus& bus, TableAllocator& alloc) : bus_(bus), alloc_(alloc), pdpt_(alloc.page()) {}
    u32 cr3() const { return static_cast<u32>(pdpt_); }
    u64 pdpte_addr(u32 lin) const { return pdpt_ + (lin >> 30) * 8; }
    u64 pde_addr(u32 lin) {
        u64 pdpte = read(pdpte_addr(lin));
        if (!(pdpte & P)) {
            pdpte = alloc_.page() | P;
            write(pdpte_addr(lin), pdpte);
        }
        return (pdpte & pte::kPaeFrame) + ((lin >> 21) & 0x1FF) * 8;
    }
    u64 pte_addr(u32 lin) { return (read(pde_addr(lin)) & pte::kPaeFrame) + ((lin >> 12) & 0x1FF) * 8; }
    u64 read(u64 addr) const { return bus_.read(PhysAddr{addr}, 8); }
    void write(u64 addr, u64 v) { bus_.write(PhysAddr{addr}, v, 8); }

    void map_4k(u32 lin, u64 phys, u64 pte_flags, u64 pde_flags = P | RW | US) {
        const u64 pde_at = pde_addr(lin);
        u64 pde = read(pde_at);
        u64 table = (pde & P) && !(pde & PS) ? (pde & pte::kPaeFrame) : alloc_.page();
        write(pde_at, table | pde_flags);
        write(pte_addr(lin), (phys & pte::kPaeFrame) | pte_flags);
    }
    void map_2m(u32 lin, u64 phys, u64 pde_flags) { write(pde_addr(lin), (phys & pte::kPaeLargeFrame) | pde_flags | PS); }

private:
    Bus& bus_;
    TableAllocator& alloc_;
    u64 pdpt_;
};

struct MmuFixture {
    explicit MmuFixture(u64 ram_bytes = 64 * kMiB) : ram(ram_bytes), bus(ram), mmu(bus, cr, cycles) {}

    PhysicalMemory ram;
    Bus bus;
    ControlRegs cr;
    u64 cycles = 0;
    Mmu mmu;
    TableAllocator alloc{bus, 0x200000};  // tables live in [2 MiB, ...)

    // Turns paging on the way a kernel does: CR4 and CR3 first, then CR0.PG.
    void enable_two_level(u32 cr3, u32 cr4_bits = 0, u32 cr0_bits = 0) {
        mmu.write_cr4(cr4_bits);
        mmu.write_cr3(cr3);
        mmu.write_cr0(cr0::kPE | cr0::kPG | cr0_bits);
    }
    void enable_pae(u32 cr3, u32 cr4_bits = 0, u32 cr0_bits = 0, bool nxe = false) {
        mmu.write_efer(nxe ? efer::kNXE : 0);
        mmu.write_cr4(cr4::kPAE | cr4_bits);
        mmu.write_cr3(cr3);
        mmu.write_cr0(cr0::kPE | cr0::kPG | cr0_bits);
    }
};

// Runs f and returns the guest fault it raised, if any.
template <typename F>
std::optional<GuestFault> fault_of(F&& f) {
    try {
        f();
    } catch (const GuestFault& g) {
        return g;
    }
    return std::nullopt;
}

inline std::string describe_error_code(u32 code) {
    std::string s;
    s += (code & pf_error::kPresent) ? "P" : "-";
    s += (code & pf_error::kWrite) ? "W" : "-";
    s += (code & pf_error::kUser) ? "U" : "-";
    s += (code & pf_error::kReservedBit) ? "R" : "-";
    s += (code & pf_error::kInstructionFetch) ? "I" : "-";
    return s;
}

// Collects what the MMU reports.
struct RecordingSink : EventSink {
    std::vector<PageWalkEvent> walks;
    std::vector<TlbFlushEvent> flushes;
    std::vector<StaleTranslationEvent> stale;
    void on_page_walk(const PageWalkEvent& e) override { walks.push_back(e); }
    void on_tlb_flush(const TlbFlushEvent& e) override { flushes.push_back(e); }
    void on_stale_translation(const StaleTranslationEvent& e) override { stale.push_back(e); }
};

}  // namespace hm::test
