// smp_boot: the MP start-up every SMP kernel performs, as a bare-metal
// Multiboot guest. The BSP reads NB_CPUS from fw_cfg, copies a real-mode
// trampoline to 0x8000 and sends INIT, then SIPI twice (vector 0x08) to every
// other CPU (the shorthand "all excluding self"). Each AP enters protected mode,
// takes a stack, announces itself with LOCK XADD on a shared counter and sends
// a fixed IPI with vector 0x40 + its APIC ID back to the BSP (one vector per AP,
// so IPIs that arrive together cannot merge in the BSP's IRR). The BSP waits
// (bounded by the TSC) until the counter, its own announcement included, equals
// NB_CPUS and every AP's vector has arrived, prints the result and exits
// through port 0xF4: 0 on success. The output is the same on hm386 and QEMU.
#include "baremetal.hpp"

extern "C" {
extern const uint8_t ap_trampoline_start[], ap_trampoline_end[];
void ipi_stub_0x40(), ipi_stub_0x41(), ipi_stub_0x42(), ipi_stub_0x43();
void ipi_stub_0x44(), ipi_stub_0x45(), ipi_stub_0x46(), ipi_stub_0x47();
alignas(4096) uint8_t ap_stacks[9][4096];
volatile uint32_t ap_stack_next = 0;
}

namespace {

constexpr uint32_t kApic = 0xFEE00000u;
constexpr uint32_t kTrampoline = 0x8000;
constexpr uint8_t kSipiVector = kTrampoline >> 12;
constexpr uint8_t kIpiBase = 0x40;

volatile uint32_t g_announced = 0;    // LOCK XADD by every CPU
volatile uint32_t g_ipi_mask = 0;     // bit k: vector 0x40 + k reached the BSP
volatile uint32_t g_arrival[8] = {};  // per APIC ID: 1 + its place in the count

uint32_t apic_read(uint32_t reg) { return *reinterpret_cast<volatile uint32_t*>(kApic + reg); }
void apic_write(uint32_t reg, uint32_t v) { *reinterpret_cast<volatile uint32_t*>(kApic + reg) = v; }

void send_ipi(uint32_t dest, uint32_t icr_low) {
    apic_write(0x310, dest << 24);
    apic_write(0x300, icr_low);
    while (apic_read(0x300) & (1u << 12)) {  // delivery status: wait until sent
    }
}

uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t{hi} << 32) | lo;
}

void delay(uint64_t ticks) {
    const uint64_t end = rdtsc() + ticks;
    while (rdtsc() < end) asm volatile("pause");
}

void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }

uint32_t fw_cfg_nb_cpus() {
    outw(0x510, 0x0005);  // FW_CFG_NB_CPUS, 16 bits little-endian
    const uint32_t lo = bm::inb(0x511);
    return lo | (uint32_t{bm::inb(0x511)} << 8);
}

uint32_t announce() {
    const uint32_t id = apic_read(0x20) >> 24;
    const uint32_t place = __atomic_fetch_add(&g_announced, 1, __ATOMIC_SEQ_CST);  // LOCK XADD
    if (id < 8) g_arrival[id] = place + 1;
    return id;
}

struct [[gnu::packed]] IdtEntry {
    uint16_t offset_lo, selector;
    uint8_t zero, type;
    uint16_t offset_hi;
};
IdtEntry g_idt[256];
// Multiboot leaves GDTR undefined: the BSP loads a flat GDT of its own before
// it takes interrupts (the gates name selector 0x08).
alignas(8) const uint64_t g_gdt[3] = {0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull};

void load_gdt() {
    struct [[gnu::packed]] {
        uint16_t limit;
        uint32_t base;
    } gdtr{sizeof g_gdt - 1, reinterpret_cast<uint32_t>(g_gdt)};
    asm volatile(
        "lgdt %0\n"
        "ljmp $0x08, $1f\n"
        "1: mov $0x10, %%ax\n"
        "mov %%ax, %%ds\n mov %%ax, %%es\n mov %%ax, %%ss\n mov %%ax, %%fs\n mov %%ax, %%gs" ::"m"(gdtr)
        : "eax", "memory");
}

