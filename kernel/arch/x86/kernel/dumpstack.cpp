// Oops reports: registers, control registers and a frame-pointer call trace with
// symbol names. The walk trusts nothing: every frame pointer must stay inside the
// kernel stack it started on and move towards its top, so a corrupt chain ends
// the trace instead of faulting inside the oops handler.
#include <asm/cpufeature.hpp>
#include <asm/asm_defs.hpp>
#include <asm/processor.hpp>
#include <asm/ptrace.hpp>
#include <kernel/bug.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/preempt.hpp>
#include <kernel/kallsyms.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>

constinit unsigned long oops_count = 0;

namespace {

constexpr unsigned kMaxFrames = 32;
constinit die_notifier_fn die_notifier = nullptr;
constinit bool in_oops = false;

const char* eflags_bit_names[] = {"CF", nullptr, "PF", nullptr, "AF", nullptr, "ZF", "SF",
                                  "TF", "IF", "DF", "OF"};

}  // namespace

void print_ip_sym(const char* prefix, u32 ip) {
    kallsym sym;
    if (kallsyms_lookup(ip, &sym))
        printk("%s[<%08x>] %s+0x%x/0x%x\n", prefix, ip, sym.name, ip - sym.start, sym.size);
    else
        printk("%s[<%08x>] ?\n", prefix, ip);
}

namespace {
void walk_frames(u32 bp) {
    u32 stack_lo = bp & ~static_cast<u32>(THREAD_SIZE - 1);
    u32 stack_hi = stack_lo + THREAD_SIZE;
    for (unsigned i = 0; i < kMaxFrames; ++i) {
        if (bp < stack_lo || bp + 8 > stack_hi || (bp & 3)) break;
        auto* frame = reinterpret_cast<const u32*>(bp);
        u32 next = frame[0];
        u32 ret = frame[1];
        if (ret == 0) break;
        print_ip_sym(" ", ret);
        if (next <= bp) break;  // frames must move up the stack
        bp = next;
    }
}
}  // namespace

void show_trace(u32 bp) {
    printk("Call Trace:\n");
    walk_frames(bp);
}

void dump_stack() {
    u32 bp;
    asm volatile("mov %%ebp, %0" : "=r"(bp));
    show_trace(bp);
}

void show_regs(const pt_regs* regs) {
    print_ip_sym("EIP: ", regs->ip);
    printk("EAX: %08x EBX: %08x ECX: %08x EDX: %08x\n", regs->ax, regs->bx, regs->cx, regs->dx);
    printk("ESI: %08x EDI: %08x EBP: %08x ESP: %08x\n", regs->si, regs->di, regs->bp,
           kernel_stack_pointer(regs));
    char flags[64] = "";
    size_t len = 0;
    for (unsigned b = 0; b < ARRAY_SIZE(eflags_bit_names); ++b)
        if (eflags_bit_names[b] && (regs->flags & (1u << b)))
            len += snprintf(flags + len, sizeof flags - len, " %s", eflags_bit_names[b]);
    printk("DS: %04x ES: %04x FS: %04x GS: %04x CS: %04x EFLAGS: %08x [%s ]\n", regs->ds & 0xFFFF,
           regs->es & 0xFFFF, regs->fs & 0xFFFF, regs->gs & 0xFFFF, regs->cs & 0xFFFF, regs->flags, flags);
    printk("CR0: %08x CR2: %08x CR3: %08x CR4: %08x\n", read_cr0(), read_cr2(), read_cr3(), read_cr4_safe());
    if (!user_mode(regs)) {
        printk("Call Trace:\n");
        kallsym sym;
        if (!kallsyms_lookup(regs->ip, &sym)) {
            // A jump or call to a bad address: the caller's return address is
            // probably on top of the stack (not proven, hence the "?").
            u32 top = *reinterpret_cast<const u32*>(kernel_stack_pointer(regs));
            if (kallsyms_lookup(top, &sym)) print_ip_sym(" ? ", top);
        }
        walk_frames(regs->bp);
    }
}

void register_die_notifier(die_notifier_fn fn) { die_notifier = fn; }

unsigned oops_begin() {
    local_irq_disable();
    if (in_oops) {
        printk("Oops while reporting an oops: giving up\n");
        panic("recursive oops");
    }
    in_oops = true;
    return static_cast<unsigned>(++oops_count);
}

void oops_end(const pt_regs* regs, const char* reason) {
    (void)regs;
    in_oops = false;
    if (die_notifier) die_notifier(reason);
    if (in_interrupt()) panic("Fatal exception in interrupt");
    if (!task_can_die()) panic("Fatal exception");
    printk("---[ end trace: %s ]---\n", reason);
    make_task_dead();
}

void die(const char* str, pt_regs* regs, u32 err) {
    unsigned n = oops_begin();
    printk("Oops: %s: %04x [#%u]\n", str, err, n);
    show_regs(regs);
    oops_end(regs, str);
}
