// What the user test program (utest) and the kernel tests agree on. Plain
// integers only: included by both sides.
#pragma once

// The target's shared area, at a fixed address in its own segment (user.ld):
// struct shared_area { u32 magic; volatile u32 cmd; volatile u32 state;
//                      u32 mmap_addr, bss_addr, heap_addr; u32 pad[2]; char text[48]; }
#define UTEST_SHARED_ADDR 0x08800000u
#define UTEST_MAGIC 0x52485348u  // "HSHR"
#define UTEST_CMD_OFFSET 4u
#define UTEST_STATE_OFFSET 8u
#define UTEST_MMAP_ADDR_OFFSET 12u
#define UTEST_BSS_ADDR_OFFSET 16u
#define UTEST_HEAP_ADDR_OFFSET 20u
#define UTEST_TEXT_OFFSET 32u
#define UTEST_TEXT_LEN 48u
#define UTEST_SECRET "secret from the target"

#define UTEST_CMD_FROM_KERNEL 1u
#define UTEST_CMD_FROM_PEEK 2u

// "utest lazy": demand paging step by step. The program sets state to each
// step and waits until the kernel test sets cmd to the same value.
//   1: regions exist (an mmap of UTEST_LAZY_MMAP_PAGES, UTEST_LAZY_HEAP_PAGES
//      of heap from brk, UTEST_LAZY_BSS_PAGES of bss), none touched yet;
//   2: every even mmap page, every heap page and every bss page touched
//      (each read as zero first, then written);
//   3: the mmap region unmapped and the heap shrunk back;
//   then it touches the unmapped region again, which must kill it (SIGSEGV).
#define UTEST_LAZY_MMAP_PAGES 64u
#define UTEST_LAZY_HEAP_PAGES 16u
#define UTEST_LAZY_BSS_PAGES 16u
