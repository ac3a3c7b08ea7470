// A Multiboot test kernel written the way QEMU users write them: it assumes a
// PC with a local APIC and fw_cfg, reads IA32_APIC_BASE, the xAPIC ID, version
// and SVR, the LINT0/LINT1 entries firmware left, and fw_cfg's signature and
// NB_CPUS, prints them on COM1, and exits with a 32-bit OUT to port 0xF4:
// 0 if everything is what a one-CPU PC has, a nonzero code naming the first
// mismatch otherwise. It must give the same output and verdict on hm386 and QEMU.
#include "baremetal.hpp"

namespace {

uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t{hi} << 32) | lo;
}

uint32_t apic_read(uint32_t base, uint32_t reg) { return *reinterpret_cast<volatile uint32_t*>(base + reg); }

void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }

void fw_cfg_select(uint16_t key) { outw(0x510, key); }
uint32_t fw_cfg_read_le32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{bm::inb(0x511)} << (8 * i);
    return v;
}

void field(const char* name, uint32_t v) {
    bm::puts(name);
    bm::puts(": ");
    bm::put_hex(v);
    bm::putc('\n');
}

}  // namespace

extern "C" uint32_t guest_main(uint32_t magic, const bm::MultibootInfo*) {
    bm::serial_init();
    if (magic != bm::kMultibootBootloaderMagic) return 99;
    uint32_t eax, ebx, ecx, edx;
    asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(1), "c"(0));
    const bool has_apic = edx & (1u << 9);
    field("cpuid.1.edx.apic", has_apic);
    field("cpuid.1.ebx.apic_id", ebx >> 24);
    if (!has_apic) return 1;
    const uint64_t apic_base_msr = rdmsr(0x1B);
    field("apic_base_msr", static_cast<uint32_t>(apic_base_msr));
    const uint32_t base = static_cast<uint32_t>(apic_base_msr) & 0xFFFFF000u;
    if (base != 0xFEE00000u) return 2;
    if (!(apic_base_msr & (1u << 11))) return 3;  // globally enabled
    if (!(apic_base_msr & (1u << 8))) return 4;   // the BSP
    const uint32_t id = apic_read(base, 0x20) >> 24;
    const uint32_t version = apic_read(base, 0x30);
    const uint32_t svr = apic_read(base, 0xF0);
    const uint32_t lint0 = apic_read(base, 0x350), lint1 = apic_read(base, 0x360);
    field("apic_id", id);
    field("apic_version", version & 0xFF);
    field("svr", svr);
    field("lint0", lint0);
    field("lint1", lint1);
    if (id != 0) return 5;
    if ((version & 0xF0) != 0x10) return 6;  // an integrated (xAPIC) local APIC
    if (!(svr & 0x100)) return 7;            // firmware software-enabled it
    if ((lint0 & 0x10700) != 0x700) return 8;  // LINT0: unmasked ExtINT (virtual wire)
    if ((lint1 & 0x10700) != 0x400) return 9;  // LINT1: unmasked NMI

    fw_cfg_select(0x0000);  // FW_CFG_SIGNATURE
    char sig[5] = {};
    for (int i = 0; i < 4; ++i) sig[i] = static_cast<char>(bm::inb(0x511));
    bm::puts("fw_cfg signature: ");
    bm::puts(sig);
    bm::putc('\n');
    if (sig[0] != 'Q' || sig[1] != 'E' || sig[2] != 'M' || sig[3] != 'U') return 10;
    fw_cfg_select(0x0005);  // FW_CFG_NB_CPUS (16 bits)
    const uint32_t nb_cpus = fw_cfg_read_le32() & 0xFFFF;
    field("fw_cfg nb_cpus", nb_cpus);
    if (nb_cpus != 1) return 11;
    bm::puts("apic-probe: PASS\n");
    return 0;
}
