// Page faults. With only kernel threads, every page fault is a kernel bug: the
// report says what was accessed and how (decoded error code), shows the page
// table entries that translate the address, and oopses.
#include <asm/pgtable.hpp>
#include <asm/processor.hpp>
#include <asm/ptrace.hpp>
#include <asm/traps.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/printk.hpp>

void dump_pagetable(unsigned long address);

void do_page_fault(pt_regs* regs, u32 error_code) {
    unsigned long address = read_cr2();
    unsigned n = oops_begin();
    if (address < PAGE_SIZE)
        printk("BUG: kernel NULL pointer dereference, address: %08lx\n", address);
    else
        printk("BUG: unable to handle page fault for address: %08lx\n", address);
    printk("#PF: %s %s access in %s mode\n", (error_code & X86_PF_USER) ? "user" : "supervisor",
           (error_code & X86_PF_INSTR) ? "instruction fetch" : (error_code & X86_PF_WRITE) ? "write" : "read",
           user_mode(regs) ? "user" : "kernel");
    printk("#PF: error_code(0x%04x) - %s%s\n", error_code,
           (error_code & X86_PF_PROT) ? "permissions violation" : "not-present page",
           (error_code & X86_PF_RSVD) ? ", reserved bit set in a paging entry" : "");
    printk("#PF: error code bits: P=%u W=%u U=%u RSVD=%u I=%u\n", error_code & 1, (error_code >> 1) & 1,
           (error_code >> 2) & 1, (error_code >> 3) & 1, (error_code >> 4) & 1);
    dump_pagetable(address);
    printk("Oops: page fault: %04x [#%u]\n", error_code, n);
    show_regs(regs);
    oops_end(regs, "page fault");
}
