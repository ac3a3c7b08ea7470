/*
 * User-mode entry: the kernel starts us with sp -> argc, argv..., NULL.
 * main(argc, argv)'s return value becomes the exit status.
 */
    .section .text.start, "ax"
    .globl _start
_start:
    xor %ebp, %ebp
    mov (%esp), %eax                /* argc */
    lea 4(%esp), %edx               /* argv */
    push %edx
    push %eax
    call main
    mov %eax, %ebx
    mov $1, %eax                    /* exit */
    int $0x80
    ud2
