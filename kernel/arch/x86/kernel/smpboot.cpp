// Bringing up the application processors (Intel SDM vol. 3A 8.4.4, "MP
// initialization example"; Linux's arch/x86/kernel/smpboot.c): per AP, INIT,
// a 10 ms wait, then two STARTUP IPIs 200 us apart naming the trampoline's
// page; the AP runs trampoline_32.S and start_secondary() below, and says it
// is online. One AP at a time, each with its own stack and idle task.
//
// What an AP does once online: it starts its local APIC timer (the BSP's
// calibration, periodic at HZ) and becomes its idle thread, which runs the
// scheduler: threads run on every CPU (sched/core.cpp), and the AP answers
// call-function and reschedule IPIs (smp.cpp; docs/kernel.md, "SMP").
#include <asm/apic.hpp>
#include <asm/desc.hpp>
#include <asm/fpu.hpp>
#include <asm/io.hpp>
#include <asm/layout.hpp>
#include <asm/pgtable.hpp>
#include <asm/processor.hpp>
#include <asm/segment.hpp>
#include <asm/smp.hpp>
#include <asm/tlbflush.hpp>
#include <kernel/cmdline.hpp>
#include <kernel/gfp.hpp>
#include <kernel/highmem.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>
#include <kernel/string.hpp>

extern "C" {
extern const u8 trampoline_start[], trampoline_end[];
extern u64 gdt_table[GDT_ENTRIES];
// Read by ap_startup_32 at their physical addresses (paging still off).
constinit u32 ap_boot_cr0 = 0, ap_boot_cr3 = 0, ap_boot_cr4 = 0, ap_boot_nx = 0;
constinit u32 ap_boot_stack = 0;
void start_secondary();
}

constinit bool smp_disabled = false;
constinit unsigned smp_max_cpus = NR_CPUS;

