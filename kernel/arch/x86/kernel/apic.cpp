// The local APIC on the APIC interrupt path: enabling it, EOI, the spurious and
// error vectors, and the timer that replaces the PIT tick (Intel SDM vol. 3A,
// chapter 10; Linux's arch/x86/kernel/apic/apic.c).
#include <asm/apic.hpp>
#include <asm/cpufeature.hpp>
#include <asm/io.hpp>
#include <asm/layout.hpp>
#include <asm/pgtable.hpp>
#include <asm/processor.hpp>
#include <asm/ptrace.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/preempt.hpp>
#include <kernel/printk.hpp>
#include <kernel/sched.hpp>

constinit bool apic_mode = false;
constinit bool apic_requested = false;
constinit u32 lapic_timer_counts_per_tick = 0;
constinit u64 apic_timer_irqs = 0, apic_spurious_irqs = 0, apic_error_irqs = 0;

namespace {
volatile u32* lapic_regs() { return reinterpret_cast<volatile u32*>(fix_to_virt(FIX_APIC_BASE)); }

constexpr u16 PIT_CH2 = 0x42, PIT_MODE = 0x43, PORT_B = 0x61;
constexpr u8 PORT_B_GATE2 = 0x01, PORT_B_SPEAKER = 0x02, PORT_B_OUT2 = 0x20;
constexpr u32 PIT_TICK_RATE = 1193182;
constexpr u32 PIT_LATCH = (PIT_TICK_RATE + HZ / 2) / HZ;  // one tick of PIT input clocks
}  // namespace

u32 apic_read(u32 reg) { return lapic_regs()[reg / 4]; }
void apic_write(u32 reg, u32 value) { lapic_regs()[reg / 4] = value; }
void apic_eoi() { apic_write(APIC_EOI, 0); }

