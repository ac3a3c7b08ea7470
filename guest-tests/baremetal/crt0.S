/*
 * Entry point for bare-metal guest programs: a Multiboot v1 header and a stub that
 * sets up a stack and calls guest_main(magic, mbi). Whatever guest_main returns is
 * written to the debug-exit port, so every bare-metal program ends with a status.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-align modules, provide memory info */

    .section .multiboot, "a"
    .balign 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .text.start, "ax"
    .globl _start
_start:
    cli
    mov $stack_top, %esp
    xor %ebp, %ebp
    push %ebx           /* multiboot info (physical) */
    push %eax           /* multiboot magic */
    call guest_main
    push %eax
    call guest_exit     /* does not return */
1:  hlt
    jmp 1b

    .section .bss
    .balign 16
stack_bottom:
    .skip 16384
stack_top:
