/*
 * Interrupt and exception entry. Every vector has a 16-byte stub that makes the
 * stack uniform (a dummy error code where the CPU pushes none, then the vector
 * number) and jumps to common_interrupt, which saves the rest of struct pt_regs
 * (asm/ptrace.hpp), builds a frame record so stack traces pass through the
 * interrupted function, and calls do_interrupt(regs).
 */
#include <asm/segment.hpp>

#define PT_IP 52

    .section .text
    .balign 16
    .globl vector_stubs
vector_stubs:
    vector = 0
    .rept 256
    .balign 16
    .if !(vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30)
    pushl $0                        /* no error code from the CPU */
    .endif
    pushl $vector
    jmp common_interrupt
    vector = vector + 1
    .endr

common_interrupt:
    push %gs
    push %fs
    push %es
    push %ds
    push %eax
    push %ebp
    push %edi
    push %esi
    push %edx
    push %ecx
    push %ebx
    mov $__KERNEL_DS, %eax
    mov %eax, %ds
    mov %eax, %es
    mov $__KERNEL_PERCPU, %eax      /* user mode may have left anything in %fs */
    mov %eax, %fs
    cld
    mov %esp, %eax                  /* struct pt_regs * */
    pushl PT_IP(%eax)               /* frame record: "called from" the interrupted ip */
    push %ebp
    mov %esp, %ebp
    push %eax
    call do_interrupt
    add $12, %esp
    .globl ret_from_interrupt
ret_from_interrupt:
    pop %ebx
    pop %ecx
    pop %edx
    pop %esi
    pop %edi
    pop %ebp
    pop %eax
    pop %ds
    pop %es
    pop %fs
    pop %gs
    add $8, %esp                    /* vector, error code */
    iret

/*
 * void start_user_thread(u32 ip, u32 sp, u32 kernel_stack_top)
 *
 * First entry of a new process into ring 3: abandons every kernel frame of the
 * thread (the kernel stack starts empty, which is where the CPU will push the
 * next interrupt or system call from user mode: TSS.esp0), builds an iret frame
 * for a privilege change and clears the registers the program must not see.
 */
    .globl start_user_thread
start_user_thread:
    cli
    mov 4(%esp), %eax               /* ip */
    mov 8(%esp), %ecx               /* user sp */
    mov 12(%esp), %esp              /* the top of this thread's kernel stack */
    push $__USER_DS                 /* ss */
    push %ecx                       /* sp */
    push $0x202                     /* eflags: IF, reserved bit 1 */
    push $__USER_CS                 /* cs */
    push %eax                       /* ip */
    mov $__USER_DS, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %fs
    mov %eax, %gs
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    iret
