/*
 * Application-processor start-up for smp_boot: the real-mode trampoline a SIPI
 * with vector 0x08 starts (the BSP copies it to 0x8000: CS = 0x0800, IP = 0),
 * which loads its own flat GDT, enters protected mode and jumps to ap_pm_entry
 * in the image; and the interrupt stubs for the BSP's IPI vectors 0x40-0x47.
 */
#define TRAMPOLINE_BASE 0x8000

    .text
    .code16
    .globl ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
    cli
    cld
    movw %cs, %ax
    movw %ax, %ds
    lgdtl (gdt_ptr - ap_trampoline_start)
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x08, $ap_pm_entry

    .balign 8
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF  /* 0x08: flat 32-bit code */
    .quad 0x00CF92000000FFFF  /* 0x10: flat data */
gdt_ptr:
    .word 3 * 8 - 1
    .long TRAMPOLINE_BASE + (gdt - ap_trampoline_start)
ap_trampoline_end:

    .code32
ap_pm_entry:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    /* A stack of its own: the next free one, taken atomically. */
    movl $1, %eax
    lock xaddl %eax, ap_stack_next
    incl %eax
    shll $12, %eax
    leal ap_stacks(%eax), %esp
    call ap_main
1:  cli
    hlt
    jmp 1b

    .macro stub vec
    .globl ipi_stub_\vec
ipi_stub_\vec:
    push $\vec
    jmp ipi_common
    .endm
    .irp v, 0x40,0x41,0x42,0x43,0x44,0x45,0x46,0x47
    stub \v
    .endr

ipi_common:
    pusha
    pushl 32(%esp)      /* the vector */
    call smp_ipi
    add $4, %esp
    popa
    add $4, %esp
    iret
