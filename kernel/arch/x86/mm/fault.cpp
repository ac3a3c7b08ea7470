// Page faults. There is no demand paging: a fault in user mode ends the
// process (SIGSEGV); a kernel fault on a user address inside copy_*_user
// resumes at the copy's fixup; any other kernel fault is a bug, reported with
// what was accessed and how (decoded error code) and the page-table entries
// that translate the address, then an oops.
#include <asm/pgtable.hpp>
#include <asm/processor.hpp>
#include <asm/ptrace.hpp>
#include <asm/traps.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/printk.hpp>
#include <kernel/process.hpp>
#include <kernel/uaccess.hpp>

void dump_pagetable(unsigned long address);

void do_page_fault(pt_regs* regs, u32 error_code) {
    unsigned long address = read_cr2();
    if (user_mode(regs)) {
        // Every page of a process is populated when it starts: a fault in user
        // mode is always the program's bug.
        force_sig_fault(SIGSEGV, (error_code & X86_PF_INSTR) ? "segfault (instruction fetch)" : "segfault", regs,
                        address);
    }
    if (address < TASK_SIZE) {
        // A kernel access to user memory that went wrong: copy_*_user's fixup.
        if (const exception_table_entry* e = search_exception_tables(regs->ip)) {
            ++process_stats.uaccess_faults;
            regs->ip = e->fixup;
            return;
        }
    }
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
