// What the user test program (utest) and the kernel tests agree on. Plain
// integers only: included by both sides.
#pragma once

// The target's shared area, at a fixed address in its own segment (user.ld).
#define UTEST_SHARED_ADDR 0x08800000u
#define UTEST_MAGIC 0x52485348u  // "HSHR"
#define UTEST_TEXT_OFFSET 16u
#define UTEST_TEXT_LEN 48u
#define UTEST_SECRET "secret from the target"

// struct shared_area { u32 magic; volatile u32 cmd; u32 pad[2]; char text[48]; }
#define UTEST_CMD_OFFSET 4u
#define UTEST_CMD_FROM_KERNEL 1u
#define UTEST_CMD_FROM_PEEK 2u
