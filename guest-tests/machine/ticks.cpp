// Timer interrupts end to end: PIT channel 0 at 100 Hz through the remapped PIC
// into an IDT gate, the CPU idling in HLT between ticks (hm386 skips ahead to the
// next timer event instead of spinning). The output does not depend on timing,
// so it must be identical under hm386 and QEMU. "ticks=N" sets how many to wait
// for (default 20); the exit status is "exit=N" (default 0).
#include "machine_guest.hpp"

extern "C" volatile uint32_t mg_ticks;
extern "C" void mg_irq0_stub();

extern "C" uint32_t guest_main(uint32_t, const bm::MultibootInfo* mbi) {
    bm::serial_init();
    mg::setup_gdt();
    mg::setup_idt();
    mg::set_gate(0x20, mg_irq0_stub);
    mg::remap_pics(0x0001);
    const uint32_t want = bm::cmdline_uint(mbi, "ticks", 20);
    bm::puts("ticks: waiting for ");
    bm::put_dec(want);
    bm::puts(" timer interrupts at 100 Hz\n");
    mg::start_pit(100);
    asm volatile("sti");
    while (mg_ticks < want) asm volatile("hlt");
    asm volatile("cli");
    bm::puts("ticks: got them\n");
    return bm::cmdline_uint(mbi, "exit", 0);
}
