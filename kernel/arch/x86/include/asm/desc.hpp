// Descriptor tables: the GDT (flat segments + the TSS) and the IDT.
#pragma once
#include <kernel/types.hpp>

// Hardware task-state segment: only ss0/esp0 matter (the stack the CPU loads on
// an interrupt from ring 3) and the I/O bitmap offset (none: all ports trap).
struct __attribute__((packed)) tss_struct {
    u16 link, _r0;
    u32 esp0;
    u16 ss0, _r1;
    u32 esp1;
    u16 ss1, _r2;
    u32 esp2;
    u16 ss2, _r3;
    u32 cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    u16 es, _r4, cs, _r5, ss, _r6, ds, _r7, fs, _r8, gs, _r9, ldt, _r10;
    u16 trace, io_bitmap_base;
};
static_assert(sizeof(tss_struct) == 104);

extern tss_struct cpu_tss;

void gdt_init();
void idt_init();
void idt_load();
// Points vector at its entry stub with the given gate privilege (0 or 3).
void set_intr_gate(unsigned vector, unsigned dpl);
// Makes vector a task gate: the CPU switches to the task whose TSS the
// selector names (hardware task switch), stack and all.
void set_task_gate(unsigned vector, u16 tss_selector);
// The TSS descriptor for a GDT slot (present, DPL 0, available 32-bit TSS).
u64 tss_descriptor(const tss_struct* tss);
// #DF through a task gate, once the final page tables exist (doublefault.cpp).
void doublefault_init();

constexpr unsigned FIRST_EXTERNAL_VECTOR = 0x20;  // IRQ 0..15 after the 8259 remap
constexpr unsigned NR_VECTORS = 256;
constexpr unsigned SYSCALL_VECTOR = 0x80;  // int 0x80 from ring 3
