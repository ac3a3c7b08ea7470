// GDT layout and segment selectors. Shared by C++ and assembly.
#pragma once

#define GDT_ENTRY_KERNEL_CS 1
#define GDT_ENTRY_KERNEL_DS 2
#define GDT_ENTRY_USER_CS 3
#define GDT_ENTRY_USER_DS 4
#define GDT_ENTRY_TSS 5
#define GDT_ENTRY_DOUBLEFAULT_TSS 6
/* %fs in the kernel: a flat data segment whose base is this CPU's offset from
   CPU 0's per-CPU area (0 on the BSP; asm/percpu.hpp). */
#define GDT_ENTRY_PERCPU 7
#define GDT_ENTRIES 8

#define __KERNEL_CS (GDT_ENTRY_KERNEL_CS * 8)
#define __KERNEL_DS (GDT_ENTRY_KERNEL_DS * 8)
#define __USER_CS (GDT_ENTRY_USER_CS * 8 + 3)
#define __USER_DS (GDT_ENTRY_USER_DS * 8 + 3)
#define __TSS_SEL (GDT_ENTRY_TSS * 8)
#define __DOUBLEFAULT_TSS_SEL (GDT_ENTRY_DOUBLEFAULT_TSS * 8)
#define __KERNEL_PERCPU (GDT_ENTRY_PERCPU * 8)
