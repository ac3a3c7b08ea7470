// TLB maintenance. The kernel's own mappings are global (PGE), so a CR3 reload
// does not drop them: changing a kernel mapping needs invlpg, and a wholesale
// change needs __flush_tlb_all(), which toggles CR4.PGE. Without PGE (a 486 or
// a Pentium) nothing is global and a CR3 reload drops everything.
#pragma once
#include <asm/cpufeature.hpp>
#include <asm/processor.hpp>

inline void __flush_tlb_one(unsigned long vaddr) { asm volatile("invlpg (%0)" ::"r"(vaddr) : "memory"); }

// Non-global entries only.
inline void __flush_tlb_local() { write_cr3(read_cr3()); }

// Everything, global entries included. CR4 is touched only on a CPU with PGE:
// an early 486 has no CR4 at all.
inline void __flush_tlb_all() {
    if (boot_cpu_data.has_pge) {
        u32 cr4 = read_cr4();
        write_cr4(cr4 & ~X86_CR4_PGE);
        write_cr4(cr4);
    } else {
        __flush_tlb_local();
    }
}

// Above this many pages a full flush is cheaper than one invlpg per page
// (Linux's tlb_single_page_flush_ceiling).
constexpr unsigned long TLB_SINGLE_PAGE_FLUSH_CEILING = 33;

// Every page in [start, end) of the kernel address space, in this CPU's TLB:
// one invlpg each, or a global flush for a large range. Returns true when it
// flushed everything.
inline bool __flush_tlb_kernel_range_local(unsigned long start, unsigned long end) {
    start &= ~0xFFFul;
    if ((end - start) / 0x1000 > TLB_SINGLE_PAGE_FLUSH_CEILING) {
        __flush_tlb_all();
        return true;
    }
    for (unsigned long a = start; a < end; a += 0x1000) __flush_tlb_one(a);
    return false;
}

// The same on every online CPU: locally, then by a call-function IPI to each
// other CPU with a wait until all have flushed (arch/x86/kernel/smp.cpp;
// Linux's flush_tlb_kernel_range). The boot option no_shootdown_ipi leaves the
// IPI out, on purpose: the other CPUs keep stale translations.
bool flush_tlb_kernel_range(unsigned long start, unsigned long end);
