// The I/O APIC on the APIC interrupt path: ISA IRQ n goes to the pin the MADT's
// interrupt source override names (IRQ 0 on pin 2 on a PC), with the override's
// polarity and trigger, as vector FIRST_EXTERNAL_VECTOR + n to the BSP
// (82093AA datasheet; Linux's arch/x86/kernel/apic/io_apic.c, mp_override_legacy_irq).
#include <asm/apic.hpp>
#include <asm/desc.hpp>
#include <asm/irq.hpp>
#include <asm/layout.hpp>
#include <asm/pgtable.hpp>
#include <kernel/bug.hpp>
#include <kernel/printk.hpp>

namespace {
constexpr u32 IO_APIC_DEFAULT_PHYS_BASE = 0xFEC00000;
constexpr u32 IO_APIC_REG_VERSION = 1, IO_APIC_REDTBL = 0x10;
constexpr unsigned NR_ISA_IRQS = 16;

constinit unsigned nr_pins = 0;
constinit u32 gsi_base = 0;
constinit unsigned isa_pin[NR_ISA_IRQS]{};
constinit u64 isa_rte[NR_ISA_IRQS]{};  // the entry each IRQ gets when unmasked (minus the mask)

volatile u32* io_apic_regs() { return reinterpret_cast<volatile u32*>(fix_to_virt(FIX_IO_APIC_BASE_0)); }
u32 io_apic_read(u32 reg) {
    io_apic_regs()[0] = reg;  // IOREGSEL
    return io_apic_regs()[4];  // IOWIN at +0x10
}
void io_apic_write(u32 reg, u32 value) {
    io_apic_regs()[0] = reg;
    io_apic_regs()[4] = value;
}
void write_rte(unsigned pin, u64 rte) {
    // Mask first and write the high half before unmasking, so the pin never
    // fires with half an entry.
    io_apic_write(IO_APIC_REDTBL + 2 * pin, static_cast<u32>(IO_APIC_RTE_MASKED));
    io_apic_write(IO_APIC_REDTBL + 2 * pin + 1, static_cast<u32>(rte >> 32));
    io_apic_write(IO_APIC_REDTBL + 2 * pin, static_cast<u32>(rte));
}
// MPS INTI flags: polarity bits 1:0 (3 = active low), trigger bits 3:2 (3 = level);
// 0 means the bus default, active high and edge for ISA.
u64 rte_flags(u16 inti) {
    u64 r = 0;
    if ((inti & 3) == 3) r |= IO_APIC_RTE_POLARITY_LOW;
    if (((inti >> 2) & 3) == 3) r |= IO_APIC_RTE_LEVEL;
    return r;
}
}  // namespace

u64 io_apic_read_rte(unsigned pin) {
    BUG_ON(pin >= nr_pins);
    return io_apic_read(IO_APIC_REDTBL + 2 * pin) | (u64{io_apic_read(IO_APIC_REDTBL + 2 * pin + 1)} << 32);
}

unsigned io_apic_pin_of_irq(unsigned irq) {
    BUG_ON(irq >= NR_ISA_IRQS);
    return isa_pin[irq];
}

void setup_IO_APIC() {
    madt_info& m = acpi_madt;
    u32 phys = IO_APIC_DEFAULT_PHYS_BASE;
    if (acpi_parse_madt() && m.ioapic_addr) {
        phys = m.ioapic_addr;
        gsi_base = m.ioapic_gsi_base;
        printk("ACPI: MADT: %u CPU(s), local APIC %#x, I/O APIC id %u at %#x, GSI base %u\n", m.nr_cpus,
               m.lapic_addr, m.ioapic_id, m.ioapic_addr, m.ioapic_gsi_base);
        for (unsigned irq = 0; irq < NR_ISA_IRQS; ++irq)
            if (m.isa_gsi[irq] != irq || m.isa_flags[irq])
                printk("ACPI: INT_SRC_OVR: IRQ %u -> GSI %u, %s, %s\n", irq, m.isa_gsi[irq],
                       rte_flags(m.isa_flags[irq]) & IO_APIC_RTE_POLARITY_LOW ? "active low" : "active high",
                       rte_flags(m.isa_flags[irq]) & IO_APIC_RTE_LEVEL ? "level" : "edge");
    } else {
        // No ACPI tables (hm386's Multiboot boot has none): the PC wiring every
        // chipset since the MP specification uses, the one hm386 and QEMU's
        // i440FX have: IRQ 0 on pin 2, the rest identity, edge, active high.
        m = madt_info{};
        for (unsigned irq = 0; irq < NR_ISA_IRQS; ++irq) m.isa_gsi[irq] = irq;
        m.isa_gsi[0] = 2;
        printk("ACPI: no MADT: assuming the PC wiring (I/O APIC at %#x, IRQ 0 on pin 2, edge, active high)\n", phys);
    }
    set_kernel_pte(fix_to_virt(FIX_IO_APIC_BASE_0), phys >> PAGE_SHIFT,
                   pgprot_t{PAGE_KERNEL().val | _PAGE_PCD | _PAGE_PWT});
    nr_pins = ((io_apic_read(IO_APIC_REG_VERSION) >> 16) & 0xFF) + 1;
    u32 dest = apic_read(APIC_ID) >> 24;  // the BSP, physical destination mode
    for (unsigned pin = 0; pin < nr_pins; ++pin) write_rte(pin, IO_APIC_RTE_MASKED);
    for (unsigned irq = 0; irq < NR_ISA_IRQS; ++irq) {
        u32 gsi = m.isa_gsi[irq];
        isa_pin[irq] = gsi >= gsi_base && gsi - gsi_base < nr_pins ? gsi - gsi_base : ~0u;
        isa_rte[irq] = (u64{dest} << 56) | rte_flags(m.isa_flags[irq]) | (FIRST_EXTERNAL_VECTOR + irq);
    }
    // An IRQ whose pin another IRQ's override took (IRQ 2, the cascade, when
    // IRQ 0 moved to GSI 2) has no pin of its own.
    for (unsigned irq = 0; irq < NR_ISA_IRQS; ++irq)
        for (unsigned other = 0; other < NR_ISA_IRQS; ++other)
            if (other != irq && m.isa_gsi[other] == m.isa_gsi[irq] && m.isa_gsi[irq] == irq) isa_pin[irq] = ~0u;
    printk("apic: I/O APIC at %#x, %u pins; ISA IRQs on vectors %#x-%#x\n", phys, nr_pins, FIRST_EXTERNAL_VECTOR,
           FIRST_EXTERNAL_VECTOR + NR_ISA_IRQS - 1);
}

void io_apic_unmask_irq(unsigned irq) {
    BUG_ON(irq >= NR_ISA_IRQS);
    if (isa_pin[irq] == ~0u) {
        printk("apic: IRQ %u has no I/O APIC pin (GSI %u): it cannot arrive\n", irq, acpi_madt.isa_gsi[irq]);
        return;
    }
    write_rte(isa_pin[irq], isa_rte[irq]);
}

void io_apic_mask_irq(unsigned irq) {
    BUG_ON(irq >= NR_ISA_IRQS);
    if (isa_pin[irq] != ~0u) write_rte(isa_pin[irq], isa_rte[irq] | IO_APIC_RTE_MASKED);
}
