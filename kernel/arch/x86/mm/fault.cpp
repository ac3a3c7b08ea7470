// Page faults.
//
// A fault at a user address is demand paging when it falls inside one of the
// process's regions and respects its rights: a fresh page is mapped there
// (handle_mm_fault) and the instruction runs again. A fault just below a
// stack region grows the stack first. Who may take such a fault: the process
// itself in user mode, and the kernel inside copy_to/from_user (the only code
// allowed to touch user memory; its instructions are in the exception table).
// Faults are not handled with page faults disabled (kmap_atomic,
// pagefault_disable) or in atomic context, where sleeping is impossible
// (Linux's faulthandler_disabled()).
//
// Anything else at a user address: the process gets a "segfault" line and
// dies (SIGSEGV), or the copy resumes at its fixup and returns what it could
// not copy. Any other kernel fault is a bug, reported with what was accessed
// and how (decoded error code) and the page-table entries for the address,
// then an oops.
#include <asm/pgtable.hpp>
#include <asm/processor.hpp>
#include <asm/ptrace.hpp>
#include <asm/traps.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/highmem.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/printk.hpp>
#include <kernel/process.hpp>
#include <kernel/uaccess.hpp>

void dump_pagetable(unsigned long address);

namespace {

enum class fault_result { handled, bad_area, oom, not_ours };

const char* access_kind(u32 error_code) {
    if (error_code & X86_PF_INSTR) return "instruction fetch";
    return (error_code & X86_PF_WRITE) ? "write" : "read";
}

// A fault at a user address: look up the region and populate the page.
// *why says what was wrong for a bad access.
fault_result do_user_addr_fault(pt_regs* regs, u32 error_code, unsigned long address, const char** why) {
    bool from_uaccess = !user_mode(regs) && search_exception_tables(regs->ip);
    // The kernel may touch user memory only through copy_to/from_user.
    if (!user_mode(regs) && !from_uaccess) return fault_result::not_ours;
    mm_struct* mm = current->mm;
    if (!mm || pagefault_disabled() || in_atomic() || !(regs->flags & X86_EFLAGS_IF)) {
        *why = mm ? "page faults disabled" : "no user address space";
        return fault_result::bad_area;
    }
    ++vm_events.user_faults;
    // The interrupted code ran with interrupts on: so may we, and we may sleep.
    local_irq_enable();
    fault_result r = fault_result::bad_area;
    {
        MutexGuard lock(mm->mmap_lock);
        vm_area_struct* vma = find_vma(mm, address);
        if (!vma) vma = expand_stack(mm, address);
        if (!vma) {
            *why = "no region there";
        } else if (error_code & X86_PF_PROT) {
            // Every page is mapped with its region's full rights: a present
            // page refusing the access means the region refuses it too.
            *why = (error_code & X86_PF_INSTR) ? "region not executable" : "region is read-only";
        } else if ((error_code & X86_PF_WRITE) && !(vma->vm_flags & VM_WRITE)) {
            *why = "region is read-only";
        } else if ((error_code & X86_PF_INSTR) && !(vma->vm_flags & VM_EXEC)) {
            *why = "region not executable";
        } else if (handle_mm_fault(mm, vma, address) == vm_fault::done) {
            ++vm_events.demand_pages;
            if (from_uaccess) ++vm_events.uaccess_pages;
            r = fault_result::handled;
        } else {
            *why = "out of memory";
            r = fault_result::oom;
        }
    }
    local_irq_disable();
    return r;
}

[[noreturn]] void kernel_fault_oops(pt_regs* regs, u32 error_code, unsigned long address) {
    unsigned n = oops_begin();
    if (address < PAGE_SIZE)
        printk("BUG: kernel NULL pointer dereference, address: %08lx\n", address);
    else
        printk("BUG: unable to handle page fault for address: %08lx\n", address);
    printk("#PF: %s %s access in %s mode\n", (error_code & X86_PF_USER) ? "user" : "supervisor",
           access_kind(error_code), user_mode(regs) ? "user" : "kernel");
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

}  // namespace

void do_page_fault(pt_regs* regs, u32 error_code) {
    unsigned long address = read_cr2();  // before anything can fault again
    const char* why = "kernel address";
    fault_result r = address < TASK_SIZE ? do_user_addr_fault(regs, error_code, address, &why)
                                         : fault_result::not_ours;
    if (r == fault_result::handled) {
        // Back to the faulting instruction, after a reschedule or kill if one
        // is pending (as on any return from an interrupt).
        irqentry_exit_cond_resched(regs);
        return;
    }
    if (user_mode(regs)) {
        ++vm_events.bad_area;
        char detail[96];
        snprintf(detail, sizeof detail, "%s %s, %s", access_kind(error_code),
                 (error_code & X86_PF_PROT) ? "denied" : "of a missing page", why);
        if (r == fault_result::oom) force_sig_fault(SIGKILL, "page fault", regs, address, detail);
        force_sig_fault(SIGSEGV, "segfault", regs, address, detail);
    }
    if (r != fault_result::not_ours) {
        // A kernel access to user memory that went wrong: copy_*_user's fixup.
        if (const exception_table_entry* e = search_exception_tables(regs->ip)) {
            ++vm_events.bad_area;
            ++process_stats.uaccess_faults;
            regs->ip = e->fixup;
            return;
        }
    }
    kernel_fault_oops(regs, error_code, address);
}