bool setup_local_APIC() {
    if (!boot_cpu_has(x86_feature::APIC) || !boot_cpu_has(x86_feature::MSR)) {
        printk("apic: this CPU has no local APIC with IA32_APIC_BASE (CPUID.1:EDX.APIC or MSR clear): staying on "
               "the 8259 and the PIT\n");
        return false;
    }
    u64 base = rdmsr(MSR_IA32_APICBASE);
    if (!(base & MSR_IA32_APICBASE_ENABLE)) wrmsr(MSR_IA32_APICBASE, base | MSR_IA32_APICBASE_ENABLE);
    u64 phys = base & 0xFFFFF000ull;
    // Uncached, as every MMIO mapping: the registers have side effects.
    set_kernel_pte(fix_to_virt(FIX_APIC_BASE), static_cast<unsigned long>(phys >> PAGE_SHIFT),
                   pgprot_t{PAGE_KERNEL().val | _PAGE_PCD | _PAGE_PWT});
    apic_write(APIC_TASKPRI, 0);
    apic_write(APIC_SPIV, APIC_SPIV_APIC_ENABLED | SPURIOUS_APIC_VECTOR);
    // Symmetric I/O mode: the 8259's virtual wire (LINT0 ExtINT) is closed,
    // every ISA IRQ comes through the I/O APIC (Linux's connect_bsp_APIC).
    apic_write(APIC_LVT0, APIC_LVT_MASKED | APIC_DM_EXTINT);
    apic_write(APIC_LVT1, APIC_DM_NMI);
    apic_write(APIC_LVTERR, ERROR_APIC_VECTOR);
    apic_write(APIC_ESR, 0);  // a write latches the current errors (none expected)
    apic_write(APIC_ESR, 0);
    apic_write(APIC_LVTT, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
    printk("apic: local APIC at %#llx, id %u, version %#x\n", phys, apic_read(APIC_ID) >> 24,
           apic_read(APIC_LVR) & 0xFF);
    return true;
}

namespace {
struct pit_window {
    u32 counts, slack;
};

pit_window pit_measure_window(u32 pit_counts) {
    // The timer counts down from ~0, masked, one-shot. Each end of the window
    // is bracketed by two reads of the current count around the event (the
    // PIT count written; the PIT's OUT seen high): a host that stops the CPU
    // between them (QEMU under load) makes the bracket wide.
    apic_write(APIC_TDCR, APIC_TDR_DIV_16);
    apic_write(APIC_LVTT, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
    apic_write(APIC_TMICT, 0xFFFFFFFF);
    outb(static_cast<u8>((inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2), PORT_B);
    outb(0xB0, PIT_MODE);  // channel 2, lobyte/hibyte, mode 0 (OUT high at terminal count), binary
    outb(pit_counts & 0xFF, PIT_CH2);
    u32 start_before = apic_read(APIC_TMCCT);
    outb(static_cast<u8>(pit_counts >> 8), PIT_CH2);  // counting starts with the high byte
    u32 start_after = apic_read(APIC_TMCCT);
    u32 last_low = start_after;
    for (;;) {
        u32 c = apic_read(APIC_TMCCT);
        if (inb(PORT_B) & PORT_B_OUT2) {
            u32 end_after = apic_read(APIC_TMCCT);
            apic_write(APIC_TMICT, 0);
            pit_window w;
            // Midpoints of both brackets; the slack is both widths.
            w.counts = (start_before - (start_before - start_after) / 2) - (last_low - (last_low - end_after) / 2);
            w.slack = (start_before - start_after) + (last_low - end_after);
            return w;
        }
        last_low = c;
    }
}

}  // namespace

void setup_apic_timer() {
    // Local APIC counts per tick: how far the timer runs while PIT channel 2
    // counts five ticks of its 1.193182 MHz clock (the most its 16-bit count
    // holds; Linux's calibrate_APIC_clock measures against the PIT tick too),
    // divided by five. Windows whose brackets exceed 0.1% are dropped; two
    // good windows that agree within 0.05% decide (hm386: the first two, its
    // time is virtual), otherwise the median of three good ones. QEMU's clocks
    // are the host's: a loaded host stalls the CPU at device accesses, and
    // single windows were seen off by 14% with narrow brackets.
    constexpr unsigned TICKS = 5;
    static_assert(TICKS * PIT_LATCH <= 0xFFFF, "PIT channel 2 counts 16 bits");
    u32 good[3];
    unsigned n = 0;
    pit_window best{0, ~0u};
    int attempts = 0;
    u32 counts = 0;
    while (attempts < 30) {
        pit_window w = pit_measure_window(TICKS * PIT_LATCH);
        ++attempts;
        if (w.slack < best.slack) best = w;
        if (u64{w.slack} * 1000 > w.counts) continue;
        for (unsigned i = 0; i < n && !counts; ++i) {
            u32 d = good[i] > w.counts ? good[i] - w.counts : w.counts - good[i];
            if (u64{d} * 2000 <= w.counts) counts = static_cast<u32>((u64{good[i]} + w.counts) / 2);
        }
        if (counts) break;
        good[n++] = w.counts;
        if (n == 3) {
            for (unsigned i = 0; i < 3; ++i)
                for (unsigned j = i + 1; j < 3; ++j)
                    if (good[j] < good[i]) {
                        u32 t = good[i];
                        good[i] = good[j];
                        good[j] = t;
                    }
            counts = good[1];
            break;
        }
    }
    if (!counts) {
        counts = best.counts;
        printk("apic: timer calibration uncertain: the narrowest of %d windows is +-%u counts of %u\n", attempts,
               best.slack / 2, best.counts);
    }
    lapic_timer_counts_per_tick = counts >= TICKS ? counts / TICKS : 1;
    // The PIT's channel 0 no longer drives anything; stop its rate generator
    // (mode 0 waits for a count that never comes).
    outb(0x30, PIT_MODE);
    apic_write(APIC_LVTT, APIC_LVT_TIMER_PERIODIC | LOCAL_TIMER_VECTOR);
    apic_write(APIC_TMICT, lapic_timer_counts_per_tick);
    u64 hz = u64{lapic_timer_counts_per_tick} * 16 * HZ;
    printk("apic: timer calibrated against the PIT: %u counts per tick (divide 16), input clock %llu.%03llu MHz; "
           "periodic at %u Hz on vector %#x\n",
           lapic_timer_counts_per_tick, hz / 1000000, hz / 1000 % 1000, HZ, LOCAL_TIMER_VECTOR);
}

void smp_apic_timer_interrupt(pt_regs* regs) {
    preempt_count_add(HARDIRQ_OFFSET);
    if (smp_processor_id() == 0) {
        ++apic_timer_irqs;
        do_timer();  // jiffies: the BSP's tick only
    } else {
        update_process_times();
    }
    apic_eoi();
    preempt_count_sub(HARDIRQ_OFFSET);
    irqentry_exit_cond_resched(regs);
}

// A spurious vector is not in service: no EOI (SDM 10.9).
void smp_spurious_interrupt(pt_regs*) { ++apic_spurious_irqs; }

void smp_error_interrupt(pt_regs*) {
    apic_write(APIC_ESR, 0);
    u32 esr = apic_read(APIC_ESR);
    ++apic_error_irqs;
    apic_eoi();
    printk("apic: error interrupt, ESR %#x\n", esr);
}
