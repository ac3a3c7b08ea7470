/*
 * calibration.elf: the calibration kernels of docs/cycle-costs.md ("Calibration").
 * Bare metal and all assembly, so it runs on every CPU profile (the C++ guests
 * are built for i686 and use CMOV): it turns paging on (4 MiB identity mapped
 * through one page table, no PSE), then times each kernel with the diagnostic
 * device's cycle counter (docs/diag-device.md; RDTSC is not on a 486) and
 * prints on the debug console (port 0xE9), one line per kernel:
 *
 *     calib: NAME iterations=N cycles=D
 *
 * D is the cycles of 2N iterations minus the cycles of N iterations, each run
 * after a warm-up run, so the timer reads, the calls and the kernel's set-up
 * cancel and D is exactly N loop iterations. The figures a loop iteration
 * should cost are in check-calibration.sh, from the published tables.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003
#define ITERATIONS 1000
#define DIAG_CMD 0x0D04
#define DIAG_RESULT_LOW 0x0D08
#define DIAG_CYCLES 0x02
#define DEBUGCON 0xE9
#define DEBUG_EXIT 0xF4

    .section .multiboot, "a"
    .balign 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .text.start, "ax"
    .globl _start
_start:
    cli
    cld
    mov $stack_top, %esp
    call paging_on
    mov $k_loop, %ebx
    mov $name_loop, %esi
    call measure
    mov $k_add, %ebx
    mov $name_add, %esi
    call measure
    mov $k_imul, %ebx
    mov $name_imul, %esi
    call measure
    mov $k_div, %ebx
    mov $name_div, %esi
    call measure
    mov $k_jmp, %ebx
    mov $name_jmp, %esi
    call measure
    mov $k_tlb_hit, %ebx
    mov $name_tlb_hit, %esi
    call measure
    mov $k_tlb_miss, %ebx
    mov $name_tlb_miss, %esi
    call measure
    mov $0, %eax
    mov $DEBUG_EXIT, %dx
    out %eax, %dx
1:  hlt
    jmp 1b

    .text
/* 4 MiB identity mapped by one page table (present, writable, supervisor). */
paging_on:
    mov $page_table, %edi
    xor %eax, %eax
    mov $1024, %ecx
1:  mov %eax, %edx
    or $3, %edx
    mov %edx, (%edi)
    add $4096, %eax
    add $4, %edi
    dec %ecx
    jnz 1b
    mov $page_table, %eax
    or $3, %eax
    mov %eax, page_dir
    mov $page_dir, %eax
    mov %eax, %cr3
    mov %cr0, %eax
    or $0x80000000, %eax
    mov %eax, %cr0
    jmp 2f
2:  ret

/* eax = the low half of the cycle counter. */
read_cycles:
    mov $DIAG_CYCLES, %eax
    mov $DIAG_CMD, %dx
    out %eax, %dx
    mov $DIAG_RESULT_LOW, %dx
    in %dx, %eax
    ret

/* ecx iterations of the kernel at ebx; eax = cycles spent (timer reads included). */
time_once:
    push %ecx
    call read_cycles
    pop %ecx
    push %eax
    push %ebx
    call *%ebx
    pop %ebx
    call read_cycles
    pop %ecx
    sub %ecx, %eax
    ret

/* Times the kernel at ebx and prints its line, named by the string at esi. */
measure:
    push %esi
    mov $ITERATIONS, %ecx
    call time_once              /* warm-up: TLB fills, decoded code */
    mov $ITERATIONS, %ecx
    call time_once
    push %eax
    mov $2 * ITERATIONS, %ecx
    call time_once
    pop %ecx
    sub %ecx, %eax              /* D = cycles(2N) - cycles(N) */
    pop %esi
    push %eax
    push %esi
    mov $text_calib, %esi
    call print
    pop %esi
    call print
    mov $text_iterations, %esi
    call print
    mov $ITERATIONS, %eax
    call print_dec
    mov $text_cycles, %esi
    call print
    pop %eax
    call print_dec
    mov $'\n', %al
    call putc
    ret

putc:
    mov $DEBUGCON, %dx
    outb %al, %dx
    ret

print:                          /* the NUL-terminated string at esi */
    lodsb
    test %al, %al
    jz 1f
    call putc
    jmp print
1:  ret

print_dec:                      /* eax, unsigned */
    mov $10, %ecx
    xor %edi, %edi
1:  xor %edx, %edx
    div %ecx
    add $'0', %dl
    push %edx
    inc %edi
    test %eax, %eax
    jnz 1b
2:  pop %eax
    call putc
    dec %edi
    jnz 2b
    ret

/* The kernels: ecx iterations each. The set-up before the loop and the RET
 * cancel in D. */

k_loop:                         /* the loop alone: DEC and a taken JNZ */
1:  dec %ecx
    jnz 1b
    ret

k_add:                          /* a dependent chain of 8 ADD r32,r32 */
    mov $1, %ebp
    xor %eax, %eax
1:  .rept 8
    add %ebp, %eax
    .endr
    dec %ecx
    jnz 1b
    ret

k_imul:                         /* a dependent chain of 8 IMUL r32,r32 */
    mov $3, %ebp
    mov $1, %eax
1:  .rept 8
    imul %ebp, %eax
    .endr
    dec %ecx
    jnz 1b
    ret

k_div:                          /* a dependent chain of 8 DIV r32 (EDX:EAX / 1) */
    mov $1, %ebp
    mov $12345, %eax
    xor %edx, %edx
1:  .rept 8
    div %ebp
    .endr
    dec %ecx
    jnz 1b
    ret

k_jmp:                          /* 8 taken short JMPs to the next instruction */
1:  .rept 8
    .byte 0xEB, 0x00
    .endr
    dec %ecx
    jnz 1b
    ret

k_tlb_hit:                      /* INVLPG of another page, then a read that hits */
    mov $data_page, %esi
    mov $other_page, %edi
1:  invlpg (%edi)
    mov (%esi), %eax
    dec %ecx
    jnz 1b
    ret

k_tlb_miss:                     /* INVLPG of the page read next: every read misses and walks */
    mov $data_page, %esi
1:  invlpg (%esi)
    mov (%esi), %eax
    dec %ecx
    jnz 1b
    ret

    .section .rodata
text_calib: .asciz "calib: "
text_iterations: .asciz " iterations="
text_cycles: .asciz " cycles="
name_loop: .asciz "loop_only"
name_add: .asciz "add_chain"
name_imul: .asciz "imul_chain"
name_div: .asciz "div_chain"
name_jmp: .asciz "taken_jmp"
name_tlb_hit: .asciz "invlpg_other_page"
name_tlb_miss: .asciz "tlb_miss"

    .section .bss
    .balign 4096
page_dir: .skip 4096
page_table: .skip 4096
data_page: .skip 4096
other_page: .skip 4096
stack_bottom: .skip 16384
stack_top:
