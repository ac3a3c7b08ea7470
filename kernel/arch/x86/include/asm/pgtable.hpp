// Page-table entries and the kernel's page tables, for both paging modes.
//
// A pte_t always holds a 64-bit value; in 2-level mode only the low 32 bits
// exist in memory and _PAGE_NX is never set (the __supported_pte_mask strips
// what the CPU or mode lacks, as in Linux). A pte_ptr points at one entry in a
// page table and reads/writes it with the active entry size.
//
// The kernel part of the address space (PAGE_OFFSET..4G) has all its page tables
// allocated at boot, physically contiguous, so the PTE of any kernel address is
// found by arithmetic (virt_to_kpte) and every future address space can share
// the kernel's page-directory entries (2-level) or its PMD (PAE) unchanged.
#pragma once
#include <asm/layout.hpp>
#include <kernel/types.hpp>

constexpr u64 _PAGE_PRESENT = 1ull << 0;
constexpr u64 _PAGE_RW = 1ull << 1;
constexpr u64 _PAGE_USER = 1ull << 2;
constexpr u64 _PAGE_PWT = 1ull << 3;
constexpr u64 _PAGE_PCD = 1ull << 4;
constexpr u64 _PAGE_ACCESSED = 1ull << 5;
constexpr u64 _PAGE_DIRTY = 1ull << 6;
constexpr u64 _PAGE_PSE = 1ull << 7;
constexpr u64 _PAGE_GLOBAL = 1ull << 8;
constexpr u64 _PAGE_NX = 1ull << 63;
constexpr u64 PTE_PFN_MASK = 0x000FFFFFFFFFF000ull;

struct pgprot_t {
    u64 val;
};
struct pte_t {
    u64 val;
};

enum class paging_mode { two_level, pae };
extern paging_mode kernel_paging_mode;
inline bool pae_enabled() { return kernel_paging_mode == paging_mode::pae; }

// Bits this CPU and paging mode support: NX only with PAE + NX, G only with PGE.
extern u64 __supported_pte_mask;

constexpr u64 __PAGE_KERNEL_EXEC = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL;
constexpr u64 __PAGE_KERNEL = __PAGE_KERNEL_EXEC | _PAGE_NX;
constexpr u64 __PAGE_KERNEL_RO = (__PAGE_KERNEL & ~_PAGE_RW & ~_PAGE_DIRTY);
constexpr u64 __PAGE_KERNEL_RX = (__PAGE_KERNEL_EXEC & ~_PAGE_RW & ~_PAGE_DIRTY);

inline pgprot_t PAGE_KERNEL() { return {__PAGE_KERNEL & __supported_pte_mask}; }
inline pgprot_t PAGE_KERNEL_EXEC() { return {__PAGE_KERNEL_EXEC & __supported_pte_mask}; }
inline pgprot_t PAGE_KERNEL_RO() { return {__PAGE_KERNEL_RO & __supported_pte_mask}; }
inline pgprot_t PAGE_KERNEL_RX() { return {__PAGE_KERNEL_RX & __supported_pte_mask}; }

inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot) {
    return {(static_cast<u64>(pfn) << PAGE_SHIFT) | (prot.val & ~PTE_PFN_MASK)};
}
inline unsigned long pte_pfn(pte_t pte) { return static_cast<unsigned long>((pte.val & PTE_PFN_MASK) >> PAGE_SHIFT); }
inline bool pte_present(pte_t pte) { return pte.val & _PAGE_PRESENT; }
inline bool pte_none(pte_t pte) { return pte.val == 0; }
inline u64 pte_flags(pte_t pte) { return pte.val & ~PTE_PFN_MASK; }

// One entry in a page table of the active mode.
class pte_ptr {
public:
    constexpr pte_ptr() = default;
    explicit pte_ptr(void* entry) : entry_(static_cast<u8*>(entry)) {}
    void* raw() const { return entry_; }
    explicit operator bool() const { return entry_ != nullptr; }
    // Neighbouring entries: kmap code indexes slots as Linux's "kmap_pte - idx".
    pte_ptr operator+(long n) const { return pte_ptr(entry_ + n * static_cast<long>(paging->pte_size)); }
    pte_ptr operator-(long n) const { return *this + (-n); }
    friend bool operator==(pte_ptr, pte_ptr) = default;

    pte_t read() const {
        if (pae_enabled()) {
            // The two halves may be read separately; the high half first, as
            // a concurrent set_pte writes it first (see write()).
            auto* p = reinterpret_cast<volatile u32*>(entry_);
            u32 hi = p[1];
            u32 lo = p[0];
            return {(u64{hi} << 32) | lo};
        }
        return {*reinterpret_cast<volatile u32*>(entry_)};
    }
    // A new present entry: with PAE the high half is written first so the CPU
    // never sees a present low half with a stale high half.
    void write(pte_t pte) const {
        if (pae_enabled()) {
            auto* p = reinterpret_cast<volatile u32*>(entry_);
            p[1] = static_cast<u32>(pte.val >> 32);
            barrier_();
            p[0] = static_cast<u32>(pte.val);
        } else {
            *reinterpret_cast<volatile u32*>(entry_) = static_cast<u32>(pte.val);
        }
    }
    // Clearing goes the other way: the low half (with the present bit) first.
    void clear() const {
        if (pae_enabled()) {
            auto* p = reinterpret_cast<volatile u32*>(entry_);
            p[0] = 0;
            barrier_();
            p[1] = 0;
        } else {
            *reinterpret_cast<volatile u32*>(entry_) = 0;
        }
    }

private:
    static void barrier_() { asm volatile("" ::: "memory"); }
    u8* entry_ = nullptr;
};

inline void set_pte(pte_ptr ptep, pte_t pte) { ptep.write(pte); }
inline void pte_clear(pte_ptr ptep) { ptep.clear(); }
inline pte_t ptep_get(pte_ptr ptep) { return ptep.read(); }

// The kernel page tables: swapper_pg_dir is what CR3 holds; kernel_ptes is the
// contiguous array of every PTE from PAGE_OFFSET to 4 GiB.
extern void* swapper_pg_dir;
extern u8* kernel_ptes;

// The PTE mapping a kernel virtual address (>= PAGE_OFFSET).
inline pte_ptr virt_to_kpte(unsigned long vaddr) {
    return pte_ptr(kernel_ptes + ((vaddr - PAGE_OFFSET) >> PAGE_SHIFT) * paging->pte_size);
}

// Maps/unmaps one kernel page and flushes the local TLB entry for it.
void set_kernel_pte(unsigned long vaddr, unsigned long pfn, pgprot_t prot);
void clear_kernel_pte(unsigned long vaddr);

// The physical address a kernel virtual address currently maps to, walking the
// real tables from CR3 (not the shortcut above): false when unmapped.
bool kernel_virt_to_phys(unsigned long vaddr, phys_addr_t* phys, pte_t* pte);
