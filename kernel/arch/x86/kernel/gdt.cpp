// The GDT is defined in head.S (it must exist before paging); here it gains the
// TSS descriptor and is reloaded with its virtual address.
#include <asm/desc.hpp>
#include <asm/segment.hpp>

extern "C" u64 gdt_table[GDT_ENTRIES];

constinit tss_struct cpu_tss{};

u64 tss_descriptor(const tss_struct* tss) {
    // Present, DPL 0, type 9 (available 32-bit TSS), byte granularity.
    u32 base = reinterpret_cast<u32>(tss), limit = sizeof(tss_struct) - 1;
    return (limit & 0xFFFFull) | (u64{base & 0xFFFFFF} << 16) | (u64{0x89} << 40) |
           (u64{(limit >> 16) & 0xF} << 48) | (u64{base >> 24} << 56);
}

namespace {
struct __attribute__((packed)) desc_ptr {
    u16 size;
    u32 address;
};
}  // namespace

void gdt_init() {
    cpu_tss.ss0 = __KERNEL_DS;
    cpu_tss.io_bitmap_base = sizeof(tss_struct);  // beyond the limit: no bitmap
    gdt_table[GDT_ENTRY_TSS] = tss_descriptor(&cpu_tss);
    desc_ptr gdtr{sizeof(u64) * GDT_ENTRIES - 1, reinterpret_cast<u32>(gdt_table)};
    asm volatile("lgdt %0" ::"m"(gdtr));
    asm volatile("ltr %w0" ::"r"(__TSS_SEL));
    // A null LDT: the reset value (base 0, limit 0xFFFF) would let an LDT
    // selector read descriptors from linear address 0.
    asm volatile("lldt %w0" ::"r"(0));
}