void set_gate(uint8_t vector, void (*handler)()) {
    const uint32_t a = reinterpret_cast<uint32_t>(handler);
    g_idt[vector] = IdtEntry{static_cast<uint16_t>(a), 0x08, 0, 0x8E, static_cast<uint16_t>(a >> 16)};
}

void field(const char* name, uint32_t v) {
    bm::puts("smp-boot: ");
    bm::puts(name);
    bm::puts(" ");
    bm::put_dec(v);
    bm::putc('\n');
}

}  // namespace

extern "C" void smp_ipi(uint32_t vector) {
    g_ipi_mask = g_ipi_mask | (1u << (vector - kIpiBase));
    apic_write(0xB0, 0);  // EOI
}

extern "C" void ap_main() {
    const uint32_t id = announce();
    if (id < 8) send_ipi(0, 0x4000 | (kIpiBase + id));  // fixed, physical, to the BSP (APIC 0)
    for (;;) asm volatile("cli; hlt");
}

extern "C" uint32_t guest_main(uint32_t magic, const bm::MultibootInfo*) {
    bm::serial_init();
    if (magic != bm::kMultibootBootloaderMagic) return 99;
    bm::outb(0x21, 0xFF);  // no PIC interrupts: only the APs' IPIs
    bm::outb(0xA1, 0xFF);
    const uint32_t n = fw_cfg_nb_cpus();
    field("nb_cpus", n);
    if (n < 1 || n > 8) return 2;
    if ((apic_read(0x20) >> 24) != 0) return 3;  // the BSP is APIC 0
    load_gdt();

    void (*stubs[8])() = {ipi_stub_0x40, ipi_stub_0x41, ipi_stub_0x42, ipi_stub_0x43,
                          ipi_stub_0x44, ipi_stub_0x45, ipi_stub_0x46, ipi_stub_0x47};
    for (uint8_t i = 0; i < 8; ++i) set_gate(static_cast<uint8_t>(kIpiBase + i), stubs[i]);
    struct [[gnu::packed]] {
        uint16_t limit;
        uint32_t base;
    } idtr{sizeof g_idt - 1, reinterpret_cast<uint32_t>(g_idt)};
    asm volatile("lidt %0" ::"m"(idtr));
    apic_write(0xF0, apic_read(0xF0) | 0x100);  // software-enabled (firmware did it too)
    apic_write(0x80, 0);                        // TPR 0: every vector is taken
    asm volatile("sti");

    const uint32_t size = static_cast<uint32_t>(ap_trampoline_end - ap_trampoline_start);
    auto* dst = reinterpret_cast<volatile uint8_t*>(kTrampoline);
    for (uint32_t i = 0; i < size; ++i) dst[i] = ap_trampoline_start[i];
    announce();

    // INIT, then SIPI twice, to all excluding self (MP spec B.4 / SDM 8.4.4.1);
    // the second SIPI finds every AP running and is ignored.
    send_ipi(0, 0x000C4500);
    delay(1000000);
    send_ipi(0, 0x000C4600 | kSipiVector);
    delay(20000);
    send_ipi(0, 0x000C4600 | kSipiVector);

    const uint32_t want_mask = ((1u << n) - 1) & ~1u;
    const uint64_t give_up = rdtsc() + 2000000000ull;
    while ((g_announced != n || g_ipi_mask != want_mask) && rdtsc() < give_up) asm volatile("pause");
    asm volatile("cli");
    field("announced", g_announced);
    bm::puts("smp-boot: ipi mask ");
    bm::put_hex(g_ipi_mask);
    bm::putc('\n');
    for (uint32_t id = 0; id < n; ++id) {
        if (!g_arrival[id]) {
            bm::puts("smp-boot: FAIL: CPU ");
            bm::put_dec(id);
            bm::puts(" never announced itself\n");
        }
    }
    if (g_announced != n) return 4;
    if (g_ipi_mask != want_mask) return 5;
    bm::puts("smp-boot: PASS\n");
    return 0;
}