namespace {

constinit volatile u32 cpu_online_mask = 1;  // the BSP
constinit volatile unsigned ap_boot_cpu = 0;
// Each AP's GDT: the BSP's, with the per-CPU segment based at its offset.
alignas(8) constinit u64 ap_gdt[NR_CPUS][GDT_ENTRIES]{};
constinit task_struct ap_idle_tasks[NR_CPUS]{};
// Each AP's TSS (its ring-0 stack for interrupts from user mode).
constinit tss_struct ap_tss[NR_CPUS]{};

bool parse_nosmp(const char* v) {
    smp_disabled = true;
    return !*v;
}
early_param("nosmp", parse_nosmp, "nosmp takes no value");

bool parse_maxcpus(const char* v) {
    u64 n;
    if (!parse_uint(v, &n)) return false;
    smp_max_cpus = n == 0 ? 1 : (n > NR_CPUS ? NR_CPUS : static_cast<unsigned>(n));
    if (n == 0) smp_disabled = true;  // Linux: maxcpus=0 is nosmp
    return true;
}
early_param("maxcpus", parse_maxcpus, "maxcpus=N: at most N CPUs (a decimal number)");

u64 flat_data_descriptor(u32 base) {
    // Present, DPL 0, read/write data, 4 KiB granularity, 32-bit, limit 4 GiB.
    return 0xFFFFull | (u64{base & 0xFFFFFF} << 16) | (u64{0x92} << 40) | (u64{0xCF} << 48) |
           (u64{base >> 24} << 56);
}

// QEMU's firmware configuration device (also hm386's): FW_CFG_NB_CPUS, when
// the signature is there. Used when there is no ACPI MADT (a Multiboot boot
// under hm386 has none).
unsigned fw_cfg_nb_cpus() {
    constexpr u16 FW_CFG_CTL = 0x510, FW_CFG_DATA = 0x511;
    outw(0x0000, FW_CFG_CTL);  // FW_CFG_SIGNATURE
    char sig[4];
    for (char& c : sig) c = static_cast<char>(inb(FW_CFG_DATA));
    if (memcmp(sig, "QEMU", 4) != 0) return 1;
    outw(0x0005, FW_CFG_CTL);  // FW_CFG_NB_CPUS, 16 bits little-endian
    unsigned lo = inb(FW_CFG_DATA);
    return lo | (unsigned{inb(FW_CFG_DATA)} << 8);
}

// Busy-waits about us microseconds on the local APIC timer (periodic, reloaded
// with lapic_timer_counts_per_tick every 1/HZ s).
void udelay(u32 us) {
    const u32 period = lapic_timer_counts_per_tick;
    u64 left = u64{us} * period / (1000000 / HZ) + 1;
    u32 prev = apic_read(APIC_TMCCT);
    while (left) {
        u32 now = apic_read(APIC_TMCCT);
        u32 d = prev >= now ? prev - now : prev + (period - now);
        left = d >= left ? 0 : left - d;
        prev = now;
        asm volatile("pause");
    }
}

void mdelay_jiffies(unsigned ms) {
    u64 end = get_jiffies_64() + msecs_to_jiffies(ms) + 1;
    while (get_jiffies_64() < end) asm volatile("pause");
}

void send_init_or_startup(u32 apic_id, u32 icr) {
    apic_write(APIC_ICR2, apic_id << 24);
    apic_write(APIC_ICR, icr);
    while (apic_read(APIC_ICR) & (1u << 12)) asm volatile("pause");  // delivery status: pending
}

// A page directory for the switch to paging on an AP: swapper_pg_dir plus an
// identity alias of low memory (the same page tables as PAGE_OFFSET's), as
// paging_init's own switch had (arch/x86/mm/init.cpp).
u32 make_trampoline_pgd() {
    unsigned long page = get_zeroed_page(GFP_KERNEL);
    if (!page) return 0;
    if (pae_enabled()) {
        auto* pdpt = reinterpret_cast<u64*>(page);
        memcpy(pdpt, swapper_pg_dir, 4 * sizeof(u64));
        pdpt[0] = pdpt[3];
    } else {
        auto* pgd = reinterpret_cast<u32*>(page);
        memcpy(pgd, swapper_pg_dir, PAGE_SIZE);
        unsigned first = static_cast<unsigned>(PAGE_OFFSET >> paging->pmd_shift);
        for (unsigned i = 0; i < 4; ++i) pgd[i] = pgd[first + i];  // the first 16 MiB (2-level: 4 MiB each)
    }
    return static_cast<u32>(__pa(page));
}

bool boot_cpu(unsigned cpu, u32 apic_id) {
    page* stack = alloc_pages(GFP_KERNEL, 1);  // THREAD_SIZE, naturally aligned
    if (!stack) return false;
    void* base = page_address(stack);
    *static_cast<u32*>(base) = STACK_END_MAGIC;
    task_struct& idle = ap_idle_tasks[cpu];
    idle.state = TASK_RUNNING;
    idle.flags = PF_KTHREAD | PF_IDLE;
    idle.stack = base;
    idle.pid = 0;
    snprintf(idle.comm, sizeof idle.comm, "swapper/%u", cpu);
    idle.refcount = 1;
    INIT_LIST_HEAD(&idle.run_list);
    INIT_LIST_HEAD(&idle.tasks);
    init_waitqueue_head(&idle.exit_wait);
    idle.cpu = cpu;
    idle.on_cpu = 1;
    idle.cpus_allowed = 1u << cpu;

    cpu_data& d = per_cpu_data(cpu);
    d = cpu_data{};
    d.curr = &idle;
    d.idle = &idle;
    ap_tss[cpu].ss0 = __KERNEL_DS;
    ap_tss[cpu].esp0 = reinterpret_cast<u32>(base) + THREAD_SIZE;
    ap_tss[cpu].io_bitmap_base = sizeof(tss_struct);  // beyond the limit: no bitmap
    d.tss = &ap_tss[cpu];
    d.cpu = cpu;
    d.kmap_slot_base = KM_SLOTS_PER_CPU * cpu;
    d.apic_id = apic_id;
    memcpy(ap_gdt[cpu], gdt_table, sizeof ap_gdt[cpu]);
    ap_gdt[cpu][GDT_ENTRY_PERCPU] =
        flat_data_descriptor(static_cast<u32>(reinterpret_cast<unsigned long>(&d) -
                                              reinterpret_cast<unsigned long>(&percpu_area[0])));
    // Its own TSS: the BSP's descriptor in the copy is marked busy (LTR would #GP).
    ap_gdt[cpu][GDT_ENTRY_TSS] = tss_descriptor(&ap_tss[cpu]);
    ap_boot_cpu = cpu;
    ap_boot_stack = reinterpret_cast<u32>(base) + THREAD_SIZE;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    // SDM 8.4.4.1: INIT, 10 ms, STARTUP, 200 us, STARTUP (an AP already
    // running ignores the second).
    constexpr u32 ICR_INIT = 0x00004500, ICR_STARTUP = 0x00004600;  // level assert, physical
    send_init_or_startup(apic_id, ICR_INIT);
    mdelay_jiffies(10);
    for (int i = 0; i < 2 && !cpu_online(cpu); ++i) {
        send_init_or_startup(apic_id, ICR_STARTUP | (SMP_TRAMPOLINE_PHYS >> PAGE_SHIFT));
        udelay(200);
    }
    // Linux waits up to 10 s; 1 s is plenty for an emulator or QEMU.
    u64 give_up = get_jiffies_64() + HZ;
    while (!cpu_online(cpu) && get_jiffies_64() < give_up) asm volatile("pause");
    if (!cpu_online(cpu)) {
        printk("smp: CPU %u (APIC id %u) did not come up\n", cpu, apic_id);
        return false;
    }
    return true;
}

}  // namespace

