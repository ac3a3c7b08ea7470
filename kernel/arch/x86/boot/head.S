/*
 * The kernel's first instructions. A Multiboot v1 loader enters _start at its
 * physical address with paging off, EAX = 0x2BADB002 and EBX = the physical
 * address of the Multiboot information block.
 *
 * head.S does only what C++ cannot do before paging:
 *   1. load a flat GDT of its own (the loader's may be anywhere),
 *   2. clear .bss,
 *   3. build a boot page directory (2-level, 4 KiB pages) that maps the first
 *      EARLY_MAP_SIZE bytes twice: identity (for the instructions that turn
 *      paging on) and at PAGE_OFFSET (where the kernel is linked),
 *   4. enable paging and jump to the higher half, on init_task's stack,
 *   5. call start_kernel(magic, mbi_phys).
 * paging_init() later builds the real page tables (2-level or PAE, chosen on
 * the command line) and switches to them through switch_kernel_pagetables().
 */
#include <asm/asm_defs.hpp>
#include <asm/segment.hpp>

#define pa(x) ((x) - __PAGE_OFFSET)
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-aligned modules, memory information */
#define EARLY_PTS (EARLY_MAP_SIZE >> 22)
#define PDE_KERNEL_DIR 0x003 /* present, writable */

    .section .multiboot.header, "a"
    .balign 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .head.text, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    mov %eax, %esi                  /* keep magic (esi) and mbi (ebx) */

    lgdt pa(boot_gdt_descr)
    ljmp $__KERNEL_CS, $pa(1f)
1:  mov $__KERNEL_DS, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov $__KERNEL_PERCPU, %eax      /* per-CPU data: CPU 0's (asm/percpu.hpp) */
    mov %eax, %fs
    xor %eax, %eax
    mov %eax, %gs

    /* Clear .bss (the page tables below live there). */
    mov $pa(__bss_start), %edi
    mov $pa(__bss_stop), %ecx
    sub %edi, %ecx
    shr $2, %ecx
    xor %eax, %eax
    rep stosl

    /* One PTE per 4 KiB of [0, EARLY_MAP_SIZE). */
    mov $pa(initial_pg_tables), %edi
    mov $PDE_KERNEL_DIR, %eax
2:  stosl
    add $0x1000, %eax
    cmp $(EARLY_MAP_SIZE + PDE_KERNEL_DIR), %eax
    jb 2b

    /* The same page tables at directory slot 0 (identity) and 768 (PAGE_OFFSET). */
    mov $pa(initial_page_dir), %edi
    mov $(pa(initial_pg_tables) + PDE_KERNEL_DIR), %eax
    mov $EARLY_PTS, %ecx
3:  mov %eax, (%edi)
    mov %eax, (__PAGE_OFFSET >> 20)(%edi)
    add $4, %edi
    add $0x1000, %eax
    loop 3b

    mov $pa(initial_page_dir), %eax
    mov %eax, %cr3
    mov %cr0, %eax
    or $0x80010000, %eax            /* PG | WP */
    mov %eax, %cr0
    mov $4f, %eax                   /* absolute: into the higher half */
    jmp *%eax
4:
    lgdt boot_gdt_descr_virt        /* GDTR base as a virtual address */
    mov $(init_thread_union + THREAD_SIZE), %esp
    xor %ebp, %ebp                  /* end of the frame-pointer chain */
    push %ebx                       /* mbi (physical) */
    push %esi                       /* magic */
    call start_kernel
5:  cli                             /* start_kernel never returns */
    hlt
    jmp 5b

/*
 * void switch_kernel_pagetables(u32 cr3, u32 cr4_set, u32 set_nxe)
 *
 * Moves from the boot page directory to the final tables, possibly changing
 * the paging mode (2-level -> PAE). The mode can only change with paging off,
 * so the switch runs from the identity mapping of the kernel's first pages,
 * which both the old and the new tables provide. The stack is not touched
 * while paging is off (it is a virtual address).
 */
    .section .text
    .globl switch_kernel_pagetables
switch_kernel_pagetables:
    push %ebx
    push %esi
    push %edi
    mov 16(%esp), %esi              /* new cr3 */
    mov 20(%esp), %edi              /* CR4 bits to set */
    mov 24(%esp), %ebx              /* nonzero: set EFER.NXE */
    test %ebx, %ebx
    jz 1f
    mov $0xC0000080, %ecx           /* MSR_EFER: NX becomes legal in PTEs */
    rdmsr
    or $0x800, %eax
    wrmsr
1:  mov $pa(2f), %eax
    jmp *%eax                       /* continue at the physical address */
2:  mov %cr0, %eax
    and $0x7FFFFFFF, %eax           /* paging off */
    mov %eax, %cr0
    mov %esi, %cr3
    test %edi, %edi                 /* a 486 may have no CR4 at all */
    jz 4f
    mov %cr4, %eax
    or %edi, %eax
    mov %eax, %cr4
4:
    mov %cr0, %eax
    or $0x80010000, %eax            /* paging on, WP */
    mov %eax, %cr0
    mov $3f, %eax
    jmp *%eax                       /* back to the higher half */
3:  pop %edi
    pop %esi
    pop %ebx
    ret

    .section .data
    .balign 8
    .globl gdt_table
gdt_table:                          /* see segment.hpp; the TSS slot is filled by gdt_init */
    .quad 0
    .quad 0x00CF9A000000FFFF        /* kernel code: base 0, 4 GiB, ring 0, exec/read */
    .quad 0x00CF92000000FFFF        /* kernel data: base 0, 4 GiB, ring 0, read/write */
    .quad 0x00CFFA000000FFFF        /* user code: ring 3 */
    .quad 0x00CFF2000000FFFF        /* user data: ring 3 */
    .quad 0                         /* TSS */
    .quad 0                         /* the double-fault task's TSS (doublefault.cpp) */
    .quad 0x00CF92000000FFFF        /* per-CPU data (%fs): base 0 on the BSP; each AP's own GDT copy has its offset */
gdt_table_end:

    .balign 4
    .word 0
boot_gdt_descr:
    .word gdt_table_end - gdt_table - 1
    .long pa(gdt_table)
    .word 0
boot_gdt_descr_virt:
    .word gdt_table_end - gdt_table - 1
    .long gdt_table

    .section .bss..page_aligned, "aw", @nobits
    .balign 4096
    .globl initial_page_dir
initial_page_dir:
    .skip 4096
initial_pg_tables:
    .skip EARLY_PTS * 4096
    .balign THREAD_SIZE
    .globl init_thread_union
init_thread_union:                  /* init_task's (the boot thread's) kernel stack */
    .skip THREAD_SIZE
