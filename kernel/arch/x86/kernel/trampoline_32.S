/*
 * Application-processor start-up (smpboot.cpp). A SIPI starts an AP in real
 * mode at the copy of trampoline_start at SMP_TRAMPOLINE_PHYS (CS = 0x0800,
 * IP = 0). It loads the kernel's GDT by its physical address, enters protected
 * mode and jumps to ap_startup_32 in the kernel's text, still at its physical
 * address with paging off. That code turns paging on with the BSP's CR4 (PAE,
 * PGE), EFER.NXE and a page directory that maps low memory twice (identity and
 * at PAGE_OFFSET, smpboot.cpp's trampoline directory): the instruction after
 * the CR0 write is fetched through the identity alias of the kernel text, which
 * is mapped executable (a trampoline page in the direct map is NX). Then it
 * jumps to the linked address, takes its stack and calls start_secondary.
 */
#include <asm/asm_defs.hpp>
#include <asm/segment.hpp>

#define pa(x) ((x) - __PAGE_OFFSET)
#define SMP_TRAMPOLINE_PHYS 0x8000

    .section .rodata
    .balign 16
    .globl trampoline_start, trampoline_end
    .code16
trampoline_start:
    cli
    cld
    movw %cs, %ax
    movw %ax, %ds
    lgdtl (tr_gdt_descr - trampoline_start)
    movl %cr0, %eax
    orl $1, %eax                    /* PE */
    movl %eax, %cr0
    ljmpl $__KERNEL_CS, $pa(ap_startup_32)
    .balign 4
    .word 0
tr_gdt_descr:
    .word GDT_ENTRIES * 8 - 1
    .long pa(gdt_table)
trampoline_end:

    .code32
    .section .text
    .globl ap_startup_32
ap_startup_32:
    mov $__KERNEL_DS, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov $__KERNEL_PERCPU, %eax      /* base 0 here: CPU 0's view, until start_secondary loads this CPU's GDT */
    mov %eax, %fs
    xor %eax, %eax
    mov %eax, %gs
    mov pa(ap_boot_cr4), %eax
    mov %eax, %cr4
    cmpl $0, pa(ap_boot_nx)
    je 1f
    mov $0xC0000080, %ecx           /* EFER */
    rdmsr
    or $0x800, %eax                 /* NXE: the kernel's PTEs carry NX */
    wrmsr
1:  mov pa(ap_boot_cr3), %eax
    mov %eax, %cr3
    mov pa(ap_boot_cr0), %eax
    mov %eax, %cr0                  /* paging on: this code runs on at its identity alias */
    mov $2f, %eax
    jmp *%eax
2:  mov ap_boot_stack, %esp
    xor %ebp, %ebp
    call start_secondary
3:  cli
    hlt
    jmp 3b
