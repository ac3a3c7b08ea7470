/*
 * Exception entry points of the debugger's test guest (dbg_target.cpp).
 * #PF: the C handler maps the demand page, then the faulting access is retried.
 * #UD: resume after the 2-byte ud2.
 */
    .section .text
    .globl dbg_pf_stub
dbg_pf_stub:
    pushal
    call dbg_pf_handler
    popal
    addl $4, %esp       /* the error code */
    iret

    .globl dbg_ud_stub
dbg_ud_stub:
    addl $2, (%esp)     /* EIP past ud2 */
    iret
