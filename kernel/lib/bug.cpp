// BUG/WARN reports: the #UD handler asks report_bug() whether the faulting ud2
// belongs to a BUG() or WARN() site (see kernel/bug.hpp).
#include <asm/ptrace.hpp>
#include <kernel/bug.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/printk.hpp>

extern "C" bug_entry __start___bug_table[], __stop___bug_table[];

constinit unsigned long warn_count = 0;

namespace {
bug_entry* find_bug(u32 addr) {
    for (bug_entry* b = __start___bug_table; b < __stop___bug_table; ++b)
        if (b->bug_addr == addr) return b;
    return nullptr;
}
}  // namespace

bug_trap_type report_bug(u32 bug_addr, pt_regs* regs) {
    bug_entry* bug = find_bug(bug_addr);
    if (!bug) return bug_trap_type::none;
    if (bug->flags & BUGFLAG_WARNING) {
        ++warn_count;
        printk("------------[ cut here ]------------\n");
        printk("WARNING: at %s:%u\n", bug->file, bug->line);
        show_regs(regs);
        printk("---[ end trace ]---\n");
        return bug_trap_type::warn;
    }
    printk("------------[ cut here ]------------\n");
    printk("kernel BUG at %s:%u!\n", bug->file, bug->line);
    return bug_trap_type::bug;
}
