// The double-fault handler, a task of its own as in Linux's i386
// doublefault_32.c. A #DF means the CPU could not deliver an exception: most
// often a kernel stack overflow, where the #PF on the unmapped page below the
// stack cannot push its frame on that same stack. An ordinary interrupt gate
// would need that stack too and the CPU would triple-fault (a silent reset),
// so vector 8 is a task gate: the CPU saves the faulting state into the
// current TSS (cpu_tss) and switches to doublefault_tss, which has its own
// stack. The handler reports from the saved state and panics; the faulting
// context cannot be resumed.
#include <asm/cpufeature.hpp>
#include <asm/desc.hpp>
#include <asm/irqflags.hpp>
#include <asm/pgtable.hpp>
#include <asm/processor.hpp>
#include <asm/segment.hpp>
#include <asm/traps.hpp>
#include <kernel/bug.hpp>
#include <kernel/dumpstack.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>

extern "C" u64 gdt_table[GDT_ENTRIES];
extern "C" [[noreturn]] void doublefault_fn();

namespace {

// THREAD_SIZE aligned, so the stack-trace walker's bounds apply to it.
alignas(THREAD_SIZE) constinit u8 doublefault_stack[THREAD_SIZE];
constinit tss_struct doublefault_tss{};

bool mapped(u32 va) { return kernel_virt_to_phys(va, nullptr, nullptr); }

}  // namespace

void doublefault_init() {
    tss_struct& t = doublefault_tss;
    // Where the task starts: doublefault_fn on its own stack (the CPU pushes
    // the #DF error code, 0, which then reads as a null return address).
    t.eip = reinterpret_cast<u32>(&doublefault_fn);
    t.esp = reinterpret_cast<u32>(doublefault_stack + sizeof doublefault_stack);
    t.ebp = 0;
    t.eflags = 0x2;  // interrupts off
    t.cs = __KERNEL_CS;
    t.ss = t.ds = t.es = t.gs = __KERNEL_DS;
    t.fs = __KERNEL_PERCPU;  // the BSP's per-CPU data (asm/percpu.hpp)
    t.ss0 = __KERNEL_DS;
    t.esp0 = t.esp;
    t.cr3 = static_cast<u32>(__pa(swapper_pg_dir));  // the kernel half is the same in every address space
    t.ldt = 0;
    t.io_bitmap_base = sizeof(tss_struct);
    gdt_table[GDT_ENTRY_DOUBLEFAULT_TSS] = tss_descriptor(&doublefault_tss);
    set_task_gate(X86_TRAP_DF, __DOUBLEFAULT_TSS_SEL);
}

// The double-fault task. cpu_tss holds the registers of the context that
// faulted (the CPU saved them there at the task switch).
extern "C" void doublefault_fn() {
    const tss_struct& f = cpu_tss;
    unsigned n = oops_begin();
    printk("double fault: the CPU could not deliver an exception; reporting from the double-fault task "
           "(task gate, own stack)\n");
    printk("Oops: double fault [#%u] in %s[%d]\n", n, current->comm, current->pid);
    print_ip_sym("EIP: ", f.eip);
    printk("EAX: %08x EBX: %08x ECX: %08x EDX: %08x\n", f.eax, f.ebx, f.ecx, f.edx);
    printk("ESI: %08x EDI: %08x EBP: %08x ESP: %08x\n", f.esi, f.edi, f.ebp, f.esp);
    printk("DS: %04x ES: %04x FS: %04x GS: %04x CS: %04x SS: %04x EFLAGS: %08x\n", f.ds, f.es, f.fs, f.gs, f.cs, f.ss,
           f.eflags);
    printk("CR0: %08x CR2: %08x CR3: %08x CR4: %08x\n", read_cr0(), read_cr2(), read_cr3(), read_cr4_safe());
    if (!mapped(f.esp) || !mapped(f.esp - 4)) {
        u32 bottom = (f.esp & PAGE_MASK) + (mapped(f.esp) ? 0 : PAGE_SIZE);
        printk("double fault: kernel stack overflow: ESP %08x reached the unmapped page below the stack "
               "(its lowest mapped address is %08x), so the #PF could not push its frame\n",
               f.esp, bottom);
    }
    if (mapped(f.ebp)) show_trace(f.ebp);
    panic("double fault");
}
