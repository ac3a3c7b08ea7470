/*
 * Protocol of hm386's diagnostic device, shared verbatim by the emulator and by
 * freestanding guest code (so: no library headers, only integer constants).
 * See docs/diag-device.md for the description.
 *
 * Ports (32-bit accesses):
 *   HM386_DIAG_PORT_SIGNATURE  read: HM386_DIAG_SIGNATURE ("HM86"); 0xFFFFFFFF on
 *                              machines without the device (e.g. QEMU)
 *   HM386_DIAG_PORT_COMMAND    write: run a command (uses ARG, sets RESULT)
 *   HM386_DIAG_PORT_ARG_LO     write: argument low 32 bits; read: result low 32 bits
 *   HM386_DIAG_PORT_ARG_HI     write: argument high 32 bits; read: result high 32 bits
 *   HM386_DIAG_PORT_CPU_CYCLES_LO  read: low 32 bits of the cycle counter of the CPU
 *   HM386_DIAG_PORT_CPU_CYCLES_HI  read: high 32 bits      doing the read (version 2)
 * A command reads ARG (lo/hi) as written before it and leaves a 64-bit RESULT.
 * The CPU_CYCLES ports hold nothing: each read samples the reading CPU's own
 * counter (read HI, LO, HI and retry if HI moved). The commands' CYCLES,
 * INSTRUCTIONS and TLB figures are CPU 0's whichever CPU asks.
 * Unknown commands leave RESULT = 0xFFFFFFFFFFFFFFFF and bump an error counter.
 */
#ifndef HM386_DIAG_PROTOCOL_HPP
#define HM386_DIAG_PROTOCOL_HPP

#define HM386_DIAG_PORT_BASE 0x0D00
#define HM386_DIAG_PORT_SIGNATURE (HM386_DIAG_PORT_BASE + 0x0)
#define HM386_DIAG_PORT_COMMAND (HM386_DIAG_PORT_BASE + 0x4)
#define HM386_DIAG_PORT_ARG_LO (HM386_DIAG_PORT_BASE + 0x8)
#define HM386_DIAG_PORT_ARG_HI (HM386_DIAG_PORT_BASE + 0xC)
#define HM386_DIAG_PORT_CPU_CYCLES_LO (HM386_DIAG_PORT_BASE + 0x10)
#define HM386_DIAG_PORT_CPU_CYCLES_HI (HM386_DIAG_PORT_BASE + 0x14)
#define HM386_DIAG_PORT_COUNT 24
#define HM386_DIAG_SIGNATURE 0x36384D48u /* 'H' 'M' '8' '6' */
#define HM386_DIAG_VERSION 2u /* 2: the CPU_CYCLES ports */

/* Commands */
#define HM386_DIAG_CMD_VERSION 0x01u         /* RESULT = HM386_DIAG_VERSION */
#define HM386_DIAG_CMD_CYCLES 0x02u          /* RESULT = CPU cycle counter */
#define HM386_DIAG_CMD_INSTRUCTIONS 0x03u    /* RESULT = instructions retired */
#define HM386_DIAG_CMD_TLB_STAT 0x10u        /* ARG = stat id (below); RESULT = value */
#define HM386_DIAG_CMD_TLB_PROBE 0x11u       /* ARG = linear address; RESULT = probe bits */
#define HM386_DIAG_CMD_TLB_RESET_STATS 0x12u /* zero all TLB statistics */
#define HM386_DIAG_CMD_STALE_REPORTS 0x13u   /* RESULT = coherence-checker reports so far
                                                (0xFFFF..FF when the checker is off) */
#define HM386_DIAG_CMD_PAGE_FAULTS 0x14u     /* RESULT = #PF delivered so far */

/* TLB_PROBE result bits: does a TLB currently hold a translation for ARG? */
#define HM386_DIAG_PROBE_ITLB 0x1u
#define HM386_DIAG_PROBE_DTLB 0x2u
#define HM386_DIAG_PROBE_LARGE 0x4u  /* held by a large-page entry */
#define HM386_DIAG_PROBE_GLOBAL 0x8u /* the entry is global */

/* TLB stat ids: (tlb << 8) | counter, tlb 0 = instruction TLB, 1 = data TLB */
#define HM386_DIAG_TLB_ITLB 0x000u
#define HM386_DIAG_TLB_DTLB 0x100u
#define HM386_DIAG_STAT_LOOKUPS 0x00u
#define HM386_DIAG_STAT_HITS 0x01u
#define HM386_DIAG_STAT_MISSES 0x02u
#define HM386_DIAG_STAT_WALKS 0x03u
#define HM386_DIAG_STAT_WALK_MEM_ACCESSES 0x04u
#define HM386_DIAG_STAT_EVICTIONS 0x05u
#define HM386_DIAG_STAT_FLUSH_INVLPG 0x06u  /* INVLPG instructions that reached this TLB */
#define HM386_DIAG_STAT_FLUSH_CR3 0x07u
#define HM386_DIAG_STAT_FLUSH_CR4_CR0 0x08u /* PGE/PAE/PSE/PG/PE changes */
#define HM386_DIAG_STAT_ENTRIES_INVALIDATED 0x09u /* entries dropped by any flush */
#define HM386_DIAG_STAT_FILLS_4K 0x0Au
#define HM386_DIAG_STAT_FILLS_LARGE 0x0Bu

#endif
