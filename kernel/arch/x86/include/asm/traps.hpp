// Exception vectors and the handlers entry.S reaches through do_interrupt().
#pragma once
#include <kernel/types.hpp>

struct pt_regs;

enum : unsigned {
    X86_TRAP_DE = 0, X86_TRAP_DB = 1, X86_TRAP_NMI = 2, X86_TRAP_BP = 3, X86_TRAP_OF = 4,
    X86_TRAP_BR = 5, X86_TRAP_UD = 6, X86_TRAP_NM = 7, X86_TRAP_DF = 8, X86_TRAP_OLD_MF = 9,
    X86_TRAP_TS = 10, X86_TRAP_NP = 11, X86_TRAP_SS = 12, X86_TRAP_GP = 13, X86_TRAP_PF = 14,
    X86_TRAP_MF = 16, X86_TRAP_AC = 17, X86_TRAP_MC = 18, X86_TRAP_XF = 19,
    NR_EXCEPTION_VECTORS = 32,
};
constexpr unsigned NR_IRQS = 16;

// #PF error-code bits (Intel SDM vol. 3, 4.7).
constexpr u32 X86_PF_PROT = 1u << 0;   // 0: not present, 1: protection violation
constexpr u32 X86_PF_WRITE = 1u << 1;  // 0: read, 1: write
constexpr u32 X86_PF_USER = 1u << 2;   // 0: supervisor, 1: user mode
constexpr u32 X86_PF_RSVD = 1u << 3;   // reserved bit set in a paging entry
constexpr u32 X86_PF_INSTR = 1u << 4;  // instruction fetch (NX)

const char* exception_name(unsigned vector);
void do_exception(pt_regs* regs);
void do_page_fault(pt_regs* regs, u32 error_code);
void do_IRQ(pt_regs* regs);
