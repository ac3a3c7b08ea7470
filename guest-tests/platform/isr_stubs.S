/*
 * Interrupt entry stubs for the platform suite: every vector pushes its number
 * (and a zero where the CPU pushes no error code), saves the registers and
 * calls platform_isr(frame). The handler may change the saved EIP (to skip a
 * faulting RDMSR/WRMSR).
 */
    .text
    .macro stub vec, has_error
    .globl isr_stub_\vec
isr_stub_\vec:
    .if \has_error == 0
    push $0
    .endif
    push $\vec
    jmp isr_common
    .endm

    stub 13, 1
    .irp v, 0x30,0x31,0x40,0x41,0x42,0x43,0x44,0x45,0x46,0x47,0x50,0x51,0x52,0xEE,0xEF
    stub \v, 0
    .endr

isr_common:
    pusha
    push %esp
    call platform_isr
    add $4, %esp
    popa
    add $8, %esp
    iret
