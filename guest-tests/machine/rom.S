/*
 * A firmware-style test program for `hm386 run --rom` (and `qemu -bios`): 64 KiB
 * of 16-bit real-mode code that starts at the reset vector F000:FFF0, greets over
 * COM1, writes POST code 0x42 to port 0x80 and exits through the debug-exit port
 * with status 5. Linked at offset 0 of segment F000 (rom.ld).
 */
    .code16
    .section .text
    .globl rom_start
rom_start:
    cli
    xorw %ax, %ax
    movw %ax, %ss
    movw $0x7000, %sp
    movw %cs, %ax
    movw %ax, %ds
    movw $0x3FB, %dx        /* 8N1, divisor 1 */
    movb $0x80, %al
    outb %al, %dx
    movw $0x3F8, %dx
    movb $0x01, %al
    outb %al, %dx
    movw $0x3F9, %dx
    xorb %al, %al
    outb %al, %dx
    movw $0x3FB, %dx
    movb $0x03, %al
    outb %al, %dx
    movw $message, %si
1:  lodsb
    testb %al, %al
    jz 3f
    movb %al, %bl
    movw $0x3FD, %dx
2:  inb %dx, %al
    testb $0x20, %al
    jz 2b
    movw $0x3F8, %dx
    movb %bl, %al
    outb %al, %dx
    jmp 1b
3:  movb $0x42, %al
    outb %al, $0x80
    movl $5, %eax
    outl %eax, $0xF4
4:  hlt
    jmp 4b

message:
    .asciz "hello from the reset vector\r\n"

    .section .reset, "ax"
    .globl reset_vector
reset_vector:
    ljmp $0xF000, $rom_start
    .fill 11, 1, 0xFF       /* to the end of the 64 KiB image */
