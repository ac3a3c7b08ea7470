/* Constants shared by C++ and assembly (macros only, so .S files can include it). */
#pragma once

#define __PAGE_OFFSET 0xC0000000
#define THREAD_SIZE 8192                /* kernel stack of every thread */
#define EARLY_MAP_SIZE (16 * 1024 * 1024) /* mapped by head.S before paging_init */
#define STACK_END_MAGIC 0x57AC6E9D      /* at the bottom of every kernel stack */
