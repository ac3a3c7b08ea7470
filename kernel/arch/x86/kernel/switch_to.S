/*
 * Context switch between kernel threads.
 *
 * task_struct* __switch_to_asm(u32* prev_sp, u32 next_sp, task_struct* prev)
 *   Pushes the callee-saved registers on the current stack, stores the stack
 *   pointer in *prev_sp, switches to next_sp and pops the registers the next
 *   thread pushed when it was switched out. Returns prev, so the code that
 *   runs next knows which thread ran before it (finish_task_switch).
 *
 * A new thread's stack is prepared by copy_thread() to look as if it had been
 * switched out just before ret_from_fork.
 */
    .section .text
    .globl __switch_to_asm
__switch_to_asm:
    mov 4(%esp), %ecx               /* prev_sp */
    mov 8(%esp), %edx               /* next_sp */
    mov 12(%esp), %eax              /* prev: the return value in the next thread */
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov %esp, (%ecx)
    mov %edx, %esp
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

    .globl ret_from_fork
ret_from_fork:
    push %eax                       /* the thread we switched from */
    call schedule_tail
    add $4, %esp
    call kthread_entry              /* runs the thread function, then exits */
    ud2
