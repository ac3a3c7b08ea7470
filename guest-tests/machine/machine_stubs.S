/*
 * 256 interrupt stubs, 16 bytes apart, for the machine guests' IDT: each pushes
 * its vector and calls mg_unexpected_vector (which reports and exits). Vectors
 * that a guest handles get their own gate instead.
 */
    .section .text
    .globl mg_vector_stubs
    .balign 16
mg_vector_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    pushl $vec
    jmp mg_stub_common
    .set vec, vec + 1
    .endr

mg_stub_common:
    call mg_unexpected_vector
1:  cli
    hlt
    jmp 1b

/* IRQ 0: count the tick, EOI, return. */
    .globl mg_irq0_stub
mg_irq0_stub:
    pushal
    incl mg_ticks
    movb $0x20, %al
    outb %al, $0x20
    popal
    iret

    .section .bss
    .globl mg_ticks
    .balign 4
mg_ticks:
    .long 0

