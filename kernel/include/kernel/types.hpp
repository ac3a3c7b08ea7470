// Fixed-width integer names and the kernel's basic address types.
//
// The kernel is 32-bit: a virtual address fits an unsigned long, but a physical
// address does not once PAE is on (36 bits), so phys_addr_t is always 64 bits
// wide and never converts to a pointer without __va().
#pragma once
#include <stddef.h>
#include <stdint.h>

using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using s8 = int8_t;
using s16 = int16_t;
using s32 = int32_t;
using s64 = int64_t;

using phys_addr_t = u64;  // physical address (up to 36 bits used, with PAE)

static_assert(sizeof(void*) == 4, "the kernel is built for i386");
static_assert(sizeof(unsigned long) == 4);