bool smp_may_start_aps() { return apic_requested && !smp_disabled && smp_max_cpus > 1; }

unsigned num_online_cpus() { return static_cast<unsigned>(__builtin_popcount(cpu_online_mask)); }
bool cpu_online(unsigned cpu) { return cpu < NR_CPUS && (cpu_online_mask & (1u << cpu)); }
cpu_data& per_cpu_data(unsigned cpu) { return percpu_area[cpu]; }

extern "C" void start_secondary() {
    const unsigned cpu = ap_boot_cpu;
    struct __attribute__((packed)) {
        u16 size;
        u32 address;
    } gdtr{sizeof ap_gdt[cpu] - 1, reinterpret_cast<u32>(ap_gdt[cpu])};
    asm volatile("lgdt %0\n\tmov %1, %%fs" ::"m"(gdtr), "r"(__KERNEL_PERCPU) : "memory");
    asm volatile("ltr %w0\n\tlldt %w1" ::"r"(__TSS_SEL), "r"(0));
    idt_load();
    // Off the trampoline directory: its identity entries reused the kernel's
    // global PTEs, which only a CR4.PGE toggle drops.
    write_cr3(static_cast<u32>(__pa(swapper_pg_dir)));
    __flush_tlb_all();
    apic_write(APIC_TASKPRI, 0);
    apic_write(APIC_SPIV, APIC_SPIV_APIC_ENABLED | SPURIOUS_APIC_VECTOR);
    apic_write(APIC_LVT0, APIC_LVT_MASKED | APIC_DM_EXTINT);
    apic_write(APIC_LVT1, APIC_DM_NMI);
    apic_write(APIC_LVTERR, ERROR_APIC_VECTOR);
    apic_write(APIC_LVTT, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
    this_cpu_write(apic_id, apic_read(APIC_ID) >> 24);
    fpu_init_secondary();  // CR0 came from the BSP (MP, NE; TS cleared for the trampoline)
    // Its tick: the local APIC timer with the BSP's calibration (every local
    // APIC timer runs on the same bus clock; Linux calibrates once too).
    apic_write(APIC_TDCR, APIC_TDR_DIV_16);
    apic_write(APIC_LVTT, APIC_LVT_TIMER_PERIODIC | LOCAL_TIMER_VECTOR);
    apic_write(APIC_TMICT, lapic_timer_counts_per_tick);
    __atomic_fetch_or(&cpu_online_mask, 1u << cpu, __ATOMIC_SEQ_CST);
    cpu_startup_entry();  // the idle thread: the scheduler runs threads here
}

unsigned smp_firmware_cpu_count() { return acpi_madt.found ? acpi_madt.nr_cpus : fw_cfg_nb_cpus(); }

void smp_init() {
    if (!apic_mode || smp_disabled || smp_max_cpus < 2) return;
    unsigned n = smp_firmware_cpu_count();
    if (n < 2) return;
    if (n > smp_max_cpus) n = smp_max_cpus;
    const u32 bsp_id = apic_read(APIC_ID) >> 24;
    percpu_area[0].apic_id = bsp_id;
    u32 pgd = make_trampoline_pgd();
    if (!pgd) {
        printk("smp: no memory for the trampoline page directory: the BSP runs alone\n");
        return;
    }
    ap_boot_cr0 = read_cr0() & ~X86_CR0_TS;
    ap_boot_cr3 = pgd;
    ap_boot_cr4 = read_cr4();
    ap_boot_nx = (__supported_pte_mask & _PAGE_NX) ? 1 : 0;
    memcpy(__va(SMP_TRAMPOLINE_PHYS), trampoline_start, static_cast<size_t>(trampoline_end - trampoline_start));
    unsigned next_cpu = 1;
    for (unsigned i = 0; i < n && next_cpu < NR_CPUS; ++i) {
        u32 id = acpi_madt.found ? (i < ARRAY_SIZE(acpi_madt.cpu_apic_id) ? acpi_madt.cpu_apic_id[i] : 0xFF) : i;
        if (id == bsp_id || id == 0xFF) continue;
        if (boot_cpu(next_cpu, id)) ++next_cpu;
    }
    free_page(reinterpret_cast<unsigned long>(__va(pgd)));
    printk("smp: Brought up 1 node, %u CPUs (%s)\n", num_online_cpus(),
           acpi_madt.found ? "from the ACPI MADT" : "from fw_cfg: no MADT");
}
