// The ACPI MADT ("APIC" table): which CPUs and I/O APICs exist and how the ISA
// IRQs reach the I/O APIC (interrupt source overrides). ACPI 1.0b 5.2.4-5.2.8
// (RSDP, RSDT) and 5.2.8 (MADT). Only what the APIC path and SMP need.
#include <asm/apic.hpp>
#include <asm/layout.hpp>
#include <asm/pgtable.hpp>
#include <kernel/printk.hpp>
#include <kernel/string.hpp>

constinit madt_info acpi_madt{};

void copy_from_phys(void* dst, u64 phys, size_t len) {
    u8* out = static_cast<u8*>(dst);
    const unsigned long va = fix_to_virt(FIX_EARLY_READ);
    while (len) {
        size_t offset = static_cast<size_t>(phys & (PAGE_SIZE - 1));
        size_t n = PAGE_SIZE - offset < len ? PAGE_SIZE - offset : len;
        set_kernel_pte(va, static_cast<unsigned long>(phys >> PAGE_SHIFT), PAGE_KERNEL_RO());
        memcpy(out, reinterpret_cast<const void*>(va + offset), n);
        clear_kernel_pte(va);
        out += n;
        phys += n;
        len -= n;
    }
}

namespace {

struct __attribute__((packed)) acpi_rsdp {
    char signature[8];  // "RSD PTR "
    u8 checksum;
    char oem_id[6];
    u8 revision;
    u32 rsdt_address;
};
struct __attribute__((packed)) acpi_table_header {
    char signature[4];
    u32 length;
    u8 revision, checksum;
    char oem_id[6], oem_table_id[8];
    u32 oem_revision, creator_id, creator_revision;
};
struct __attribute__((packed)) acpi_madt_header {
    acpi_table_header h;
    u32 lapic_addr;
    u32 flags;
};
enum madt_type : u8 { MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_INT_SRC_OVERRIDE = 2 };
constexpr u32 MADT_LAPIC_ENABLED = 1;
constexpr u32 MAX_TABLE = 4096;  // more than QEMU's or hm386's tables need

bool checksum_ok(const void* p, size_t len) {
    u8 sum = 0;
    for (size_t i = 0; i < len; ++i) sum = static_cast<u8>(sum + static_cast<const u8*>(p)[i]);
    return sum == 0;
}

u8 table_buf[MAX_TABLE];

// The RSDP lies on a 16-byte boundary in the first KiB of the EBDA or in
// 0xE0000-0xFFFFF (ACPI 1.0b 5.2.4.1). Read page by page through the fixmap:
// the direct map need not cover firmware areas.
bool find_rsdp(u64 start, u64 len, acpi_rsdp* out) {
    for (u64 page = start; page < start + len; page += PAGE_SIZE) {
        u64 n = start + len - page < PAGE_SIZE ? start + len - page : PAGE_SIZE;
        copy_from_phys(table_buf, page, static_cast<size_t>(n));
        for (u64 off = 0; off + sizeof(acpi_rsdp) <= n; off += 16) {
            const auto* r = reinterpret_cast<const acpi_rsdp*>(table_buf + off);
            if (memcmp(r->signature, "RSD PTR ", 8) == 0 && checksum_ok(r, sizeof *r)) {
                *out = *r;
                return true;
            }
        }
    }
    return false;
}

// Reads a whole table into table_buf; false if too long or its checksum fails.
bool read_table(u32 phys, const char* sig) {
    acpi_table_header h;
    copy_from_phys(&h, phys, sizeof h);
    if (memcmp(h.signature, sig, 4) != 0) return false;
    if (h.length < sizeof h || h.length > MAX_TABLE) {
        printk("ACPI: %.4s at %#x: length %u not handled\n", sig, phys, h.length);
        return false;
    }
    copy_from_phys(table_buf, phys, h.length);
    if (!checksum_ok(table_buf, h.length)) {
        printk("ACPI: %.4s at %#x: bad checksum, ignored\n", sig, phys);
        return false;
    }
    return true;
}

void parse_madt_entries(u32 length) {
    madt_info& m = acpi_madt;
    const auto* hdr = reinterpret_cast<const acpi_madt_header*>(table_buf);
    m.lapic_addr = hdr->lapic_addr;
    for (u32 off = sizeof(acpi_madt_header); off + 2 <= length;) {
        const u8* e = table_buf + off;
        u8 type = e[0], len = e[1];
        if (len < 2 || off + len > length) break;
        if (type == MADT_LAPIC && len >= 8) {
            u32 flags;
            memcpy(&flags, e + 4, 4);
            if (flags & MADT_LAPIC_ENABLED) {
                if (m.nr_cpus < ARRAY_SIZE(m.cpu_apic_id)) m.cpu_apic_id[m.nr_cpus] = e[3];
                ++m.nr_cpus;
            }
        } else if (type == MADT_IOAPIC && len >= 12 && !m.ioapic_addr) {
            m.ioapic_id = e[2];
            memcpy(&m.ioapic_addr, e + 4, 4);
            memcpy(&m.ioapic_gsi_base, e + 8, 4);
        } else if (type == MADT_INT_SRC_OVERRIDE && len >= 10 && e[2] == 0 /* ISA */ && e[3] < 16) {
            memcpy(&m.isa_gsi[e[3]], e + 4, 4);
            memcpy(&m.isa_flags[e[3]], e + 8, 2);
        }
        off += len;
    }
}

}  // namespace

bool acpi_parse_madt() {
    madt_info& m = acpi_madt;
    m = madt_info{};
    for (unsigned i = 0; i < 16; ++i) m.isa_gsi[i] = i;
    acpi_rsdp rsdp;
    u16 ebda_segment;
    copy_from_phys(&ebda_segment, 0x40E, 2);  // BIOS data area
    u64 ebda = u64{ebda_segment} << 4;
    bool found = (ebda >= 0x80000 && ebda < 0xA0000 && find_rsdp(ebda, 1024, &rsdp)) ||
                 find_rsdp(0xE0000, 0x20000, &rsdp);
    if (!found) return false;
    if (!read_table(rsdp.rsdt_address, "RSDT")) return false;
    const auto* rsdt = reinterpret_cast<const acpi_table_header*>(table_buf);
    unsigned n = (rsdt->length - sizeof(acpi_table_header)) / 4;
    u32 entries[32];
    if (n > ARRAY_SIZE(entries)) n = ARRAY_SIZE(entries);
    memcpy(entries, table_buf + sizeof(acpi_table_header), n * 4);
    for (unsigned i = 0; i < n; ++i) {
        if (!read_table(entries[i], "APIC")) continue;
        parse_madt_entries(reinterpret_cast<const acpi_table_header*>(table_buf)->length);
        m.found = true;
        break;
    }
    return m.found;
}
