/*
 * Assembly pieces of the torture guests (torture.cpp): exception and IRQ entry
 * stubs that hand C a frame it may edit, probes whose faulting instruction has a
 * known length, the self-modifying-code routines, the interrupted loop and the
 * runaway recursion. 32-bit flat protected mode, ring 0.
 */
    .text

/* Frame for C: pushal (EDI first in memory), then error code, EIP, CS, EFLAGS. */
    .globl tt_pf_stub
tt_pf_stub:                 /* #PF: the CPU pushed an error code */
    pushal
    push %esp
    call tt_pf_c
    add $4, %esp
    popal
    add $4, %esp            /* the error code */
    iret

    .globl tt_irq0_stub
tt_irq0_stub:               /* IRQ 0: no error code; push a dummy so the frame matches */
    push $0
    pushal
    push %esp
    call tt_irq0_c
    add $4, %esp
    popal
    add $4, %esp
    iret

/* Probes: the access is one 2-byte instruction; the #PF handler in skip mode
 * sets tt_faulted, puts 0xFA17FA17 in EAX and resumes 2 bytes on. */
    .globl tt_read, tt_write
tt_read:
    mov 4(%esp), %eax
    movl (%eax), %eax       /* 8b 00 */
    ret
tt_write:
    mov 4(%esp), %eax
    mov 8(%esp), %edx
    movl %edx, (%eax)       /* 89 10 */
    ret

/* Self-modifying code. */
    .globl tt_smc_next_insn
tt_smc_next_insn:           /* store into the very next instruction: returns 42 */
    movb $42, 1f+1
1:  movb $0, %al
    movzbl %al, %eax
    ret

    .globl tt_smc_next_block
tt_smc_next_block:          /* store into code after a jump (another block): returns 43 */
    movb $43, 2f+1
    jmp 2f
    .skip 64, 0x90
2:  movb $0, %al
    movzbl %al, %eax
    ret

    .globl tt_smc_same_insn
tt_smc_same_insn:           /* an ADD whose destination is its own immediate, run 3 times:
                               1 -> 2 -> 4 -> 8 when each run sees the previous store
                               (4 if the first decoding were reused) */
    mov $3, %ecx
    movb $1, 3f+6
3:  addl $1, 3b+6           /* 83 05 disp32 imm8: the imm8 is byte 6 */
    dec %ecx
    jnz 3b
    movzbl 3b+6, %eax
    ret

    .globl tt_smc_cached_fn
tt_smc_cached_fn:           /* mov eax, imm32 ; ret: the test rewrites the immediate */
    movl $1, %eax
    ret

    .section .text.otherpage, "ax"
    .balign 4096
    .globl tt_smc_far_fn
tt_smc_far_fn:              /* alone on its page: rewritten through another linear alias */
    movl $1, %eax
    ret
    .balign 4096
    .text

/* The interrupted loop: six instructions, each start labelled, a checksum that
 * an interrupt must not disturb. tt_irq_loop(n) returns it. */
    .globl tt_irq_loop, tt_b0, tt_b1, tt_b2, tt_b3, tt_b4, tt_b5, tt_loop_end
tt_irq_loop:
    mov 4(%esp), %ecx
    xor %eax, %eax
    mov $1, %edx
tt_b0: add %edx, %eax
tt_b1: rol $3, %edx
tt_b2: xor $0x55aa, %eax
tt_b3: inc %edx
tt_b4: dec %ecx
tt_b5: jnz tt_b0
tt_loop_end:
    ret

/* Runaway recursion: pushes return addresses until the stack meets its guard page. */
    .globl tt_recurse
tt_recurse:
    call tt_recurse
    ret

/* tt_run_on_stack(fn, esp): switch ESP and call fn (which does not return). */
    .globl tt_run_on_stack
tt_run_on_stack:
    mov 4(%esp), %eax
    mov 8(%esp), %esp
    call *%eax
1:  hlt
    jmp 1b
