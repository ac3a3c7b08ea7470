// The IDT: every vector points at its stub in entry.S (vector_stubs, 16 bytes
// apart), all as interrupt gates (IF cleared on entry); only int3, into and
// int 0x80 may be raised from ring 3.
#include <asm/desc.hpp>
#include <asm/segment.hpp>

extern "C" char vector_stubs[];
constexpr unsigned VECTOR_STUB_SIZE = 16;

namespace {
struct __attribute__((packed)) gate_desc {
    u16 offset_low;
    u16 segment;
    u8 reserved;
    u8 type_attr;  // P | DPL | 0 | type (0xE: 32-bit interrupt gate)
    u16 offset_high;
};
static_assert(sizeof(gate_desc) == 8);

__attribute__((aligned(8))) constinit gate_desc idt_table[NR_VECTORS]{};

struct __attribute__((packed)) desc_ptr {
    u16 size;
    u32 address;
};
}  // namespace

void set_intr_gate(unsigned vector, unsigned dpl) {
    u32 handler = reinterpret_cast<u32>(vector_stubs) + vector * VECTOR_STUB_SIZE;
    gate_desc& g = idt_table[vector];
    g.offset_low = handler & 0xFFFF;
    g.offset_high = handler >> 16;
    g.segment = __KERNEL_CS;
    g.reserved = 0;
    g.type_attr = static_cast<u8>(0x80 | (dpl << 5) | 0xE);
}

void set_task_gate(unsigned vector, u16 tss_selector) {
    gate_desc& g = idt_table[vector];
    g.offset_low = 0;  // unused: the task's TSS says where it starts
    g.offset_high = 0;
    g.segment = tss_selector;
    g.reserved = 0;
    g.type_attr = 0x85;  // present, DPL 0, type 5: task gate
}

void idt_init() {
    for (unsigned v = 0; v < NR_VECTORS; ++v) set_intr_gate(v, 0);
    // What user mode may raise itself with "int n": int3, into, system calls.
    set_intr_gate(3, 3);
    set_intr_gate(4, 3);
    set_intr_gate(SYSCALL_VECTOR, 3);
    idt_load();
}

// Every CPU uses the one table (the APs load it in start_secondary).
void idt_load() {
    desc_ptr idtr{sizeof idt_table - 1, reinterpret_cast<u32>(idt_table)};
    asm volatile("lidt %0" ::"m"(idtr));
}
