// The APIC interrupt path (boot option "apic"): the local APIC (timer, EOI,
// spurious and error vectors) and the I/O APIC (ISA IRQs routed as the ACPI
// MADT says), instead of the 8259 pair and the PIT tick. Linux's names
// (apic_read, apic_write, apic_eoi, setup_local_APIC, setup_IO_APIC).
#pragma once
#include <kernel/types.hpp>

struct pt_regs;

// Vectors as Linux numbers them (arch/x86/include/asm/irq_vectors.h). ISA IRQ n
// keeps vector FIRST_EXTERNAL_VECTOR + n in both modes.
constexpr unsigned LOCAL_TIMER_VECTOR = 0xEC;
constexpr unsigned ERROR_APIC_VECTOR = 0xFE;
constexpr unsigned SPURIOUS_APIC_VECTOR = 0xFF;

// Local APIC registers (Intel SDM vol. 3A, table 10-1).
constexpr u32 APIC_ID = 0x20, APIC_LVR = 0x30, APIC_TASKPRI = 0x80, APIC_EOI = 0xB0, APIC_SPIV = 0xF0,
              APIC_ISR = 0x100, APIC_IRR = 0x200, APIC_ESR = 0x280, APIC_ICR = 0x300, APIC_ICR2 = 0x310,
              APIC_LVTT = 0x320, APIC_LVT0 = 0x350, APIC_LVT1 = 0x360, APIC_LVTERR = 0x370,
              APIC_TMICT = 0x380, APIC_TMCCT = 0x390, APIC_TDCR = 0x3E0;
constexpr u32 APIC_SPIV_APIC_ENABLED = 1u << 8;
constexpr u32 APIC_LVT_MASKED = 1u << 16;
constexpr u32 APIC_LVT_TIMER_PERIODIC = 1u << 17;
constexpr u32 APIC_DM_NMI = 0x400, APIC_DM_EXTINT = 0x700;
constexpr u32 APIC_TDR_DIV_16 = 0x3;
constexpr u32 MSR_IA32_APICBASE = 0x1B;
constexpr u64 MSR_IA32_APICBASE_ENABLE = 1u << 11;

// I/O APIC redirection entry bits (82093AA datasheet, 3.2.4).
constexpr u64 IO_APIC_RTE_POLARITY_LOW = 1u << 13;
constexpr u64 IO_APIC_RTE_LEVEL = 1u << 15;
constexpr u64 IO_APIC_RTE_MASKED = 1u << 16;

// True once init_IRQ() has switched to the APIC path; false on the 8259 path
// (the default, and the fallback when the CPU has no local APIC).
extern bool apic_mode;
// "apic" was on the command line (whether or not the switch succeeded).
extern bool apic_requested;

u32 apic_read(u32 reg);
void apic_write(u32 reg, u32 value);
void apic_eoi();
// Maps and software-enables the BSP's local APIC, LINT0 masked (no 8259
// virtual wire), LINT1 NMI, the error and spurious vectors. False (nothing
// changed) when the CPU has none.
bool setup_local_APIC();
// Finds the I/O APIC and the ISA overrides (MADT, or the PC defaults when the
// firmware has no ACPI tables) and masks every pin.
void setup_IO_APIC();
void io_apic_unmask_irq(unsigned irq);
void io_apic_mask_irq(unsigned irq);
// The pin an ISA IRQ arrives on (2 for IRQ 0 on a PC), and that pin's entry.
unsigned io_apic_pin_of_irq(unsigned irq);
u64 io_apic_read_rte(unsigned pin);
// Calibrates the local APIC timer against PIT channel 2 and starts it
// periodic at HZ on LOCAL_TIMER_VECTOR.
void setup_apic_timer();
// The calibration's result: local APIC timer counts (after the divide by 16)
// per tick.
extern u32 lapic_timer_counts_per_tick;
// Local-timer, spurious and error interrupts handled since boot.
extern u64 apic_timer_irqs, apic_spurious_irqs, apic_error_irqs;

// Entry points from do_interrupt().
void smp_apic_timer_interrupt(pt_regs* regs);
void smp_spurious_interrupt(pt_regs* regs);
void smp_error_interrupt(pt_regs* regs);

// What the firmware's ACPI MADT says (acpi_madt.cpp); found = false without one.
struct madt_info {
    bool found;
    u32 lapic_addr;
    unsigned nr_cpus;      // enabled local APIC entries
    u8 cpu_apic_id[8];     // the first eight CPUs' APIC ids
    u32 ioapic_addr;
    u8 ioapic_id;
    u32 ioapic_gsi_base;
    // ISA IRQ -> GSI and the MPS INTI flags (polarity bits 1:0, trigger 3:2);
    // an IRQ without an override is identity-mapped, bus default (edge, high).
    u32 isa_gsi[16];
    u16 isa_flags[16];
};
extern madt_info acpi_madt;
// Searches for the RSDP (EBDA, then 0xE0000-0xFFFFF), walks the RSDT and reads
// the MADT. Fills acpi_madt; returns acpi_madt.found.
bool acpi_parse_madt();
// Copies len bytes at a physical address anywhere (lowmem, highmem or a
// firmware area) through the FIX_EARLY_READ fixmap page.
void copy_from_phys(void* dst, u64 phys, size_t len);
